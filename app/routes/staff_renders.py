"""Films and collages: the builders (with a plan preview), past renders, the watch page, the lanes view."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app.deps import CurrentStaffOptional, IdPath, SessionDep
from app.models import User
from app.services import builder, coverage, project_settings, projects, rendering, staff_access
from app.services.errors import ServiceError
from app.staff_pages import member_project, staff_ctx, staff_or_redirect
from app.web import page

router = APIRouter()


async def builder_form(request: Request) -> dict[str, str]:
    """The builder forms have many optional fields; they are read as plain strings and parsed by the service.
    Only this reading is async (it awaits the body): the routes that take it are plain `def`, so their
    database work runs in the threadpool, not on the event loop."""
    return {k: str(v) for k, v in (await request.form()).items()}


BuilderForm = Annotated[dict[str, str], Depends(builder_form)]


def _film_page(request: Request, session: SessionDep, user: User, project_id: IdPath, form: dict[str, str],
               preview: bool) -> HTMLResponse:
    project = projects.project_for(session=session, user=user, project_id=project_id)
    plan, plan_error = None, None
    if preview:
        try:
            plan = builder.film_plan_preview(session=session, project=project,
                                             options=builder.film_options_from_form(
                                                 form, music_key=project_settings.music_key(project)))
        except ServiceError as err:  # shown beside the form, which keeps what was typed
            plan_error = err.message
    return page(request, "staff/film.html", staff_ctx(
        request, user, project=project, values=builder.form_values(form), plan=plan, plan_error=plan_error,
        has_music=bool(project_settings.music_key(project)),
        renders=builder.past_renders(session=session, project=project, kind="film"),
    ), status_code=422 if plan_error else 200)


@router.get("/projects/{project_id}/film", response_class=HTMLResponse)
def film_builder(project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional) -> HTMLResponse:
    """The film options form with sensible defaults, and past films."""
    user = staff_or_redirect(request, user)
    return _film_page(request, session, user, project_id, {}, preview=False)


@router.post("/projects/{project_id}/film/preview", response_class=HTMLResponse)
def film_preview(project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional,
                 form: BuilderForm) -> HTMLResponse:
    """The plan these options make (chapters, order, length, cuts): built now, nothing is decoded."""
    user = staff_or_redirect(request, user)
    return _film_page(request, session, user, project_id, form, preview=True)


@router.post("/projects/{project_id}/films")
def start_film(
    project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional, form: BuilderForm,
) -> RedirectResponse:
    """Queue a film with the options from the form."""
    user, project = member_project(request, session, user, project_id)
    render = rendering.request_render(session=session, project=project, kind="film",
                                      options=builder.film_options_from_form(
                                          form, music_key=project_settings.music_key(project)), user=user)
    return RedirectResponse(f"/staff/renders/{render.id}", status_code=303)


@router.get("/projects/{project_id}/collage", response_class=HTMLResponse)
def collage_builder(
    project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional
) -> HTMLResponse:
    """The collage options form and past collages with their downloads."""
    user, project = member_project(request, session, user, project_id)
    return page(request, "staff/collage.html", staff_ctx(
        request, user, project=project, sizes=builder.COLLAGE_SIZES, formats=builder.COLLAGE_FORMATS,
        renders=builder.past_renders(session=session, project=project, kind="collage"),
    ))


@router.post("/projects/{project_id}/collages")
def start_collage(
    project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional, form: BuilderForm,
) -> RedirectResponse:
    """Queue the collage and, alongside, a small PNG preview that is ready first."""
    user, project = member_project(request, session, user, project_id)
    main, preview = builder.request_collage_with_preview(
        session=session, project=project, options=builder.collage_options_from_form(form), user=user)
    suffix = f"?preview={preview.id}" if preview else ""
    return RedirectResponse(f"/staff/renders/{main.id}{suffix}", status_code=303)


@router.get("/renders/{render_id}", response_class=HTMLResponse)
def watch_page(
    render_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional, preview: int = 0,
) -> HTMLResponse:
    """Progress while rendering; the player (film) or picture (collage) with downloads when done."""
    user = staff_or_redirect(request, user)
    render = staff_access.render_for(session=session, user=user, render_id=render_id)
    values = builder.watch_values(session=session, render=render, preview_id=preview)
    return page(request, "staff/watch.html", staff_ctx(request, user, project=render.project, **values))


@router.post("/renders/{render_id}/cancel")
def cancel(render_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional) -> RedirectResponse:
    """Stop a queued or running render."""
    user = staff_or_redirect(request, user)
    render = staff_access.render_for(session=session, user=user, render_id=render_id)
    rendering.cancel_render(session=session, render=render)
    return RedirectResponse(f"/staff/renders/{render_id}", status_code=303)


@router.get("/projects/{project_id}/lanes", response_class=HTMLResponse)
def lanes_page(project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional) -> HTMLResponse:
    """Customers above, employees below, hour by hour: the two days side by side, ready to project."""
    user, project = member_project(request, session, user, project_id)
    return page(request, "staff/lanes.html", staff_ctx(request, user, project=project,
                                                       hours=coverage.lanes(session=session, project=project)))
