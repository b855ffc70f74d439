"""Plain values for the staff and presentation pages: a template reads these, never an ORM row, so rendering a
page runs no query (a lazy load per row of a loop) and cannot reach what the page was not given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from app.models import Project, User
from app.services.faces import policy_of
from app.services.projects import moment_counts, projects_for


@dataclass(frozen=True)
class ProjectView:
    """A project as its pages show it: the header, the tabs, the settings form."""

    id: int
    title: str
    day: date
    timezone: str
    language: str
    brand_color: str
    contributions_open: bool
    welcome_text: str
    consent_text: str
    consent_version: int
    auto_approve: bool
    keep_gps: bool
    face_policy: str  # when bystanders' faces are blurred (faces.POLICIES)


def project_view(project: Project) -> ProjectView:
    return ProjectView(
        id=project.id, title=project.title, day=project.day, timezone=project.timezone, language=project.language,
        brand_color=project.brand_color, contributions_open=project.contributions_open,
        welcome_text=project.welcome_text, consent_text=project.consent_text,
        consent_version=project.consent_version, auto_approve=project.auto_approve, keep_gps=project.keep_gps,
        face_policy=policy_of(project),
    )


@dataclass(frozen=True)
class ProjectTile:
    """A project on the staff home: its moments counted by the database, never by loading them."""

    id: int
    title: str
    day: date
    timezone: str
    moment_count: int


def project_tiles(*, session: Session, user: User) -> list[ProjectTile]:
    """The projects `user` works on, newest day first, with one COUNT query for all of them."""
    rows = projects_for(session=session, user=user)
    counts = moment_counts(session=session, projects=rows)
    return [ProjectTile(id=p.id, title=p.title, day=p.day, timezone=p.timezone, moment_count=counts[p.id])
            for p in rows]


@dataclass(frozen=True)
class StaffView:
    """A staff account in a list: the staff page, a project's members."""

    id: int
    email: str
    is_admin: bool
    created_at: datetime


def staff_view(user: User) -> StaffView:
    """Also what the staff layout needs of the signed-in member (its email, whether an administrator)."""
    return StaffView(id=user.id, email=user.email, is_admin=user.is_admin, created_at=user.created_at)


def staff_views(users: list[User]) -> list[StaffView]:
    return [staff_view(u) for u in users]
