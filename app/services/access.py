"""Who may see a moment's files: staff of its project, or the contributor who uploaded it."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from app.models import Contributor, Moment, ProjectMember, User


def contributor_owns(*, session: Session, moment: Moment, token: str | None) -> bool:
    if not token or moment.contributor_id is None:
        return False
    contributor = session.get(Contributor, moment.contributor_id)
    return contributor is not None and contributor.token_hash == hashlib.sha256(token.encode()).hexdigest()


def staff_may_see(*, session: Session, user: User | None, project_id: int) -> bool:
    if user is None:
        return False
    return user.is_admin or session.get(ProjectMember, (project_id, user.id)) is not None
