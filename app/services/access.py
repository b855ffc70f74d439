"""Who may see a moment's files: staff of its project, or the contributor who uploaded it."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from app.models import Contributor, Moment, ProjectMember, User
from app.services.errors import NotFound
from app.services.tokens import token_hash


def contributor_owns(*, session: Session, moment: Moment, token: str | None) -> bool:
    if not token or moment.contributor_id is None:
        return False
    contributor = session.get(Contributor, moment.contributor_id)
    return contributor is not None and contributor.token_hash == token_hash(token)


def staff_may_see(*, session: Session, user: User | None, project_id: int) -> bool:
    if user is None:
        return False
    return user.is_admin or session.get(ProjectMember, (project_id, user.id)) is not None


def moment_file(
    *, session: Session, user: User | None, contributor_token_for: Callable[[int], str | None], moment_id: int,
    digest: str, variant: str,
) -> tuple[str, str]:
    """(storage key, media type) of a moment's thumb, preview or original, for its staff or its contributor.

    `contributor_token_for(project_id)` gives the caller's contributor token in that project, if any.
    Anything else is "no such file" (404, not 403): we don't confirm that a file exists.
    """
    moment = session.get(Moment, moment_id)
    if moment is None or not moment.sha256.startswith(digest):
        raise NotFound("no such file")
    if not (staff_may_see(session=session, user=user, project_id=moment.project_id)
            or contributor_owns(session=session, moment=moment, token=contributor_token_for(moment.project_id))):
        raise NotFound("no such file")
    if variant == "original":
        return moment.storage_key, moment.mime
    key = moment.thumb_key if variant == "thumb" else moment.preview_key
    if key is None:
        raise NotFound("this picture is still being prepared")
    return key, "image/jpeg"
