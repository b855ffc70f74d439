"""What every staff page shares: the sign-in redirect, page values, and errors shown as pages, not JSON."""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from app.deps import csrf_token
from app.models import Project, User
from app.services import page_views, projects
from app.web import page


def staff_or_redirect(request: Request, user: User | None) -> User:
    if user is None:
        raise HTTPException(303, headers={"Location": f"/staff/login?next={request.url.path}"})
    return user


def staff_ctx(request: Request, user: User, *, project: Project | None = None, **values: object) -> dict[str, object]:
    """A staff page's values: the signed-in member and the project as plain views (pages never get ORM rows)."""
    if project is not None:
        values["project"] = page_views.project_view(project)
    return {"user": page_views.staff_view(user), "csrf": csrf_token(request), **values}


def wants_page(request: Request) -> bool:
    """A browser on a staff or presentation page gets errors as a page; scripts and the API get JSON."""
    path = request.url.path
    return (path.startswith(("/staff", "/p/")) and not path.endswith("/events")
            and "text/html" in request.headers.get("accept", ""))


def error_page(request: Request, message: str, status: int) -> HTMLResponse:
    """Called from the app's exception handlers, after the request's session has rolled back."""
    return page(request, "staff/error.html", {"message": message}, status_code=status)


def member_project(
    request: Request, session: Session, user: User | None, project_id: int
) -> tuple[User, Project]:
    """The signed-in staff member and their project (forms' tokens are checked for every route: app/csrf.py)."""
    user = staff_or_redirect(request, user)
    return user, projects.project_for(session=session, user=user, project_id=project_id)
