"""One CSRF guard for every route: a dependency of the whole app (`FastAPI(dependencies=[...])`).

Every unsafe request passes here before its route runs, so a new route is guarded by construction:

- a request with `Authorization: Bearer` is exempt (a token a page on another site cannot send);
- a browser request from another site (`Sec-Fetch-Site: cross-site`, or an `Origin` that is not ours) is
  refused, unless it carries no cookie and its origin is one of `DAYREEL_CORS_ORIGINS` (tus from a partner
  site);
- a request that carries a dayreel cookie must send the session's token, in the `X-CSRF-Token` header or
  as the form field `csrf` — except the contributors' API (`/api/invites/…`, `/api/uploads…`), which acts
  on an invite link, never on a staff sign-in, and which programs call with whatever cookies they kept:
  there the site checks above are the guard.

Requests without any dayreel cookie hold no ambient authority (API clients, a first upload), so they need
no token.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

from app.cookies import CONTRIBUTOR_COOKIE, SESSION_COOKIE

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CONTRIBUTOR_API = ("/api/invites/", "/api/uploads")
EXPIRED = "this form has expired; please reload the page and try again"
CROSS_SITE = "this request came from another site; please open dayreel itself and try again"


def csrf_token(request: Request) -> str:
    """The session's token for forms and scripts (made on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return str(token)


async def csrf_guard(request: Request) -> None:
    if request.method in SAFE_METHODS:
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    cookie = _has_dayreel_cookie(request)
    if _from_another_site(request) and (cookie or not _partner_origin(request)):
        raise HTTPException(403, CROSS_SITE)
    if not cookie:
        return
    if request.url.path.startswith(CONTRIBUTOR_API):
        return
    sent = request.headers.get("x-csrf-token") or await _form_field(request)
    expected = request.session.get("csrf")
    if not expected or not sent or not secrets.compare_digest(str(expected), sent):
        raise HTTPException(403, EXPIRED)


def _has_dayreel_cookie(request: Request) -> bool:
    return any(name == SESSION_COOKIE or name.startswith(CONTRIBUTOR_COOKIE) for name in request.cookies)


def _from_another_site(request: Request) -> bool:
    site = request.headers.get("sec-fetch-site")
    origin = request.headers.get("origin")
    if site is not None and (site != "same-site" or not origin or origin == "null"):
        # the browser's own word; pages sent with `Referrer-Policy: no-referrer` (private links) post with
        # `Origin: null`, so for same-origin the origin is not asked
        return site == "cross-site" or site == "same-site"
    if not origin:
        return False
    if origin == "null":  # sandboxed frames, file: pages, from a browser that does not say more
        return True
    ours = {request.headers.get("host", "")}
    base = request.app.state.ctx.settings.public_base_url
    if base:
        ours.add(urlsplit(base).netloc)
    return urlsplit(origin).netloc not in ours


def _partner_origin(request: Request) -> bool:
    return request.headers.get("origin") in request.app.state.ctx.settings.cors_origin_list


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def _form_field(request: Request) -> str | None:
    if _content_type(request) not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return None
    # parsed once: FastAPI's own form parameters reuse this parse
    value = (await request.form()).get("csrf")
    return value if isinstance(value, str) else None
