"""A project's moments a page at a time, filtered and counted in SQL (a 5,000-moment day costs one page).

Pages are keyset pages on (time of day, id), never offsets: a cursor names the last moment shown, so
moments arriving meanwhile (a workshop rush) neither repeat nor shift the rest; one that arrives before
the cursor's place in the day simply is not on the later pages. The cursor is opaque to clients.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from app.db import rowcount
from app.models import US_PER_HOUR, Moment, Project, utcnow
from app.services.curation import STATUSES
from app.services.errors import Invalid

KINDS, ROLES = ("photo", "clip"), ("customer", "employee")
DEFAULT_LIMIT, MAX_LIMIT = 200, 1000


@dataclass(frozen=True)
class MomentFilter:
    """What a list asks for; empty fields ask for everything."""

    status: str = ""
    kind: str = ""
    role: str = ""
    mood: int | None = None
    hour: int | None = None

    def __post_init__(self) -> None:
        for name, allowed in (("status", STATUSES), ("kind", KINDS), ("role", ROLES)):
            value = getattr(self, name)
            if value and value not in allowed:
                raise Invalid(f"{name} must be one of {', '.join(allowed)}")
        if self.mood is not None and not 1 <= self.mood <= 5:
            raise Invalid("mood must be a number from 1 to 5")
        if self.hour is not None and not 0 <= self.hour <= 23:
            raise Invalid("hour must be a number from 0 to 23")

    def clauses(self, project_id: int) -> list[Any]:
        """The WHERE clauses of this filter (the hour is a range of day_us: the index serves it)."""
        where: list[Any] = [Moment.project_id == project_id]
        for column, value in ((Moment.status, self.status), (Moment.kind, self.kind), (Moment.role, self.role)):
            if value:
                where.append(column == value)
        if self.mood is not None:
            where.append(Moment.mood == self.mood)
        if self.hour is not None:
            where.append(Moment.day_us.between(self.hour * US_PER_HOUR, (self.hour + 1) * US_PER_HOUR - 1))
        return where

    def query(self) -> dict[str, str]:
        """The filter as query parameters (for links to the next page and the bulk form)."""
        numbers = {"mood": self.mood, "hour": self.hour}
        pairs = {"status": self.status, "kind": self.kind, "role": self.role,
                 **{k: "" if v is None else str(v) for k, v in numbers.items()}}
        return {k: v for k, v in pairs.items() if v}


def encode_cursor(m: Moment) -> str:
    return base64.urlsafe_b64encode(f"{m.day_us}.{m.id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, int]:
    """(day_us, id) of the last moment of the previous page; a cursor not made here is a 422."""
    try:
        day_us, _, moment_id = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().partition(".")
        position = int(day_us), int(moment_id)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise Invalid("this cursor is not one the API gave out: start again without 'cursor'") from None
    if not (0 <= position[0] < 24 * US_PER_HOUR and 0 < position[1] < 2**63):
        raise Invalid("this cursor is not one the API gave out: start again without 'cursor'")
    return position


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"limit must be between 1 and {MAX_LIMIT} moments per page")
    return limit


@dataclass(frozen=True)
class MomentPage:
    moments: list[Moment]
    next_cursor: str | None  # None on the last page


def moment_page(
    *, session: Session, project: Project, wanted: MomentFilter, limit: int = DEFAULT_LIMIT, cursor: str = ""
) -> MomentPage:
    """At most `limit` moments after `cursor`, in time-of-day order, and the cursor of the page after."""
    where = wanted.clauses(project.id)
    if cursor:
        day_us, moment_id = decode_cursor(cursor)
        where.append(or_(Moment.day_us > day_us, and_(Moment.day_us == day_us, Moment.id > moment_id)))
    rows = list(session.scalars(select(Moment).where(*where).order_by(Moment.day_us, Moment.id)
                                .limit(check_limit(limit) + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return MomentPage(rows, encode_cursor(rows[-1]) if more and rows else None)


def count_matching(*, session: Session, project: Project, wanted: MomentFilter) -> int:
    return int(session.scalar(select(func.count(Moment.id)).where(*wanted.clauses(project.id))) or 0)


def set_status_matching(*, session: Session, project: Project, wanted: MomentFilter, status: str) -> int:
    """Approve or hide every moment the filter matches, on all pages, in one UPDATE; how many changed."""
    if status not in STATUSES:
        raise Invalid(f"status must be one of {', '.join(STATUSES)}")
    changed = rowcount(session.execute(
        update(Moment).where(*wanted.clauses(project.id), Moment.status != status)
        .values(status=status, updated_at=utcnow()).execution_options(synchronize_session=False)
    ))
    session.expire_all()  # rows loaded before the UPDATE show its result
    return int(changed or 0)
