"""The curation grid: filtered pages under part-of-day groups, bulk approve/hide (ticked, or every moment
matching the filter), and the detail form's corrections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.models import Moment, Project
from app.schemas import MomentPublic
from app.services.curation import MomentPatch, update_moment
from app.services.errors import Invalid
from app.services.moment_pages import MomentFilter, count_matching, moment_page, set_status_matching
from media_pipeline.daytime import part_label, part_of_day

BULK_ACTIONS = {"approve": "approved", "hide": "hidden", "pending": "pending"}
PAGE_SIZE = 200  # tiles per curation page: the page costs what it shows, whatever the project holds


@dataclass(frozen=True)
class CurationPage:
    groups: list[tuple[str, list[MomentPublic]]]
    count: int  # all moments matching the filter, on every page
    next_cursor: str | None
    first: bool  # no cursor: the first page


def curation_page(
    *, session: Session, project: Project, wanted: MomentFilter, language: str, cursor: str = ""
) -> CurationPage:
    """One page of the filtered moments in time-of-day order under part-of-day headings (Dawn, Morning, ...)."""
    page = moment_page(session=session, project=project, wanted=wanted, limit=PAGE_SIZE, cursor=cursor)
    groups: list[tuple[str, list[MomentPublic]]] = []
    for m in page.moments:
        label = part_label(part_of_day(m.captured_local.hour), language)
        if not groups or groups[-1][0] != label:
            groups.append((label, []))
        groups[-1][1].append(MomentPublic.of(m))
    return CurationPage(groups, count_matching(session=session, project=project, wanted=wanted), page.next_cursor,
                        not cursor)


def bulk_status(action: str) -> str:
    status = BULK_ACTIONS.get(action)
    if status is None:
        raise Invalid("choose approve or hide")
    return status


def bulk_set_status(*, session: Session, moments: list[Moment], action: str) -> int:
    """Approve or hide the ticked moments in one go; returns how many changed."""
    status = bulk_status(action)
    if not moments:
        raise Invalid("tick at least one moment first")
    changed = 0
    for m in moments:
        if m.status != status:
            update_moment(session=session, moment=m, patch=MomentPatch(status=status))
            changed += 1
    return changed


def bulk_set_status_matching(*, session: Session, project: Project, wanted: MomentFilter, action: str) -> int:
    """'Select all matching': the action applies to the filter, on every page, on the server."""
    return set_status_matching(session=session, project=project, wanted=wanted, status=bulk_status(action))


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
