"""Projects (one day each): creating, finding, who may see them, invite tokens."""

from __future__ import annotations

import secrets
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Moment, Project, ProjectMember, User
from app.services.errors import Forbidden, Invalid, NotFound

LANGUAGES = ("en", "nl")
DEFAULT_CONSENT = {
    "en": "I agree that dayreel keeps this photo or clip and shows it to the organisation in films and "
    "collages of this day. I can delete it later through my private link.",
    "nl": "Ik geef toestemming dat dayreel deze foto of clip bewaart en aan de organisatie laat zien in films en "
    "collages van deze dag. Ik kan hem later verwijderen via mijn persoonlijke link.",
}


# Links are read aloud and typed from a projected slide or a poster: no 0/O, 1/l/I, no upper case.
UNAMBIGUOUS = "23456789abcdefghjkmnpqrstuvwxyz"


def new_token() -> str:
    """Four groups of four unambiguous characters (about 79 bits), e.g. `k7qm-x3vt-9hpa-w2rn`."""
    chars = "".join(secrets.choice(UNAMBIGUOUS) for _ in range(16))
    return "-".join(chars[i:i + 4] for i in range(0, 16, 4))


def check_timezone(tz: str) -> str:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"unknown time zone '{tz}'; use an IANA name such as Europe/Amsterdam") from None
    return tz


def create_project(
    *,
    session: Session,
    title: str,
    day: date,
    timezone: str = "Europe/Amsterdam",
    language: str = "en",
    consent_text: str | None = None,
    welcome_text: str = "",
    owner: User | None = None,
) -> Project:
    title = title.strip()
    if not title:
        raise Invalid("a project needs a title")
    if language not in LANGUAGES:
        raise Invalid(f"language must be one of {', '.join(LANGUAGES)}")
    project = Project(
        title=title,
        day=day,
        timezone=check_timezone(timezone),
        language=language,
        consent_text=consent_text or DEFAULT_CONSENT[language],
        welcome_text=welcome_text,
        invite_token=new_token(),
        present_token=new_token(),
        created_by_id=owner.id if owner else None,
        settings={},
    )
    session.add(project)
    session.flush()
    if owner is not None:
        session.add(ProjectMember(project_id=project.id, user_id=owner.id))
        session.flush()
    return project


def projects_for(*, session: Session, user: User) -> list[Project]:
    query = select(Project).order_by(Project.day.desc(), Project.id.desc())
    if not user.is_admin:
        query = query.join(ProjectMember).where(ProjectMember.user_id == user.id)
    return list(session.scalars(query))


def moment_counts(*, session: Session, projects: list[Project]) -> dict[int, int]:
    """Moments per project, counted by the database in one query (never by loading the moments)."""
    ids = [p.id for p in projects]
    counts = dict(session.execute(select(Moment.project_id, func.count(Moment.id))
                                  .where(Moment.project_id.in_(ids)).group_by(Moment.project_id)).all())
    return {i: counts.get(i, 0) for i in ids}


def project_for(*, session: Session, user: User, project_id: int) -> Project:
    """The project if `user` may see it; 404 when it does not exist, 403 when it is someone else's."""
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound("no such project")
    if not user.is_admin and session.get(ProjectMember, (project_id, user.id)) is None:
        raise Forbidden("you are not a member of this project")
    return project


def project_by_invite(*, session: Session, token: str) -> Project:
    project = session.scalar(select(Project).where(Project.invite_token == token))
    typed = token.strip().lower()
    if project is None and typed != token:  # typed in capitals: new links are lower case (old ones keep theirs)
        project = session.scalar(select(Project).where(Project.invite_token == typed))
    if project is None:
        raise NotFound("this invite link is not valid (any more); ask the organiser for a new one")
    return project


def invite_url(base_url: str, project: Project) -> str:
    return f"{base_url.rstrip('/')}/c/{project.invite_token}"


def rotate_invite(*, session: Session, project: Project) -> Project:
    project.invite_token = new_token()
    session.flush()
    return project
