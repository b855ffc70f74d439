"""Contributor pages: the invite (plain form without JavaScript, multi-file uploader with it), its QR
code, and "my moments" behind a private link; plus the JSON API the uploader uses for one's own moments."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from app.config import Settings
from app.cookies import contributor_cookie_name
from app.deps import IdPath, SessionDep, SettingsDep, StorageDep, csrf_token
from app.error_models import API_ERRORS, PAGE_ERRORS
from app.i18n import pick_language, translate
from app.models import Moment, Project
from app.routes.api import parse_client_time
from app.schemas import MomentPublic, media_url
from app.services import contributors, faces, projects, quotas
from app.services.errors import Invalid, NotFound, ServiceError
from app.services.ingest import UploadFields, allowed_scopes, ingest_upload
from app.services.moment_time import CaptureTimeOutOfRange, capture_window
from app.services.project_time import in_project_zone, shown_time
from app.upload_errors import SERVER_ERRORS
from app.web import page

router = APIRouter(tags=["contribute"], responses=API_ERRORS)

COOKIE_MAX_AGE_S = 180 * 86400
# plain-form routes answer 303 to the page that shows the result (or an error page)
REDIRECT: dict[str, Any] = {"status_code": 303, "response_class": RedirectResponse, "responses": PAGE_ERRORS}
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


def set_contributor_cookie(response: Response, project_id: IdPath, token: str, settings: Settings) -> None:
    """The contributor's key to their own moments, for this project only."""
    response.set_cookie(contributor_cookie_name(project_id), token, max_age=COOKIE_MAX_AGE_S, httponly=True,
                        samesite="lax", secure=settings.environment == "production")


def _clip_minutes(project: Project, settings: Settings) -> int:
    return max(1, round((project.max_clip_s or settings.max_clip_s) / 60))


def _client_config(project: Project, settings: Settings, lang: str) -> str:
    """What contribute.js needs: endpoints, limits and every text it shows, in the page's language."""
    values = {"mb": settings.max_upload_mb, "minutes": _clip_minutes(project, settings), "zone": project.timezone,
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
        "moods": [{"value": m, "emoji": MOOD_EMOJI[m]} for m in MOODS],
        "text": {k: translate(k, lang, **values) for k in keys},
        "errors": [[fragment, translate(key, lang, **values)] for fragment, key in SERVER_ERRORS],
    }
    # "</" must not end the <script> block the JSON sits in
    return json.dumps(config, ensure_ascii=False).replace("</", "<\\/")


def _invite_context(project: Project, settings: Settings, request: Request, lang: str) -> dict[str, Any]:
    return {
        "project": project,
        "lang": lang,
        "max_mb": settings.max_upload_mb,
        "clip_minutes": _clip_minutes(project, settings),
        "scopes": allowed_scopes(project),
        "consent_text": contributors.consent_text(project, lang),
        "accept": ACCEPT,
        "csrf": csrf_token(request),
        "config": _client_config(project, settings, lang),
    }


def _project_or_page(request: Request, session: SessionDep, token: str) -> Project | HTMLResponse:
    """The invite's project, or the page saying the link is not valid (pages show errors as pages)."""
    try:
        return projects.project_by_invite(session=session, token=token)
    except NotFound:
        return _invalid_page(request, "invite")


def _invalid_page(request: Request, link: str) -> HTMLResponse:
    """A friendly 404 in the page's language (?lang=, cookie, Accept-Language): which link, and what to do."""
    return page(request, "contribute/invalid.html", {"link": link}, status_code=404)


@router.get("/c/{token}", response_class=HTMLResponse, responses=PAGE_ERRORS)
def invite_page(token: str, request: Request, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    """The invite page: what the day is about, consent, and the upload form."""
    project = _project_or_page(request, session, token)
    if isinstance(project, HTMLResponse):
        return project
    lang = pick_language(request, project.language)
    return page(request, "contribute/invite.html", _invite_context(project, settings, request, lang))


@router.post("/c/{token}", response_class=HTMLResponse, responses=PAGE_ERRORS)
def invite_post(
    token: str,
    request: Request,
    session: SessionDep,
    storage: StorageDep,
    settings: SettingsDep,
    file: UploadFile = File(...),
    caption: str = Form(""),
    captured_at: str | None = Form(None),
    tz: str | None = Form(None),
    mood: int | None = Form(None),
    alias: str = Form(""),
    role: str = Form(""),
    consent: bool = Form(False),
    consent_scope: str = Form("workshop"),
) -> HTMLResponse:
    """The same upload as the API, as a plain form post (no JavaScript needed)."""
    project = projects.project_by_invite(session=session, token=token)
    lang = pick_language(request, project.language)
    try:
        result = ingest_upload(
            session=session,
            storage=storage,
            settings=settings,
            project=project,
            source=file.file,
            fields=UploadFields(
                caption=caption, captured_at=parse_client_time(captured_at), tz=tz or None, mood=mood,
                alias=alias, role=role, consent=consent, consent_scope=consent_scope,
                original_name=file.filename or "",
            ),
            contributor_token=request.cookies.get(contributor_cookie_name(project.id)),
        )
    except ServiceError as err:
        ctx = {**_invite_context(project, settings, request, lang), "error": _in_language(err, lang),
               "caption": caption, "alias": alias}
        return page(request, "contribute/invite.html", ctx, status_code=err.status)
    contributor_token = result.contributor_token or request.cookies.get(contributor_cookie_name(project.id))
    response = page(request, "contribute/thanks.html", {
        "project": project, "moment": result.moment, "lang": lang,
        **_private_link(project.invite_token, contributor_token, settings),
    })
    if result.contributor_token:
        set_contributor_cookie(response, project.id, result.contributor_token, settings)
    return response


@router.get("/c/{token}/qr.png", response_class=Response)
def invite_qr_png(token: str, session: SessionDep, settings: SettingsDep) -> Response:
    """The invite link as a PNG QR code (slides, projection screen)."""
    png = contributors.invite_qr(session=session, token=token, base_url=settings.public_base_url, kind="png")
    return Response(png, media_type="image/png", headers=_qr_headers("png"))


@router.get("/c/{token}/qr.svg", response_class=Response)
def invite_qr_svg(token: str, session: SessionDep, settings: SettingsDep) -> Response:
    """The invite link as an SVG QR code (posters, print)."""
    svg = contributors.invite_qr(session=session, token=token, base_url=settings.public_base_url, kind="svg")
    return Response(svg, media_type="image/svg+xml", headers=_qr_headers("svg"))


def _qr_headers(ext: str) -> dict[str, str]:
    # inline, so it can be shown on a screen; the filename is used when someone saves it
    return {"Content-Disposition": f'inline; filename="dayreel-invite.{ext}"', "Cache-Control": "no-cache"}


# --- my moments --------------------------------------------------------------------------------------


@router.get("/c/{token}/me/{contributor_token}", **REDIRECT)
def open_private_link(
    token: str, contributor_token: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """The private link: remembers the contributor on this device, then shows their moments. A device that
    holds another contributor's cookie is asked first: a link never silently changes whose uploads follow."""
    try:
        link = contributors.open_private_link_on(
            session=session, token=token, contributor_token=contributor_token,
            cookie_token=lambda project_id: request.cookies.get(contributor_cookie_name(project_id)),
        )
    except NotFound:
        return _invalid_page(request, "private")
    project = link.project
    if link.current is not None:
        lang = pick_language(request, project.language)
        name = contributors.display_name(session=session, contributor=link.current)
        response: Response = page(request, "contribute/switch.html", {
            "project": project, "lang": lang, "csrf": csrf_token(request),
            "current_name": name or translate("switch.someone", lang),
            "switch_url": f"/c/{token}/me/{contributor_token}/switch",
        })
        response.headers["Cache-Control"] = "no-store"
    else:
        response = RedirectResponse(f"/c/{token}/me", status_code=303)
        set_contributor_cookie(response, project.id, contributor_token, settings)
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in this URL
    return response


@router.post("/c/{token}/me/{contributor_token}/switch")
def switch_private_link(
    token: str, contributor_token: str, request: Request, session: SessionDep, settings: SettingsDep,
) -> Response:
    """The contributor confirmed: this device now holds the private link's contributor."""
    try:
        project = contributors.open_private_link(session=session, token=token, contributor_token=contributor_token)
    except NotFound:
        return _invalid_page(request, "private")
    response = RedirectResponse(f"/c/{token}/me", status_code=303)
    set_contributor_cookie(response, project.id, contributor_token, settings)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _private_link(token: str, contributor_token: str | None, settings: Settings) -> dict[str, str | None]:
    if not contributor_token:
        return {"private_url": None, "private_full": None}
    path = f"/c/{token}/me/{contributor_token}"
    return {"private_url": path, "private_full": settings.public_base_url.rstrip("/") + path}


def _moment_view(m: Moment, zone: str) -> dict[str, Any]:
    # in the project's zone, as the upload page shows it (contribute.js fromServer)
    shown = shown_time(m.captured_local, m.utc_offset_min, zone)
    return {
        "id": m.id,
        "kind": m.kind,
        "thumb_url": media_url(m, "thumb") if m.thumb_key else None,
        "preparing": m.derive_status == "pending",
        "time_value": shown.strftime("%Y-%m-%dT%H:%M"),
        "time_text": shown.strftime("%d-%m-%Y %H:%M"),
        "time_confirmed": m.time_confirmed,
        "caption": m.caption,
        "mood": m.mood,
        "status": m.status,
        "name": m.original_name,
        "own_face_hidden": m.blur_own_face,
    }


@router.get("/c/{token}/me", response_class=HTMLResponse, responses=PAGE_ERRORS)
def my_moments_page(token: str, request: Request, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    """My moments: thumbnails, status; edit caption, time and mood; delete."""
    project = _project_or_page(request, session, token)
    if isinstance(project, HTMLResponse):
        return project
    lang = pick_language(request, project.language)
    contributor_token = request.cookies.get(contributor_cookie_name(project.id))
    moments = contributors.my_moments(session=session, project=project, contributor_token=contributor_token)
    response = page(request, "contribute/me.html", {
        "project": project,
        "lang": lang,
        "moments": [_moment_view(m, project.timezone) for m in moments],
        **_private_link(token, contributor_token if moments else None, settings),
        "csrf": csrf_token(request),
        "notice": {"saved": "me.updated", "deleted": "me.deleted"}.get(request.query_params.get("done", "")),
        "moods": [{"value": m, "emoji": MOOD_EMOJI[m]} for m in MOODS],
    })
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/c/{token}/me/moments/{moment_id}", **REDIRECT)
def my_moment_edit(
    token: str,
    moment_id: IdPath,
    request: Request,
    session: SessionDep,
    caption: str = Form(""),
    captured_local: str | None = Form(None),
    mood: int | None = Form(None),
) -> RedirectResponse:
    """Save caption, time and mood of one's own moment (plain form)."""
    project = projects.project_by_invite(session=session, token=token)
    contributor_token = request.cookies.get(contributor_cookie_name(project.id))
    moment = contributors.own_moment(session=session, project=project, contributor_token=contributor_token,
                                     moment_id=moment_id)
    try:
        contributors.update_own_moment(
            session=session, project=project, moment_id=moment_id, contributor_token=contributor_token,
            patch=contributors.OwnMomentPatch(caption=caption, captured_local=_form_time(captured_local, moment,
                                                                                         project.timezone),
                                              mood=mood),
        )
    except CaptureTimeOutOfRange as err:  # the page is in the contributor's language; so is its error
        raise Invalid(_in_language(err, pick_language(request, project.language))) from None
    return RedirectResponse(f"/c/{token}/me?done=saved#moment-{moment_id}", status_code=303)


def _in_language(err: ServiceError, lang: str) -> str:
    """The error's sentence in the page's language when it has a translation (a time far off), else as is."""
    key = getattr(err, "translation_key", None)
    return translate(key, lang) if key else err.message


def _form_time(value: str | None, moment: Moment, zone: str) -> datetime | None:
    """The form shows and takes wall-clock time in the project's zone. The time it showed comes back as the
    moment's own (naive) time, so saving it unchanged confirms it; a new one is placed in the project's zone."""
    wall = parse_client_time(value) if value else None
    if wall is None or wall.tzinfo is not None:
        return wall
    shown = shown_time(moment.captured_local, moment.utc_offset_min, zone)
    if wall.replace(second=0, microsecond=0) == shown.replace(second=0, microsecond=0):
        return moment.captured_local
    return in_project_zone(wall, zone)


@router.post("/c/{token}/me/moments/{moment_id}/own-face", **REDIRECT)
def my_moment_own_face(
    token: str, moment_id: IdPath, request: Request, session: SessionDep, hidden: bool = Form(...),
) -> RedirectResponse:
    """Ask for one's own face to be blurred in this moment too (or no longer)."""
    project = projects.project_by_invite(session=session, token=token)
    moment = contributors.own_moment(session=session, project=project, moment_id=moment_id,
                                     contributor_token=request.cookies.get(contributor_cookie_name(project.id)))
    faces.set_own_face(session=session, moment=moment, hidden=hidden)
    return RedirectResponse(f"/c/{token}/me?done=saved#moment-{moment_id}", status_code=303)


@router.post("/c/{token}/me/moments/{moment_id}/delete", **REDIRECT)
def my_moment_delete(
    token: str, moment_id: IdPath, request: Request, session: SessionDep, storage: StorageDep,
) -> RedirectResponse:
    """Delete one's own moment (plain form)."""
    project = projects.project_by_invite(session=session, token=token)
    contributors.delete_own_moment(
        session=session, storage=storage, project=project, moment_id=moment_id,
        contributor_token=request.cookies.get(contributor_cookie_name(project.id)),
    )
    return RedirectResponse(f"/c/{token}/me?done=deleted", status_code=303)


class OwnMomentUpdate(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False)

    caption: str | None = Field(None, max_length=500)
    captured_local: datetime | None = Field(
        None, description="Corrected time, ISO 8601; with an offset (e.g. +02:00) it also sets the UTC offset."
    )
    mood: int | None = Field(None, ge=1, le=5)
    alias: str | None = Field(None, max_length=100)
    role: str | None = None
    confirm_time: bool = Field(False, description="The contributor says the time shown is right.")


@router.get("/api/invites/{token}/me/moments", response_model=list[MomentPublic], tags=["api"])
def my_moments_api(token: str, request: Request, session: SessionDep) -> list[MomentPublic]:
    """The moments this contributor (cookie) shared in this project."""
    project = projects.project_by_invite(session=session, token=token)
    moments = contributors.my_moments(session=session, project=project,
                                      contributor_token=request.cookies.get(contributor_cookie_name(project.id)))
    return [MomentPublic.of(m) for m in moments]


@router.patch("/api/invites/{token}/me/moments/{moment_id}", response_model=MomentPublic, tags=["api"])
def my_moment_update_api(
    token: str, moment_id: IdPath, body: OwnMomentUpdate, request: Request, session: SessionDep
) -> MomentPublic:
    """Change caption, time, mood, name or role of one's own moment, or confirm its time."""
    project = projects.project_by_invite(session=session, token=token)
    moment = contributors.update_own_moment(
        session=session, project=project, moment_id=moment_id,
        contributor_token=request.cookies.get(contributor_cookie_name(project.id)),
        patch=contributors.OwnMomentPatch(**body.model_dump(exclude_unset=True)),
    )
    return MomentPublic.of(moment)


@router.delete("/api/invites/{token}/me/moments/{moment_id}", status_code=204, tags=["api"])
def my_moment_delete_api(
    token: str, moment_id: IdPath, request: Request, session: SessionDep, storage: StorageDep
) -> Response:
    """Delete one's own moment and its files."""
    project = projects.project_by_invite(session=session, token=token)
    contributors.delete_own_moment(
        session=session, storage=storage, project=project, moment_id=moment_id,
        contributor_token=request.cookies.get(contributor_cookie_name(project.id)),
    )
    return Response(status_code=204)
