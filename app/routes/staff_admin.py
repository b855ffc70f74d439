"""Staff accounts in the UI: administrators list and create staff."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app.deps import CurrentStaffOptional, SessionDep
from app.services import page_views, staff_admin
from app.staff_pages import staff_ctx, staff_or_redirect
from app.web import page

router = APIRouter()


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, session: SessionDep, user: CurrentStaffOptional) -> HTMLResponse:
    """All staff accounts (administrators only)."""
    user = staff_or_redirect(request, user)
    return page(request, "staff/users.html", staff_ctx(request, user,
                                                       staff=page_views.staff_views(
        staff_admin.all_staff(session=session, user=user))))


@router.post("/users")
def create_user(request: Request, session: SessionDep, user: CurrentStaffOptional, email: str = Form(...),
                password: str = Form(...), is_admin: bool = Form(False)) -> RedirectResponse:
    """Create a staff account (administrators only)."""
    user = staff_or_redirect(request, user)
    staff_admin.add_staff(session=session, user=user, email=email, password=password, is_admin=is_admin)
    return RedirectResponse("/staff/users?created=1", status_code=303)
