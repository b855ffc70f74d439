"""Rows a staff member reaches by id: found only through a project they may see."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.models import Moment, Project, Render, User
from app.services.errors import NotFound
from app.services.projects import project_for


def moment_for(*, session: Session, user: User, moment_id: int) -> Moment:
    moment = session.get(Moment, moment_id)
    if moment is None:
        raise NotFound("no such moment")
    project_for(session=session, user=user, project_id=moment.project_id)
    return moment


def render_for(*, session: Session, user: User, render_id: int) -> Render:
    render = session.get(Render, render_id)
    if render is None:
        raise NotFound("no such render")
    project_for(session=session, user=user, project_id=render.project_id)
    return render


def moments_of_project(
    *, session: Session, user: User, project_id: int, ids: list[int]
) -> tuple[Project, list[Moment]]:
    """The project and those of `ids` that belong to it (others are ignored, not revealed)."""
    project = project_for(session=session, user=user, project_id=project_id)
    moments = [m for m in (session.get(Moment, i) for i in ids) if m is not None and m.project_id == project.id]
    return project, moments
