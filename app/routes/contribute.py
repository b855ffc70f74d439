"""Contributor pages: the invite page with a plain form that works without JavaScript."""

from __future__ import annotations

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from app.deps import SessionDep, SettingsDep, StorageDep
from app.routes.api import contributor_cookie_name, parse_client_time
from app.services import projects
from app.services.errors import NotFound, ServiceError
from app.services.ingest import UploadFields, ingest_upload
from app.web import page

router = APIRouter(tags=["contribute"])


def _invite_context(project: projects.Project, settings: SettingsDep) -> dict[str, object]:
    return {"project": project, "max_mb": settings.max_upload_mb}


@router.get("/c/{token}", response_class=HTMLResponse)
def invite_page(token: str, request: Request, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    """The invite page: what the day is about, consent, and the upload form."""
    try:
        project = projects.project_by_invite(session=session, token=token)
    except NotFound as err:
        return page(request, "contribute/invalid.html", {"message": err.message}, status_code=404)
    return page(request, "contribute/invite.html", _invite_context(project, settings), default_lang=project.language)


@router.post("/c/{token}", response_class=HTMLResponse)
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
) -> HTMLResponse:
    """The same upload as the API, as a plain form post (no JavaScript needed)."""
    project = projects.project_by_invite(session=session, token=token)
    cookie = contributor_cookie_name(project.id)
    try:
        result = ingest_upload(
            session=session,
            storage=storage,
            settings=settings,
            project=project,
            source=file.file,
            fields=UploadFields(
                caption=caption, captured_at=parse_client_time(captured_at), tz=tz or None, mood=mood,
                alias=alias, role=role, consent=consent, original_name=file.filename or "",
            ),
            contributor_token=request.cookies.get(cookie),
        )
    except ServiceError as err:
        ctx = {**_invite_context(project, settings), "error": err.message, "caption": caption, "alias": alias}
        return page(request, "contribute/invite.html", ctx, status_code=err.status, default_lang=project.language)
    response = page(request, "contribute/thanks.html", {"project": project, "moment": result.moment},
                    default_lang=project.language)
    if result.contributor_token:
        response.set_cookie(cookie, result.contributor_token, max_age=180 * 86400, httponly=True, samesite="lax",
                            secure=settings.environment == "production")
    return response
