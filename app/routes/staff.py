"""Staff pages: sign in, projects, curate moments, start and watch films."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from datetime import date

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.deps import CurrentStaffOptional, SessionDep, SettingsDep, check_csrf, csrf_token
from app.models import Moment, Render, User
from app.schemas import MomentPublic, RenderPublic
from app.services import curation, projects, rendering
from app.services.errors import ServiceError
from app.services.users import authenticate
from app.web import page

router = APIRouter(prefix="/staff", tags=["staff"], include_in_schema=False)

# sign-in attempts per client address in the last window
_ATTEMPTS: dict[str, deque[float]] = defaultdict(deque)
SIGNIN_LIMIT, SIGNIN_WINDOW_S = 10, 300.0


def _rate_limited(client: str) -> bool:
    now = time.monotonic()
    attempts = _ATTEMPTS[client]
    while attempts and now - attempts[0] > SIGNIN_WINDOW_S:
        attempts.popleft()
    attempts.append(now)
    return len(attempts) > SIGNIN_LIMIT


def _staff_or_redirect(request: Request, user: User | None) -> User:
    if user is None:
        raise HTTPException(303, headers={"Location": f"/staff/login?next={request.url.path}"})
    return user


def _ctx(request: Request, user: User, **values: object) -> dict[str, object]:
    return {"user": user, "csrf": csrf_token(request), **values}


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/staff") -> HTMLResponse:
    """Sign-in form."""
    return page(request, "staff/login.html", {"csrf": csrf_token(request), "next": next})


@router.post("/login", response_model=None)
def login(
    request: Request, session: SessionDep, email: str = Form(...), password: str = Form(...),
    csrf: str = Form(""), next: str = Form("/staff"),
) -> Response:
    """Check the password and start a session."""
    check_csrf(request, csrf)
    client = request.client.host if request.client else "?"
    if _rate_limited(client):
        return page(request, "staff/login.html", {"csrf": csrf_token(request), "next": next,
                    "error": "login.too_many"}, status_code=429)
    user = authenticate(session=session, email=email, password=password)
    if user is None:
        return page(request, "staff/login.html", {"csrf": csrf_token(request), "next": next,
                    "error": "login.wrong", "email": email}, status_code=401)
    request.session.clear()
    request.session["user_id"] = user.id
    safe_next = next if next.startswith("/") and not next.startswith("//") else "/staff"
    return RedirectResponse(safe_next, status_code=303)


@router.post("/logout")
def logout(request: Request, csrf: str = Form("")) -> RedirectResponse:
    """End the session."""
    check_csrf(request, csrf)
    request.session.clear()
    return RedirectResponse("/staff/login", status_code=303)


@router.get("", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, user: CurrentStaffOptional, settings: SettingsDep) -> HTMLResponse:
    """The projects this staff member works on."""
    user = _staff_or_redirect(request, user)
    rows = projects.projects_for(session=session, user=user)
    return page(request, "staff/home.html", _ctx(request, user, projects=rows, base_url=settings.public_base_url))


@router.post("/projects", response_model=None)
def create_project(
    request: Request, session: SessionDep, user: CurrentStaffOptional, title: str = Form(...),
    day: date = Form(...), timezone: str = Form("Europe/Amsterdam"), language: str = Form("en"), csrf: str = Form(""),
) -> Response:
    """Create a project from the form."""
    user = _staff_or_redirect(request, user)
    check_csrf(request, csrf)
    project = projects.create_project(session=session, title=title, day=day, timezone=timezone,
                                      language=language, owner=user)
    return RedirectResponse(f"/staff/projects/{project.id}", status_code=303)


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(
    project_id: int, request: Request, session: SessionDep, user: CurrentStaffOptional, settings: SettingsDep
) -> HTMLResponse:
    """Moments in time-of-day order with approve/hide, and the project's films."""
    user = _staff_or_redirect(request, user)
    project = projects.project_for(session=session, user=user, project_id=project_id)
    moments = [MomentPublic.of(m) for m in curation.moments_in_day_order(session=session, project=project)]
    renders = sorted(project.renders, key=lambda r: r.id, reverse=True)
    outdated = {r.id: rendering.is_outdated(session=session, render=r) for r in renders if r.status == "done"}
    return page(request, "staff/project.html", _ctx(
        request, user, project=project, moments=moments,
        renders=[RenderPublic.of(r) for r in renders], outdated=outdated,
        invite_url=projects.invite_url(settings.public_base_url, project),
    ))


@router.post("/moments/{moment_id}/status")
def set_status(
    moment_id: int, request: Request, session: SessionDep, user: CurrentStaffOptional,
    status: str = Form(...), csrf: str = Form(""),
) -> RedirectResponse:
    """Approve or hide one moment."""
    user = _staff_or_redirect(request, user)
    check_csrf(request, csrf)
    moment = session.get(Moment, moment_id)
    if moment is None:
        raise HTTPException(404, "no such moment")
    projects.project_for(session=session, user=user, project_id=moment.project_id)
    curation.update_moment(session=session, moment=moment, patch=curation.MomentPatch(status=status))
    return RedirectResponse(f"/staff/projects/{moment.project_id}#m{moment.id}", status_code=303)


@router.post("/projects/{project_id}/films", response_model=None)
def start_film(
    project_id: int, request: Request, session: SessionDep, user: CurrentStaffOptional,
    size: str = Form("1280x720"), csrf: str = Form(""),
) -> Response:
    """Queue a film with the chosen size."""
    user = _staff_or_redirect(request, user)
    check_csrf(request, csrf)
    project = projects.project_for(session=session, user=user, project_id=project_id)
    try:
        render = rendering.request_render(session=session, project=project, kind="film",
                                          options={"size": size}, user=user)
    except ServiceError as err:
        raise HTTPException(err.status, err.message) from None
    return RedirectResponse(f"/staff/renders/{render.id}", status_code=303)


@router.get("/renders/{render_id}", response_class=HTMLResponse)
def watch_page(render_id: int, request: Request, session: SessionDep, user: CurrentStaffOptional) -> HTMLResponse:
    """Progress while rendering; the player when done."""
    user = _staff_or_redirect(request, user)
    render = session.get(Render, render_id)
    if render is None:
        raise HTTPException(404, "no such render")
    project = projects.project_for(session=session, user=user, project_id=render.project_id)
    chapters = (render.plan or {}).get("chapters", []) if render.kind == "film" else []
    return page(request, "staff/watch.html", _ctx(request, user, project=project, render=RenderPublic.of(render),
                                                  chapters=chapters))
