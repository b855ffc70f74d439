"""Staff pages: sign in and out, the project list, and the project overview; the rest in staff_*.py."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from datetime import date

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.deps import CurrentStaffOptional, IdPath, SessionDep, SettingsDep, check_csrf, csrf_token
from app.routes import staff_admin, staff_curate, staff_projects, staff_renders
from app.routes.staff_common import member_project, staff_ctx, staff_or_redirect
from app.services import coverage, projects
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
    _ATTEMPTS.pop(client, None)  # the limit is on guessing: a right password starts afresh
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
    user = staff_or_redirect(request, user)
    rows = projects.projects_for(session=session, user=user)
    return page(request, "staff/home.html", staff_ctx(request, user, projects=rows, base_url=settings.public_base_url))


@router.post("/projects", response_model=None)
def create_project(
    request: Request, session: SessionDep, user: CurrentStaffOptional, title: str = Form(...),
    day: date = Form(...), timezone: str = Form("Europe/Amsterdam"), language: str = Form("en"), csrf: str = Form(""),
) -> Response:
    """Create a project from the form."""
    user = staff_or_redirect(request, user)
    check_csrf(request, csrf)
    project = projects.create_project(session=session, title=title, day=day, timezone=timezone,
                                      language=language, owner=user)
    return RedirectResponse(f"/staff/projects/{project.id}", status_code=303)


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(
    project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional, settings: SettingsDep,
    first: int = 0, last: int = 23,
) -> HTMLResponse:
    """The project at a glance: coverage of the day, what to do next, links to every tool."""
    user, project = member_project(request, session, user, project_id)
    invite = projects.invite_url(settings.public_base_url, project)
    numbers = coverage.overview(session=session, project=project, invite_url=invite, first=first, last=last)
    return page(request, "staff/project.html", staff_ctx(request, user, project=project, invite_url=invite, **numbers))


for _sub in (staff_curate.router, staff_renders.router, staff_projects.router, staff_admin.router):
    router.include_router(_sub)
