"""The names of dayreel's cookies (the CSRF guard and the routes that set them agree on these)."""

from __future__ import annotations

SESSION_COOKIE = "dayreel_session"  # signed: staff sign-in (a server-side session id) and the CSRF token
CONTRIBUTOR_COOKIE = "dayreel_contributor"  # per project: which contributor this browser uploads as


def contributor_cookie_name(project_id: int) -> str:
    return f"{CONTRIBUTOR_COOKIE}_{project_id}"
