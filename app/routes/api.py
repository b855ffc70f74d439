"""The REST API: contributor uploads by invite token; staff endpoints by bearer token or session."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Body, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import PlainTextResponse

from app.client_time import parse_client_time
from app.cookies import contributor_token_of, set_contributor_cookie
from app.deps import CurrentStaff, IdPath, SessionDep, SettingsDep, StorageDep
from app.error_models import API_ERRORS
from app.file_responses import Part, render_part
from app.schemas import MomentPublic, MomentUpdate, ProjectCreate, ProjectPublic, RenderPublic
from app.services import curation, moment_pages, projects, render_store, rendering, staff_access, themes
from app.services.ingest import UploadFields, ingest_upload

router = APIRouter(prefix="/api", tags=["api"], responses=API_ERRORS)


@router.post("/invites/{token}/moments", status_code=201, response_model=MomentPublic)
def upload_moment(
    token: str,
    request: Request,
    response: Response,
    session: SessionDep,
    storage: StorageDep,
    settings: SettingsDep,
    file: UploadFile = File(..., description="A photo (JPEG, PNG, HEIC, WebP) or clip (MP4, MOV, WebM)."),
    caption: str = Form(""),
    captured_at: str | None = Form(None, description="ISO 8601 with offset, e.g. the file's lastModified."),
    tz: str | None = Form(None, description="IANA time zone of the contributor's device."),
    mood: int | None = Form(None, ge=1, le=5),
    alias: str = Form(""),
    role: str = Form(""),
    consent: bool = Form(False),
    consent_scope: str = Form("workshop"),
) -> MomentPublic:
    """Upload one moment through an invite link (no login: the token is the key)."""
    project = projects.project_by_invite(session=session, token=token)
    fields = UploadFields(
        caption=caption,
        captured_at=parse_client_time(captured_at),
        tz=tz or None,
        mood=mood,
        alias=alias,
        role=role,
        consent=consent,
        consent_scope=consent_scope,
        original_name=file.filename or "",
    )
    result = ingest_upload(
        session=session,
        storage=storage,
        settings=settings,
        project=project,
        source=file.file,
        fields=fields,
        contributor_token=contributor_token_of(request, project.id),
    )
    if result.contributor_token:
        set_contributor_cookie(response, project.id, result.contributor_token, settings)
    if not result.created:
        response.status_code = 200
    return MomentPublic.of(result.moment)


@router.get("/projects", response_model=list[ProjectPublic])
def list_projects(session: SessionDep, user: CurrentStaff, settings: SettingsDep) -> list[ProjectPublic]:
    """Projects this staff member belongs to (all, for admins)."""
    rows = projects.projects_for(session=session, user=user)
    counts = projects.moment_counts(session=session, projects=rows)
    return [ProjectPublic.of(p, settings.public_base_url, moment_count=counts[p.id]) for p in rows]


@router.post("/projects", status_code=201, response_model=ProjectPublic)
def create_project(
    body: ProjectCreate, session: SessionDep, user: CurrentStaff, settings: SettingsDep
) -> ProjectPublic:
    """Create a project (one day) and its invite link."""
    project = projects.create_project(
        session=session,
        title=body.title,
        day=body.date,
        timezone=body.timezone,
        language=body.language,
        consent_text=body.consent_text,
        welcome_text=body.welcome_text,
        owner=user,
    )
    return ProjectPublic.of(project, settings.public_base_url, moment_count=0)


@router.get("/projects/{project_id}/moments", response_model=list[MomentPublic])
def list_moments(
    project_id: IdPath, request: Request, response: Response, session: SessionDep, user: CurrentStaff,
    limit: int = Query(moment_pages.DEFAULT_LIMIT, ge=1, le=moment_pages.MAX_LIMIT,
                       description="Moments per page (at most 1000)."),
    cursor: str = Query("", max_length=100, description="From the `Link: <...>; rel=\"next\"` header of the page "
                        "before; empty for the first page."),
    status: Literal["", "pending", "approved", "hidden"] = "",
    role: Literal["", "customer", "employee"] = "",
    hour: int | None = Query(None, ge=0, le=23, description="Local hour of the day (0-23)."),
) -> list[MomentPublic]:
    """A page of a project's moments in time-of-day order; a `Link` header names the next page."""
    project = projects.project_for(session=session, user=user, project_id=project_id)
    found = moment_pages.moment_page(session=session, project=project, limit=limit, cursor=cursor,
                                     wanted=moment_pages.MomentFilter(status=status, role=role, hour=hour))
    if found.next_cursor:
        query = urlencode({**dict(request.query_params), "limit": limit, "cursor": found.next_cursor})
        response.headers["Link"] = f'<{request.url.replace(query=query)}>; rel="next"'
    return [MomentPublic.of(m) for m in found.moments]


@router.patch("/moments/{moment_id}", response_model=MomentPublic)
def update_moment(moment_id: IdPath, body: MomentUpdate, session: SessionDep, user: CurrentStaff) -> MomentPublic:
    """Approve or hide, correct time or caption, set mood, trim a clip."""
    moment = staff_access.moment_for(session=session, user=user, moment_id=moment_id)
    patch = curation.MomentPatch(**body.model_dump(exclude_unset=True))
    return MomentPublic.of(curation.update_moment(session=session, moment=moment, patch=patch))


def _request_render(
    kind: str, project_id: IdPath, options: dict[str, Any], session: SessionDep, user: CurrentStaff
) -> RenderPublic:
    project = projects.project_for(session=session, user=user, project_id=project_id)
    render = rendering.request_render(session=session, project=project, kind=kind, options=options, user=user)
    return RenderPublic.of(render)


@router.post("/projects/{project_id}/films", status_code=202, response_model=RenderPublic)
def request_film(
    project_id: IdPath, session: SessionDep, user: CurrentStaff, options: dict[str, Any] = Body(default_factory=dict)
) -> RenderPublic:
    """Queue a film of the approved moments (options: size, fps, target_length_s, chapters, ...)."""
    return _request_render("film", project_id, options, session, user)


@router.post("/projects/{project_id}/collages", status_code=202, response_model=RenderPublic)
def request_collage(
    project_id: IdPath, session: SessionDep, user: CurrentStaff, options: dict[str, Any] = Body(default_factory=dict)
) -> RenderPublic:
    """Queue a collage of the approved moments (options: layout, size, format, ...)."""
    return _request_render("collage", project_id, options, session, user)


@router.post("/projects/{project_id}/theme-maps", status_code=202, response_model=RenderPublic)
def request_theme_map(
    project_id: IdPath, session: SessionDep, user: CurrentStaff, options: dict[str, Any] = Body(default_factory=dict)
) -> RenderPublic:
    """Queue the themes map (options: size, format png/jpg/svg/pdf, photos 2-4, quotes); themes are found first
    when the project has none yet."""
    return _request_render("themes", project_id, options, session, user)


@router.get("/projects/{project_id}/themes")
def list_themes(project_id: IdPath, session: SessionDep, user: CurrentStaff) -> dict[str, Any]:
    """The project's themes as staff left them: name, moments, mean mood, hours, customer/employee split."""
    project = projects.project_for(session=session, user=user, project_id=project_id)
    return themes.themes_json(session=session, project=project)


@router.get("/renders/{render_id}", response_model=RenderPublic)
def get_render(render_id: IdPath, session: SessionDep, user: CurrentStaff) -> RenderPublic:
    """Status, progress (0-100) and error of a render."""
    return RenderPublic.of(staff_access.render_for(session=session, user=user, render_id=render_id))


@router.post("/renders/{render_id}/cancel", response_model=RenderPublic)
def cancel_render(render_id: IdPath, session: SessionDep, user: CurrentStaff) -> RenderPublic:
    """Stop a queued or running render."""
    render = staff_access.render_for(session=session, user=user, render_id=render_id)
    return RenderPublic.of(rendering.cancel_render(session=session, render=render))


@router.get("/renders/{render_id}/log", responses={
    200: {"description": "The log, one line per event.", "content": {"text/plain": {"schema": {"type": "string"}}}}})
def render_log(render_id: IdPath, session: SessionDep, user: CurrentStaff, storage: StorageDep) -> PlainTextResponse:
    """The render's whole log as text (a long one lives in storage; `log` in the render has its end)."""
    render = staff_access.render_for(session=session, user=user, render_id=render_id)
    return PlainTextResponse(render_store.full_log(storage, render))


def _render_part(
    render_id: IdPath, part: Part, request: Request, session: SessionDep, user: CurrentStaff, storage: StorageDep
) -> Response:
    return render_part(request, staff_access.render_for(session=session, user=user, render_id=render_id), storage,
                       part)


@router.get("/renders/{render_id}/file")
def render_file(render_id: IdPath, request: Request, session: SessionDep, user: CurrentStaff,
                storage: StorageDep) -> Response:
    """The film or collage file (HTTP Range supported)."""
    return _render_part(render_id, "file", request, session, user, storage)


@router.get("/renders/{render_id}/poster")
def render_poster(render_id: IdPath, request: Request, session: SessionDep, user: CurrentStaff,
                  storage: StorageDep) -> Response:
    """The film's poster image."""
    return _render_part(render_id, "poster", request, session, user, storage)


@router.get("/renders/{render_id}/captions")
def render_captions(render_id: IdPath, request: Request, session: SessionDep, user: CurrentStaff,
                    storage: StorageDep) -> Response:
    """The film's captions as WebVTT."""
    return _render_part(render_id, "captions", request, session, user, storage)
