"""The themes page: staff edit the themes of the day beside the live themes map."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.deps import CurrentStaffOptional, IdPath, SessionDep, StorageDep
from app.services import themes
from app.staff_pages import member_project, staff_ctx
from app.web import page

router = APIRouter()


def _back(project_id: int, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/staff/projects/{project_id}/themes{anchor}", status_code=303)


@router.get("/projects/{project_id}/themes", response_class=HTMLResponse)
def themes_page(project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional) -> HTMLResponse:
    """The themes (found on first look), their moments and suggestions, beside the live map."""
    user, project = member_project(request, session, user, project_id)
    return page(request, "staff/themes.html", staff_ctx(
        request, user, project=project, **themes.staff_values(session=session, project=project)))


@router.get("/projects/{project_id}/themes/map.png")
def live_map(project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional,
             storage: StorageDep, scope: str | None = None) -> Response:
    """The themes map as staff left it, drawn now (small, from thumbnails); `scope` narrows it by consent."""
    user, project = member_project(request, session, user, project_id)
    png = themes.live_map_png(session=session, storage=storage, project=project, scope=scope)
    return Response(png, media_type="image/png",
                    headers={"Cache-Control": "private, max-age=300"})


@router.post("/projects/{project_id}/themes/extract")
def extract(project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional) -> RedirectResponse:
    """Look for themes again: new moments are suggested for the themes staff have; nothing they decided moves."""
    user, project = member_project(request, session, user, project_id)
    themes.run_extraction(session=session, project=project)
    return _back(project_id, "#suggestions")


@router.post("/projects/{project_id}/themes/reset")
def reset(project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional,
          confirm: str = Form("")) -> RedirectResponse:
    """Start over: forget every theme and edit, and find themes anew (only with the box ticked)."""
    user, project = member_project(request, session, user, project_id)
    if confirm == "yes":
        themes.reset_themes(session=session, project=project)
    return _back(project_id)


@router.post("/projects/{project_id}/themes/add")
def add(project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional,
        name: str = Form(""), moment_ids: list[int] = Form([])) -> RedirectResponse:
    """A theme made by hand, or from a candidate with its moments."""
    user, project = member_project(request, session, user, project_id)
    theme = themes.add_theme(session=session, project=project, name=name, moment_ids=list(moment_ids))
    return _back(project_id, f"#theme-{theme.id}")


@router.post("/projects/{project_id}/themes/{theme_id}/rename")
def rename(project_id: IdPath, theme_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional,
           name: str = Form("")) -> RedirectResponse:
    """Give a theme the name the room uses."""
    user, project = member_project(request, session, user, project_id)
    themes.rename_theme(session=session, project=project, theme_id=theme_id, name=name)
    return _back(project_id, f"#theme-{theme_id}")


@router.post("/projects/{project_id}/themes/{theme_id}/merge")
def merge(project_id: IdPath, theme_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional,
          into: int = Form(0)) -> RedirectResponse:
    """Put every moment of this theme into another one."""
    user, project = member_project(request, session, user, project_id)
    target = themes.merge_themes(session=session, project=project, theme_id=theme_id, into_id=into)
    return _back(project_id, f"#theme-{target.id}")


@router.post("/projects/{project_id}/themes/{theme_id}/split")
def split(project_id: IdPath, theme_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional,
          name: str = Form(""), moment_ids: list[int] = Form([])) -> RedirectResponse:
    """The ticked moments become a theme of their own."""
    user, project = member_project(request, session, user, project_id)
    theme = themes.split_theme(session=session, project=project, theme_id=theme_id, moment_ids=list(moment_ids),
                               name=name)
    return _back(project_id, f"#theme-{theme.id}")


@router.post("/projects/{project_id}/themes/{theme_id}/remove")
def remove(project_id: IdPath, theme_id: IdPath, request: Request, session: SessionDep,
           user: CurrentStaffOptional) -> RedirectResponse:
    """Remove a theme; its moments are in none until staff place them."""
    user, project = member_project(request, session, user, project_id)
    themes.remove_theme(session=session, project=project, theme_id=theme_id)
    return _back(project_id)


@router.post("/projects/{project_id}/themes/move")
def move(project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional,
         moment_id: int = Form(0), theme_id: str = Form("")) -> RedirectResponse:
    """Move a moment to another theme, or to none."""
    user, project = member_project(request, session, user, project_id)
    target = int(theme_id) if theme_id.isdigit() else None
    themes.move_moment(session=session, project=project, moment_id=moment_id, theme_id=target)
    return _back(project_id, f"#theme-{target}" if target else "#unthemed")


@router.post("/projects/{project_id}/themes/accept")
def accept(project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional,
           moment_id: int | None = Form(None)) -> RedirectResponse:
    """Accept one suggested moment, or all of them."""
    user, project = member_project(request, session, user, project_id)
    themes.accept_suggestions(session=session, project=project, moment_id=moment_id)
    return _back(project_id, "#suggestions")
