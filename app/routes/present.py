"""Presentation mode for a projector: slideshow, collage, film, live wall, prompts and notes.

Staff open it signed in; anyone with the project's read-only present link opens /p/{token}, which
reaches this project's presentation, its approved moments' pictures and finished renders, and nothing else.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from app.deps import (
    MAX_DB_ID,
    CtxDep,
    CurrentStaff,
    CurrentStaffOptional,
    IdPath,
    SessionDep,
    SettingsDep,
    StorageDep,
    csrf_token,
)
from app.file_responses import Part, render_part, stored_file
from app.i18n import pick_language
from app.models import Project
from app.services import presentation, projects, themes, workshop
from app.staff_pages import member_project
from app.web import page

router = APIRouter(tags=["present"], include_in_schema=False)
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
AfterQuery = Annotated[int | None, Query(ge=0, le=MAX_DB_ID,
                                         description="Only moments with a higher id (default: from now on).")]
LimitQuery = Annotated[float, Query(gt=0, allow_inf_nan=False, description="Seconds before the stream ends.")]


class NoteIn(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False)

    body: str = Field(max_length=workshop.MAX_NOTE_CHARS)
    prompt: str = ""


def _show(request: Request, project: Project, links: presentation.Links, session: SessionDep, base_url: str,
          map_url: str, **extra: Any) -> HTMLResponse:
    language = pick_language(request, project.language)
    values = presentation.page_values(session=session, project=project, links=links, language=language,
                                      invite_url=projects.invite_url(base_url, project))
    values |= themes.present_values(session=session, project=project, map_url=map_url, render_url=links.render_file)
    return page(request, "present/show.html", {**values, **extra, "lang": language})


def _stream(request: Request, ctx: CtxDep, session: Session, project: Project, links: presentation.Links,
            start: str | None, after: int | None, limit_s: float) -> StreamingResponse:
    # the stream opens its own short sessions; the request's goes back to the pool now, not in 5 minutes
    project_id, language = project.id, pick_language(request, project.language)
    presentation.check_cursor(start)  # refused now, as a 422, not half-way through the stream
    session.close()
    events = presentation.wall_events(
        sessions=ctx.sessions, project_id=project_id, links=links, language=language, start=start, after_id=after,
        disconnected=request.is_disconnected, limit_s=max(1.0, min(limit_s, 300.0)))
    return StreamingResponse(events, media_type="text/event-stream", headers=SSE_HEADERS)


@router.get("/staff/projects/{project_id}/present", response_class=HTMLResponse)
def staff_present(project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional,
                  settings: SettingsDep) -> HTMLResponse:
    """The presentation, for signed-in staff: notes can be typed."""
    user, project = member_project(request, session, user, project_id)
    return _show(request, project, presentation.Links.staff(project.id), session, settings.public_base_url,
                 f"/staff/projects/{project.id}/themes/map.png", can_write=True, csrf=csrf_token(request))


@router.get("/staff/projects/{project_id}/present/media/{moment_id}/{digest}/{variant}")
def staff_present_media(project_id: IdPath, moment_id: IdPath, digest: str, variant: str, request: Request,
                        session: SessionDep, storage: StorageDep, user: CurrentStaff) -> Response:
    """A picture on the staff's wall: as the present link shows it (faces blurred as the policy says)."""
    project = projects.project_for(session=session, user=user, project_id=project_id)
    key, media_type = presentation.moment_file_key(session=session, storage=storage, project=project,
                                                   moment_id=moment_id, digest=digest, variant=variant)
    return stored_file(request, storage, key, media_type=media_type, headers={"Cache-Control": "private, max-age=3600"})


@router.get("/staff/projects/{project_id}/present/events")
def staff_events(project_id: IdPath, request: Request, ctx: CtxDep, session: SessionDep, user: CurrentStaff,
                 since: str | None = None, after: AfterQuery = None, limit_s: LimitQuery = 300.0,
                 last_event_id: str | None = Header(None)) -> StreamingResponse:
    """The live wall's event stream (server-sent events) for staff."""
    project = projects.project_for(session=session, user=user, project_id=project_id)
    return _stream(request, ctx, session, project, presentation.Links.staff(project.id), last_event_id or since,
                   after, limit_s)


@router.post("/staff/projects/{project_id}/notes", status_code=201)
def add_note(project_id: IdPath, body: NoteIn, session: SessionDep, user: CurrentStaff) -> dict[str, object]:
    """Save what the room answered to the prompt on screen (a signed-in session sends its X-CSRF-Token)."""
    project = projects.project_for(session=session, user=user, project_id=project_id)
    note = workshop.add_note(session=session, project=project, body=body.body, prompt=body.prompt, user=user)
    return workshop.note_dict(note)


@router.post("/staff/projects/{project_id}/notes/{note_id}/delete")
def delete_note(project_id: IdPath, note_id: IdPath, request: Request, session: SessionDep,
                user: CurrentStaffOptional) -> RedirectResponse:
    """Remove a note typed by mistake."""
    user, project = member_project(request, session, user, project_id)
    workshop.delete_note(session=session, project=project, note_id=note_id)
    return RedirectResponse(f"/staff/projects/{project_id}/settings#notes", status_code=303)


@router.get("/p/{token}", response_class=HTMLResponse)
def public_present(token: str, request: Request, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    """The presentation through its read-only link (no sign-in; notes are shown, not typed)."""
    project = presentation.project_by_present_token(session=session, token=token)
    return _show(request, project, presentation.Links.public(token), session, settings.public_base_url,
                 f"/p/{token}/themes/map.png", can_write=False)


@router.get("/p/{token}/events")
def public_events(token: str, request: Request, ctx: CtxDep, session: SessionDep, since: str | None = None,
                  after: AfterQuery = None, limit_s: LimitQuery = 300.0,
                  last_event_id: str | None = Header(None)) -> StreamingResponse:
    """The live wall's event stream through the read-only link."""
    project = presentation.project_by_present_token(session=session, token=token)
    return _stream(request, ctx, session, project, presentation.Links.public(token), last_event_id or since, after,
                   limit_s)


@router.get("/p/{token}/themes/map.png")
def public_themes_map(token: str, session: SessionDep, storage: StorageDep) -> Response:
    """The live themes map through the read-only link."""
    project = presentation.project_by_present_token(session=session, token=token)
    return Response(themes.live_map_png(session=session, storage=storage, project=project), media_type="image/png",
                    headers={"Cache-Control": "private, max-age=300"})


@router.get("/p/{token}/media/{moment_id}/{digest}/{variant}")
def public_media(token: str, moment_id: IdPath, digest: str, variant: str, session: SessionDep,
                 storage: StorageDep, request: Request) -> Response:
    """An approved moment's thumbnail or preview, through the read-only link."""
    project = presentation.project_by_present_token(session=session, token=token)
    key, media_type = presentation.moment_file_key(session=session, storage=storage, project=project,
                                                   moment_id=moment_id, digest=digest, variant=variant)
    return stored_file(request, storage, key, media_type=media_type,
                       headers={"Cache-Control": "private, max-age=3600"})


@router.get("/p/{token}/renders/{render_id}/{part}")
def public_render(token: str, render_id: IdPath, part: Part, request: Request, session: SessionDep,
                  storage: StorageDep) -> Response:
    """A finished film (HTTP Range), its poster and captions, or a collage, through the read-only link."""
    project = presentation.project_by_present_token(session=session, token=token)
    render = presentation.render_of(session=session, project=project, render_id=render_id)
    return render_part(request, render, storage, part)
