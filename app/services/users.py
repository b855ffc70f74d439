"""Staff accounts, passwords (argon2) and API tokens (only their hash is kept)."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import ApiToken, User, utcnow
from app.services.errors import Conflict, Invalid, NotFound
from app.services.tokens import token_hash

_hasher = PasswordHasher()
MIN_PASSWORD = 8
WRONG_CURRENT = "the current password is not right"
NEW_TOO_SHORT = f"the new password must be at least {MIN_PASSWORD} characters"


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 320 or " " in email:
        raise Invalid(f"'{email}' is not an email address")
    return email


def create_user(*, session: Session, email: str, password: str, is_admin: bool = False) -> User:
    email = normalise_email(email)
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"the password must be at least {MIN_PASSWORD} characters")
    if session.scalar(select(User).where(User.email == email)):
        raise Conflict(f"a user {email} exists already")
    first = not session.scalar(select(func.count()).select_from(User))
    user = User(email=email, password_hash=_hasher.hash(password), is_admin=is_admin or first)
    session.add(user)
    session.flush()
    return user


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        _hasher.hash(password)  # spend the same time whether or not the user exists
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def change_password(*, session: Session, user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one (the caller ends the user's other sessions)."""
    try:
        _hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise Invalid(WRONG_CURRENT) from None
    if len(new) < MIN_PASSWORD:
        raise Invalid(NEW_TOO_SHORT)
    user.password_hash = _hasher.hash(new)
    session.flush()


def reset_password(*, session: Session, email: str, new: str) -> User:
    """Set a password without the old one (the server's command line); the caller ends every session."""
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"no user {email}; create one with `dayreel user add {email}`")
    if len(new) < MIN_PASSWORD:
        raise Invalid(NEW_TOO_SHORT)
    user.password_hash = _hasher.hash(new)
    session.flush()
    return user


def create_token(*, session: Session, email: str, name: str = "cli") -> str:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"no user {email}; create one with `dayreel user add {email}`")
    token = "drl_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=token_hash(token), name=name))
    session.flush()
    return token


def user_for_token(*, session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if row is None:
        return None
    row.last_used_at = utcnow()
    return row.user
