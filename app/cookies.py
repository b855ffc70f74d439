"""The names of dayreel's cookies (the CSRF guard and the routes that set them agree on these), and the one
place the contributor cookie is set (the invite form, the upload API and the tus finish all set it alike)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.config import Settings

SESSION_COOKIE = "dayreel_session"  # signed: staff sign-in (a server-side session id) and the CSRF token
CONTRIBUTOR_COOKIE = "dayreel_contributor"  # per project: which contributor this browser uploads as
CONTRIBUTOR_COOKIE_MAX_AGE_S = 180 * 86400


def contributor_cookie_name(project_id: int) -> str:
    return f"{CONTRIBUTOR_COOKIE}_{project_id}"


def contributor_token_of(request: Request, project_id: int) -> str | None:
    """The contributor token this browser holds for the project, if any."""
    return request.cookies.get(contributor_cookie_name(project_id))


def set_contributor_cookie(response: Response, project_id: int, token: str, settings: Settings) -> None:
    """The contributor's key to their own moments, for this project only."""
    response.set_cookie(contributor_cookie_name(project_id), token, max_age=CONTRIBUTOR_COOKIE_MAX_AGE_S,
                        httponly=True, samesite="lax", secure=settings.environment == "production")
