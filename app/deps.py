"""FastAPI dependencies as Annotated aliases: context, session, storage, the signed-in staff member."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request
from sqlalchemy.orm import Session

from app.config import Settings
from app.context import Context
from app.csrf import csrf_token as csrf_token  # re-exported for the routes
from app.db import session_scope
from app.models import User
from app.services.staff_sessions import session_user
from app.services.users import user_for_token
from app.storage import Storage

# the largest id a row can have (PostgreSQL BIGINT, SQLite INTEGER): a larger one cannot exist, and sent to the
# database driver it overflows (a 500), so it is refused as a 422 before any query
MAX_DB_ID = 2**63 - 1
IdPath = Annotated[int, Path(ge=1, le=MAX_DB_ID, description="A numeric id.")]


def get_ctx(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


CtxDep = Annotated[Context, Depends(get_ctx)]


def get_settings_dep(ctx: CtxDep) -> Settings:
    return ctx.settings


def get_storage(ctx: CtxDep) -> Storage:
    return ctx.storage


def get_session(ctx: CtxDep) -> Iterator[Session]:
    """One session per request, committed when the route returns without error."""
    with session_scope(ctx.sessions) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
StorageDep = Annotated[Storage, Depends(get_storage)]
# scope="function": committed when the route returns, before the answer is sent. With the default scope
# the commit runs after the response, so a browser following a 303 (sign-in, bulk approve) could ask for the
# next page before the write it depends on was committed.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def current_staff_optional(request: Request, session: SessionDep) -> User | None:
    """The staff member behind a bearer token or the signed session cookie, if any."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        user = user_for_token(session=session, token=auth[7:].strip())
        if user is None:
            raise HTTPException(401, "this API token is not valid", headers={"WWW-Authenticate": "Bearer"})
        return user
    if "sid" not in request.session:
        return None
    # the cookie names a server-side session: one ended by sign-out or a password change is refused
    user = session_user(session=session, sid=request.session.get("sid"))
    if user is None:
        request.session.pop("sid", None)
        return None
    return user


def current_staff_api(user: Annotated[User | None, Depends(current_staff_optional)]) -> User:
    if user is None:
        raise HTTPException(
            401, "sign in or send 'Authorization: Bearer <token>'", headers={"WWW-Authenticate": "Bearer"}
        )
    return user


CurrentStaffOptional = Annotated[User | None, Depends(current_staff_optional)]
CurrentStaff = Annotated[User, Depends(current_staff_api)]
