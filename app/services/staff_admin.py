"""Staff accounts made in the UI (admins only) and who belongs to which project."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Project, ProjectMember, User
from app.services.errors import Forbidden, NotFound
from app.services.users import create_user, normalise_email


def require_admin(user: User) -> None:
    if not user.is_admin:
        raise Forbidden("only administrators can manage staff accounts")


def all_staff(*, session: Session, user: User) -> list[User]:
    require_admin(user)
    return list(session.scalars(select(User).order_by(User.email)))


def add_staff(*, session: Session, user: User, email: str, password: str, is_admin: bool = False) -> User:
    """A new staff account, made by an administrator."""
    require_admin(user)
    return create_user(session=session, email=email, password=password, is_admin=is_admin)


def members_of(*, session: Session, project: Project) -> list[User]:
    return list(session.scalars(
        select(User).join(ProjectMember, ProjectMember.user_id == User.id)
        .where(ProjectMember.project_id == project.id).order_by(User.email)
    ))


def add_member(*, session: Session, project: Project, email: str) -> User:
    """Give an existing staff member access to the project (idempotent)."""
    member = session.scalar(select(User).where(User.email == normalise_email(email)))
    if member is None:
        raise NotFound(f"there is no staff member {email.strip()}; an administrator can create one first")
    if session.get(ProjectMember, (project.id, member.id)) is None:
        session.add(ProjectMember(project_id=project.id, user_id=member.id))
        session.flush()
    return member


def remove_member(*, session: Session, project: Project, user_id: int) -> None:
    row = session.get(ProjectMember, (project.id, user_id))
    if row is not None:
        session.delete(row)
        session.flush()
