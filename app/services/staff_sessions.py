"""Server-side staff sessions: the signed cookie only names a row here, so signing out or changing the
password ends a session for good, even for someone who kept a copy of the cookie."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.models import StaffSession, User, utcnow
from app.services.tokens import token_hash

SESSION_MAX_AGE_S = 14 * 86400  # the cookie's own max age; a row is never honoured for longer


def start_session(*, session: Session, user: User) -> str:
    """A new session for `user`; returns the id to keep in the signed cookie (only its hash is stored)."""
    # expired rows of anyone go when someone signs in, so the table does not grow without bound
    session.execute(delete(StaffSession).where(StaffSession.created_at < _oldest_valid()))
    sid = secrets.token_urlsafe(32)
    session.add(StaffSession(id_hash=token_hash(sid), user_id=user.id))
    session.flush()
    return sid


def session_user(*, session: Session, sid: object) -> User | None:
    """The staff member of a live session, or None when it ended, expired or never existed."""
    if not isinstance(sid, str) or not sid:
        return None
    row = session.get(StaffSession, token_hash(sid))
    if row is None or row.created_at < _oldest_valid():
        return None
    return session.get(User, row.user_id)


def end_session(*, session: Session, sid: object) -> None:
    if isinstance(sid, str) and sid:
        session.execute(delete(StaffSession).where(StaffSession.id_hash == token_hash(sid)))


def end_other_sessions(*, session: Session, user: User, keep_sid: object) -> int:
    """End every session of `user` but the one in use (after a password change); returns how many."""
    keep = token_hash(keep_sid) if isinstance(keep_sid, str) and keep_sid else ""
    ended = session.scalars(select(StaffSession.id_hash).where(
        StaffSession.user_id == user.id, StaffSession.id_hash != keep)).all()
    session.execute(delete(StaffSession).where(StaffSession.id_hash.in_(ended)))
    return len(ended)


def _oldest_valid() -> datetime:
    return utcnow() - timedelta(seconds=SESSION_MAX_AGE_S)
