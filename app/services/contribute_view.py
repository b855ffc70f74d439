"""What the contributor pages show, as plain values: the project, the uploader's settings and texts, and one's
own moments. Pages get these, never ORM rows, so a template cannot start a database query."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.client_time import parse_client_time
from app.config import Settings
from app.i18n import translate
from app.models import Moment, Project
from app.schemas import media_url
from app.services import contributors, quotas
from app.services.ingest import allowed_scopes
from app.services.moment_time import capture_window
from app.services.project_time import in_project_zone, shown_time
from app.upload_errors import SERVER_ERRORS

# Explicit types, HEIC first, and no "image/*": browsers that honour `accept` (Safari) then hand over the
# original HEIC with its EXIF instead of a converted JPEG; extensions help pickers that know no MIME type.
ACCEPT = (
    "image/heic,image/heif,image/jpeg,image/png,image/webp,image/gif,"
    "video/mp4,video/quicktime,video/webm,video/3gpp,"
    ".heic,.heif,.jpg,.jpeg,.png,.webp,.gif,.mp4,.mov,.m4v,.webm,.3gp"
)
CHUNK_BYTES = 5 * 1024 * 1024
MOODS = (1, 2, 3, 4, 5)
MOOD_EMOJI = {1: "😞", 2: "😕", 3: "😐", 4: "😊", 5: "😄"}  # all in the oldest emoji block: fonts have them


@dataclass(frozen=True)
class ProjectView:
    """The project as the contributor pages show it."""

    title: str
    invite_token: str
    day: date
    welcome_text: str
    contributions_open: bool


@dataclass(frozen=True)
class MomentView:
    """One of my moments on "my moments", its time in the project's zone as the upload page shows it."""

    id: int
    kind: str
    thumb_url: str | None
    preparing: bool
    time_shown: datetime  # wall-clock time in the project's zone; the page writes it in its language
    time_confirmed: bool
    caption: str
    mood: int | None
    status: str
    name: str
    own_face_hidden: bool

    @property
    def time_value(self) -> str:
        """The time for <input type="datetime-local">."""
        return self.time_shown.strftime("%Y-%m-%dT%H:%M")


def project_view(project: Project) -> ProjectView:
    return ProjectView(title=project.title, invite_token=project.invite_token, day=project.day,
                       welcome_text=project.welcome_text, contributions_open=project.contributions_open)


def mood_choices() -> list[dict[str, Any]]:
    return [{"value": m, "emoji": MOOD_EMOJI[m]} for m in MOODS]


def clip_minutes(project: Project, settings: Settings) -> int:
    return max(1, round((project.max_clip_s or settings.max_clip_s) / 60))


def client_config(project: Project, settings: Settings, lang: str) -> str:
    """What contribute.js needs: endpoints, limits and every text it shows, in the page's language."""
    values = {"mb": settings.max_upload_mb, "minutes": clip_minutes(project, settings), "zone": project.timezone,
              **quotas.message_values(project)}
    keys = ["state.waiting", "state.uploading", "state.retrying", "state.processing", "state.done",
            "state.failed", "contribute.caption", "contribute.when", "contribute.mood", "contribute.more",
            "contribute.alias", "contribute.role", "role.none", "role.customer", "role.employee",
            "contribute.time_check", "contribute.time_yes", "contribute.time_change", "contribute.saved",
            "contribute.retry", "contribute.remove", "contribute.consent_first", "contribute.no_preview",
            "contribute.all_done", "contribute.to_me", "err.network", "err.too_large", "contribute.when_hint",
            "contribute.when_zone",
            *(f"mood.{m}" for m in MOODS)]
    config = {
        "token": project.invite_token,
        "tusEndpoint": "/api/uploads",
        "finishUrl": f"/api/invites/{project.invite_token}/uploads/{{id}}/finish",
        "momentUrl": f"/api/invites/{project.invite_token}/me/moments/{{id}}",
        "meUrl": f"/c/{project.invite_token}/me",
        "chunkBytes": CHUNK_BYTES,
        "days": list(capture_window(project.day)),  # the dates a client's time may name (moment_time)
        # times are shown and typed in the project's zone, whatever zone the phone is in (project_time)
        "timeZone": project.timezone,
        "day": project.day.isoformat(),
        "maxBytes": settings.max_upload_bytes,
        "lang": lang,
        "moods": mood_choices(),
        "text": {k: translate(k, lang, **values) for k in keys},
        "errors": [[fragment, translate(key, lang, **values)] for fragment, key in SERVER_ERRORS],
    }
    # "</" must not end the <script> block the JSON sits in
    return json.dumps(config, ensure_ascii=False).replace("</", "<\\/")


def invite_values(project: Project, settings: Settings, lang: str) -> dict[str, Any]:
    """The invite page's values (the route adds the form's CSRF token)."""
    return {
        "project": project_view(project),
        "lang": lang,
        "max_mb": settings.max_upload_mb,
        "clip_minutes": clip_minutes(project, settings),
        "scopes": allowed_scopes(project),
        "consent_text": contributors.consent_text(project, lang),
        "accept": ACCEPT,
        "config": client_config(project, settings, lang),
    }


def private_link(token: str, contributor_token: str | None, settings: Settings) -> dict[str, str | None]:
    if not contributor_token:
        return {"private_url": None, "private_full": None}
    path = f"/c/{token}/me/{contributor_token}"
    return {"private_url": path, "private_full": settings.public_base_url.rstrip("/") + path}


def moment_view(m: Moment, zone: str) -> MomentView:
    # in the project's zone, as the upload page shows it (contribute.js fromServer)
    return MomentView(
        id=m.id,
        kind=m.kind,
        thumb_url=media_url(m, "thumb") if m.thumb_key else None,
        preparing=m.derive_status == "pending",
        time_shown=shown_time(m.captured_local, m.utc_offset_min, zone),
        time_confirmed=m.time_confirmed,
        caption=m.caption,
        mood=m.mood,
        status=m.status,
        name=m.original_name,
        own_face_hidden=m.blur_own_face,
    )


def form_time(value: str | None, moment: Moment, zone: str) -> datetime | None:
    """The form shows and takes wall-clock time in the project's zone. The time it showed comes back as the
    moment's own (naive) time, so saving it unchanged confirms it; a new one is placed in the project's zone."""
    wall = parse_client_time(value) if value else None
    if wall is None or wall.tzinfo is not None:
        return wall
    shown = shown_time(moment.captured_local, moment.utc_offset_min, zone)
    if wall.replace(second=0, microsecond=0) == shown.replace(second=0, microsecond=0):
        return moment.captured_local
    return in_project_zone(wall, zone)
