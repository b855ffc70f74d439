"""The curation grid: filters, part-of-day groups, bulk approve/hide, and the detail form's corrections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.models import Moment, Project
from app.schemas import MomentPublic
from app.services.curation import STATUSES, MomentPatch, moments_in_day_order, update_moment
from app.services.errors import Invalid
from media_pipeline.daytime import part_label, part_of_day

KINDS, ROLES, BULK_ACTIONS = ("photo", "clip"), ("customer", "employee"), {"approve": "approved", "hide": "hidden",
                                                                          "pending": "pending"}


@dataclass(frozen=True)
class MomentFilter:
    status: str = ""
    kind: str = ""
    role: str = ""
    mood: int | None = None

    def __post_init__(self) -> None:
        for name, allowed in (("status", STATUSES), ("kind", KINDS), ("role", ROLES)):
            value = getattr(self, name)
            if value and value not in allowed:
                raise Invalid(f"{name} must be one of {', '.join(allowed)}")
        if self.mood is not None and not 1 <= self.mood <= 5:
            raise Invalid("mood must be a number from 1 to 5")

    def keeps(self, m: Moment) -> bool:
        return ((not self.status or m.status == self.status) and (not self.kind or m.kind == self.kind)
                and (not self.role or m.role == self.role) and (self.mood is None or m.mood == self.mood))


def grouped_moments(
    *, session: Session, project: Project, wanted: MomentFilter, language: str
) -> list[tuple[str, list[MomentPublic]]]:
    """The filtered moments in time-of-day order under part-of-day headings (Dawn, Morning, ...)."""
    groups: list[tuple[str, list[MomentPublic]]] = []
    for m in moments_in_day_order(session=session, project=project):
        if not wanted.keeps(m):
            continue
        label = part_label(part_of_day(m.captured_local.hour), language)
        if not groups or groups[-1][0] != label:
            groups.append((label, []))
        groups[-1][1].append(MomentPublic.of(m))
    return groups


def bulk_set_status(*, session: Session, moments: list[Moment], action: str) -> int:
    """Approve or hide many moments in one go; returns how many changed."""
    status = BULK_ACTIONS.get(action)
    if status is None:
        raise Invalid("choose approve or hide")
    if not moments:
        raise Invalid("tick at least one moment first")
    changed = 0
    for m in moments:
        if m.status != status:
            update_moment(session=session, moment=m, patch=MomentPatch(status=status))
            changed += 1
    return changed


def correct_from_form(*, session: Session, moment: Moment, local_time: str, caption: str, mood: str) -> Moment:
    """The detail form: a changed time is marked corrected; an unchanged one keeps its source."""
    when: datetime | None = None
    if local_time.strip():
        try:
            when = datetime.fromisoformat(local_time.strip())
        except ValueError:
            raise Invalid(f"'{local_time}' is not a date and time like 2024-07-24T07:15") from None
        if when.replace(second=0) == moment.captured_local.replace(second=0, microsecond=0):
            when = None  # the form shows minutes only: same minute means not changed
    mood_value = int(mood) if mood.strip().isdigit() else None
    return update_moment(session=session, moment=moment,
                         patch=MomentPatch(caption=caption, captured_local=when, mood=mood_value))


def detail(m: Moment, language: str) -> dict[str, Any]:
    """The detail page's values: the public shape plus the part of day and the form's time."""
    return {"moment": MomentPublic.of(m), "part": part_label(part_of_day(m.captured_local.hour), language),
            "local_value": m.captured_local.strftime("%Y-%m-%dT%H:%M")}
