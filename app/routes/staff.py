"""Staff pages: sign in and out, the project list, and the project overview; the rest in staff_*.py (all put
under /staff by app/routers.py)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.client_address import client_address
from app.deps import CurrentStaffOptional, IdPath, SessionDep, SettingsDep, csrf_token
from app.services import coverage, page_views, projects, staff_sessions
from app.services.signin_limit import SigninLimiter
from app.services.users import authenticate
from app.staff_pages import member_project, staff_ctx, staff_or_redirect
from app.web import page

router = APIRouter(prefix="/staff", tags=["staff"], include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/staff") -> HTMLResponse:
    """Sign-in form."""
    return page(request, "staff/login.html", {"csrf": csrf_token(request), "next": next})


@router.post("/login", response_model=None)
def login(
    request: Request, session: SessionDep, email: str = Form(...), password: str = Form(...),
    next: str = Form("/staff"),
) -> Response:
    """Check the password and start a session."""
    limiter: SigninLimiter = request.app.state.signin_limiter
    address = client_address(request, request.app.state.trusted_proxies)
    if limiter.blocked(email=email, address=address):
        return page(request, "staff/login.html", {"csrf": csrf_token(request), "next": next,
                    "error": "login.too_many"}, status_code=429)
    user = authenticate(session=session, email=email, password=password)
    if user is None:
        limiter.record_failure(email=email, address=address)
        return page(request, "staff/login.html", {"csrf": csrf_token(request), "next": next,
                    "error": "login.wrong", "email": email}, status_code=401)
    # a right password clears nothing: signing in to one account must not reset the count on another
    request.session.clear()
    request.session["sid"] = staff_sessions.start_session(session=session, user=user)
    safe_next = next if next.startswith("/") and not next.startswith("//") else "/staff"
    return RedirectResponse(safe_next, status_code=303)


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> RedirectResponse:
    """End the session, on the server too: a copy of the cookie is worth nothing afterwards."""
    staff_sessions.end_session(session=session, sid=request.session.get("sid"))
    request.session.clear()
    return RedirectResponse("/staff/login", status_code=303)


@router.get("", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, user: CurrentStaffOptional) -> HTMLResponse:
    """The projects this staff member works on."""
    user = staff_or_redirect(request, user)
    return page(request, "staff/home.html", staff_ctx(
        request, user, projects=page_views.project_tiles(session=session, user=user)))


@router.post("/projects", response_model=None)
def create_project(
    request: Request, session: SessionDep, user: CurrentStaffOptional, title: str = Form(...),
    day: date = Form(...), timezone: str = Form("Europe/Amsterdam"), language: str = Form("en"),
) -> Response:
    """Create a project from the form."""
    user = staff_or_redirect(request, user)
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
