"""A project's settings: texts, prompts, brand, logo, open/closed, tokens, QR, members, export and delete."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from app.deps import CurrentStaffOptional, IdPath, SessionDep, SettingsDep, StorageDep
from app.file_responses import stored_file
from app.services import export, page_views, project_settings, projects, quotas, staff_admin, workshop
from app.services.errors import NotFound
from app.services.qr import qr_png, qr_svg
from app.staff_pages import member_project, staff_ctx
from app.web import page

router = APIRouter()


def _back(project_id: int, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/staff/projects/{project_id}/settings{anchor}", status_code=303)


@router.get("/projects/{project_id}/settings", response_class=HTMLResponse)
def settings_page(
    project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional, settings: SettingsDep,
) -> HTMLResponse:
    """Edit the project; open or close it; rotate its links; manage members."""
    user, project = member_project(request, session, user, project_id)
    base = settings.public_base_url.rstrip("/")
    return page(request, "staff/settings.html", staff_ctx(
        request, user, project=project, invite_url=projects.invite_url(base, project),
        present_url=f"{base}/p/{project.present_token}" if project.present_token else None,
        prompts="\n".join((project.settings or {}).get("prompts") or []),
        default_prompts=workshop.prompts_of(project), has_logo=bool(project_settings.logo_key(project)),
        has_music=bool(project_settings.music_key(project)), limits=quotas.quotas_of(project),
        members=page_views.staff_views(staff_admin.members_of(session=session, project=project)),
        notes=[workshop.note_dict(n) for n in workshop.notes_of(session=session, project=project)],
    ))


@router.post("/projects/{project_id}/settings")
def save_settings(
    project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional,
    title: str = Form(...), day: date = Form(...), timezone: str = Form(...), language: str = Form("en"),
    welcome_text: str = Form(""), consent_text: str = Form(""), prompts: str = Form(""),
    brand_color: str = Form("#E4572E"), auto_approve: bool = Form(False), keep_gps: bool = Form(False),
) -> RedirectResponse:
    """Save the settings form (a changed consent text gets a new version)."""
    _user, project = member_project(request, session, user, project_id)
    project_settings.update_project(session=session, project=project, edit=project_settings.ProjectEdit(
        title=title, day=day, timezone=timezone, language=language, welcome_text=welcome_text,
        consent_text=consent_text, prompts_text=prompts, brand_color=brand_color, auto_approve=auto_approve,
        keep_gps=keep_gps))
    return RedirectResponse(f"/staff/projects/{project_id}/settings?saved=1", status_code=303)


@router.post("/projects/{project_id}/logo")
def upload_logo(
    project_id: IdPath, request: Request, session: SessionDep, storage: StorageDep, user: CurrentStaffOptional,
    logo: UploadFile = File(...),
) -> RedirectResponse:
    """Store the brand logo (PNG, JPEG or WebP) under a content-addressed key."""
    _user, project = member_project(request, session, user, project_id)
    project_settings.set_logo(session=session, storage=storage, project=project, source=logo.file)
    return _back(project_id, "#brand")


@router.post("/projects/{project_id}/music")
def upload_music(
    project_id: IdPath, request: Request, session: SessionDep, storage: StorageDep, user: CurrentStaffOptional,
    music: UploadFile = File(...),
) -> RedirectResponse:
    """Store the project's music bed for films."""
    _user, project = member_project(request, session, user, project_id)
    project_settings.set_music(session=session, storage=storage, project=project, source=music.file)
    return _back(project_id, "#music")


@router.get("/projects/{project_id}/logo")
def logo(project_id: IdPath, request: Request, session: SessionDep, storage: StorageDep,
         user: CurrentStaffOptional) -> Response:
    """The project's logo, for its staff."""
    _user, project = member_project(request, session, user, project_id)
    key = project_settings.logo_key(project)
    if key is None:
        raise NotFound("this project has no logo")
    return stored_file(request, storage, key)


@router.post("/projects/{project_id}/contributions")
def open_or_close(project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional,
                  open: bool = Form(...)) -> RedirectResponse:
    """Close (or reopen) the invite for new moments."""
    _user, project = member_project(request, session, user, project_id)
    project_settings.set_contributions_open(session=session, project=project, is_open=open)
    return _back(project_id, "#links")


@router.post("/projects/{project_id}/limits")
def save_limits(project_id: int, request: Request, session: SessionDep, user: CurrentStaffOptional,
                contributor_moments: str = Form(""), contributor_gb: str = Form(""), project_moments: str = Form(""),
                project_gb: str = Form("")) -> RedirectResponse:
    """Moments and bytes one contributor, and the whole invite, may send."""
    _user, project = member_project(request, session, user, project_id)
    quotas.set_quotas(session=session, project=project, quotas=quotas.parse_form(
        contributor_moments=contributor_moments, contributor_gb=contributor_gb, project_moments=project_moments,
        project_gb=project_gb))
    return RedirectResponse(f"/staff/projects/{project_id}/settings?saved=1#limits", status_code=303)


@router.post("/projects/{project_id}/invite/rotate")
def rotate_invite(project_id: IdPath, request: Request, session: SessionDep,
                  user: CurrentStaffOptional) -> RedirectResponse:
    """A new invite link; the old one stops working."""
    _user, project = member_project(request, session, user, project_id)
    projects.rotate_invite(session=session, project=project)
    return _back(project_id, "#links")


@router.post("/projects/{project_id}/present-link")
def present_link(project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional,
                 action: str = Form(...)) -> RedirectResponse:
    """Make a new read-only presentation link (the old one stops working), or switch it off."""
    _user, project = member_project(request, session, user, project_id)
    if action == "revoke":
        project_settings.revoke_present_token(session=session, project=project)
    else:
        project_settings.rotate_present_token(session=session, project=project)
    return _back(project_id, "#links")


@router.get("/projects/{project_id}/qr.{fmt}")
def invite_qr(project_id: IdPath, fmt: str, request: Request, session: SessionDep, user: CurrentStaffOptional,
              settings: SettingsDep) -> Response:
    """The invite QR code to download, as PNG (screens, slides) or SVG (print)."""
    _user, project = member_project(request, session, user, project_id)
    url = projects.invite_url(settings.public_base_url, project)
    name = f'attachment; filename="dayreel-invite-{project.id}.{fmt}"'
    if fmt == "png":
        return Response(qr_png(url, scale=20), media_type="image/png", headers={"Content-Disposition": name})
    if fmt == "svg":
        return Response(qr_svg(url), media_type="image/svg+xml", headers={"Content-Disposition": name})
    raise NotFound("the QR code comes as qr.png or qr.svg")


@router.post("/projects/{project_id}/members")
def add_member(project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional,
               email: str = Form(...)) -> RedirectResponse:
    """Give another staff member access to this project."""
    _user, project = member_project(request, session, user, project_id)
    staff_admin.add_member(session=session, project=project, email=email)
    return _back(project_id, "#members")


@router.post("/projects/{project_id}/members/{member_id}/remove")
def remove_member(project_id: IdPath, member_id: IdPath, request: Request, session: SessionDep,
                  user: CurrentStaffOptional) -> RedirectResponse:
    """Take a staff member off this project."""
    _user, project = member_project(request, session, user, project_id)
    staff_admin.remove_member(session=session, project=project, user_id=member_id)
    return _back(project_id, "#members")


@router.get("/projects/{project_id}/export.zip")
def export_zip(project_id: IdPath, request: Request, session: SessionDep, storage: StorageDep,
               user: CurrentStaffOptional) -> StreamingResponse:
    """Everything of the project as one zip, streamed: originals, metadata and consents, notes, renders."""
    _user, project = member_project(request, session, user, project_id)
    plan = export.export_plan(session=session, project=project)
    return StreamingResponse(export.stream_zip(plan, storage=storage), media_type="application/zip",
                             headers={"Content-Disposition": f'attachment; filename="{plan.filename}"'})


@router.get("/projects/{project_id}/delete", response_class=HTMLResponse)
def delete_page(project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional) -> HTMLResponse:
    """Confirm before deleting a project and all its files."""
    user, project = member_project(request, session, user, project_id)
    counts = projects.moment_counts(session=session, projects=[project])
    return page(request, "staff/delete.html",
                staff_ctx(request, user, project=project, moment_count=counts[project.id]))


@router.post("/projects/{project_id}/delete")
def delete(project_id: IdPath, request: Request, session: SessionDep, storage: StorageDep,
           user: CurrentStaffOptional, confirm_title: str = Form("")) -> RedirectResponse:
    """Delete the project: its rows, and the files no other project shares."""
    _user, project = member_project(request, session, user, project_id)
    export.delete_project(session=session, storage=storage, project=project, confirm_title=confirm_title)
    return RedirectResponse("/staff?deleted=1", status_code=303)
