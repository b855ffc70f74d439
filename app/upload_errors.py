"""Server messages are English; these fragments (lower case) of them name the translated message the phone page
shows instead (app/locales/*/LC_MESSAGES/messages.po)."""

SERVER_ERRORS: tuple[tuple[str, str], ...] = (
    ("larger than the limit", "err.too_large"),
    ("exceeds maximum allowed size", "err.too_large"),
    ("not a photo or video", "err.unsupported"),
    ("not a file we can read", "err.unsupported"),
    ("only sound", "err.sound_only"),
    ("is empty", "err.empty"),
    ("long; the limit", "err.too_long"),
    ("megapixels", "err.too_many_pixels"),
    ("pixels); the limit", "err.too_many_pixels"),
    ("could not read", "err.broken"),
    ("could not find a picture", "err.broken"),
    ("took too long", "err.broken"),
    ("does not take new moments", "err.closed"),
    ("consent box", "err.consent"),
    ("invite link is not valid", "err.invalid_link"),
    ("too far from the project's day", "err.time_range"),
    ("moments per person", "err.quota_person_moments"),
    ("gb per person", "err.quota_person_bytes"),
    ("reached its limit of", "err.quota_project_moments"),
    ("no room left", "err.quota_project_bytes"),
)
