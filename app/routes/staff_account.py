"""One's own staff account: change the password (which signs out every other session)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.deps import CurrentStaffOptional, SessionDep
from app.services import staff_sessions, users
from app.services.errors import Invalid
from app.staff_pages import staff_ctx, staff_or_redirect
from app.web import page

router = APIRouter()

_ERROR_KEYS = {users.WRONG_CURRENT: "password.wrong_current", users.NEW_TOO_SHORT: "password.too_short"}


@router.get("/password", response_class=HTMLResponse)
def password_page(request: Request, user: CurrentStaffOptional) -> HTMLResponse:
    """The change-password form."""
    user = staff_or_redirect(request, user)
    return page(request, "staff/password.html",
                staff_ctx(request, user, changed=request.query_params.get("changed") == "1"))


@router.post("/password", response_model=None)
def change_password(
    request: Request, session: SessionDep, user: CurrentStaffOptional,
    current: str = Form(...), new: str = Form(...),
) -> Response:
    """Check the current password, set the new one, and end every other session of this account."""
    user = staff_or_redirect(request, user)
    try:
        users.change_password(session=session, user=user, current=current, new=new)
    except Invalid as err:
        return page(request, "staff/password.html",
                    staff_ctx(request, user, error=_ERROR_KEYS.get(err.message, err.message)), status_code=422)
    staff_sessions.end_other_sessions(session=session, user=user, keep_sid=request.session.get("sid"))
    return RedirectResponse("/staff/password?changed=1", status_code=303)
