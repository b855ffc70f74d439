"""Contributor pages: the invite (plain form without JavaScript, multi-file uploader with it), its QR code,
and "my moments" behind a private link. Their values come from app/services/contribute_view.py as plain data;
the JSON API the uploader uses for one's own moments is in contribute_api.py."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from app.client_time import parse_client_time
from app.config import Settings
from app.cookies import contributor_token_of, set_contributor_cookie
from app.deps import IdPath, SessionDep, SettingsDep, StorageDep, csrf_token
from app.error_models import API_ERRORS, PAGE_ERRORS
from app.i18n import pick_language, translate
from app.models import Project
from app.services import contribute_view, contributors, faces, projects
from app.services.errors import Invalid, NotFound, ServiceError
from app.services.ingest import UploadFields, ingest_upload
from app.services.moment_time import CaptureTimeOutOfRange
from app.web import page

router = APIRouter(tags=["contribute"], responses=API_ERRORS)

# plain-form routes answer 303 to the page that shows the result (or an error page)
REDIRECT: dict[str, Any] = {"status_code": 303, "response_class": RedirectResponse, "responses": PAGE_ERRORS}


def _invite_context(project: Project, settings: Settings, request: Request, lang: str) -> dict[str, Any]:
    return {**contribute_view.invite_values(project, settings, lang), "csrf": csrf_token(request)}


def _project_or_page(request: Request, session: SessionDep, token: str) -> Project | HTMLResponse:
    """The invite's project, or the page saying the link is not valid (pages show errors as pages)."""
    try:
        return projects.project_by_invite(session=session, token=token)
    except NotFound:
        return _invalid_page(request, "invite")


def _invalid_page(request: Request, link: str) -> HTMLResponse:
    """A friendly 404 in the page's language (?lang=, cookie, Accept-Language): which link, and what to do."""
    return page(request, "contribute/invalid.html", {"link": link}, status_code=404)


def _in_language(err: ServiceError, lang: str) -> str:
    """The error's sentence in the page's language when it has a translation (a time far off), else as is."""
    key = getattr(err, "translation_key", None)
    return translate(key, lang) if key else err.message


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
            contributor_token=contributor_token_of(request, project.id),
        )
    except ServiceError as err:
        ctx = {**_invite_context(project, settings, request, lang), "error": _in_language(err, lang),
               "caption": caption, "alias": alias}
        return page(request, "contribute/invite.html", ctx, status_code=err.status)
    contributor_token = result.contributor_token or contributor_token_of(request, project.id)
    response = page(request, "contribute/thanks.html", {
        "project": contribute_view.project_view(project), "lang": lang,
        **contribute_view.private_link(project.invite_token, contributor_token, settings),
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
            cookie_token=lambda project_id: contributor_token_of(request, project_id),
        )
    except NotFound:
        return _invalid_page(request, "private")
    project = link.project
    if link.current is not None:
        lang = pick_language(request, project.language)
        name = contributors.display_name(session=session, contributor=link.current)
        response: Response = page(request, "contribute/switch.html", {
            "project": contribute_view.project_view(project), "lang": lang, "csrf": csrf_token(request),
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


@router.get("/c/{token}/me", response_class=HTMLResponse, responses=PAGE_ERRORS)
def my_moments_page(token: str, request: Request, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    """My moments: thumbnails, status; edit caption, time and mood; delete."""
    project = _project_or_page(request, session, token)
    if isinstance(project, HTMLResponse):
        return project
    lang = pick_language(request, project.language)
    contributor_token = contributor_token_of(request, project.id)
    moments = contributors.my_moments(session=session, project=project, contributor_token=contributor_token)
    response = page(request, "contribute/me.html", {
        "project": contribute_view.project_view(project),
        "lang": lang,
        "moments": [contribute_view.moment_view(m, project.timezone) for m in moments],
        **contribute_view.private_link(token, contributor_token if moments else None, settings),
        "csrf": csrf_token(request),
        "notice": {"saved": "me.updated", "deleted": "me.deleted"}.get(request.query_params.get("done", "")),
        "moods": contribute_view.mood_choices(),
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
    contributor_token = contributor_token_of(request, project.id)
    moment = contributors.own_moment(session=session, project=project, contributor_token=contributor_token,
                                     moment_id=moment_id)
    try:
        contributors.update_own_moment(
            session=session, project=project, moment_id=moment_id, contributor_token=contributor_token,
            patch=contributors.OwnMomentPatch(
                caption=caption, captured_local=contribute_view.form_time(captured_local, moment, project.timezone),
                mood=mood),
        )
    except CaptureTimeOutOfRange as err:  # the page is in the contributor's language; so is its error
        raise Invalid(_in_language(err, pick_language(request, project.language))) from None
    return RedirectResponse(f"/c/{token}/me?done=saved#moment-{moment_id}", status_code=303)


@router.post("/c/{token}/me/moments/{moment_id}/own-face", **REDIRECT)
def my_moment_own_face(
    token: str, moment_id: IdPath, request: Request, session: SessionDep, hidden: bool = Form(...),
) -> RedirectResponse:
    """Ask for one's own face to be blurred in this moment too (or no longer)."""
    project = projects.project_by_invite(session=session, token=token)
    moment = contributors.own_moment(session=session, project=project, moment_id=moment_id,
                                     contributor_token=contributor_token_of(request, project.id))
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
        contributor_token=contributor_token_of(request, project.id),
    )
    return RedirectResponse(f"/c/{token}/me?done=deleted", status_code=303)
