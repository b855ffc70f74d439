"""Coverage of the day: moments per hour, customers and employees apart, and which hours are missing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app import i18n
from app.models import Moment, Project
from app.schemas import MomentPublic
from app.services.curation import moments_in_day_order

HOURS = range(24)
MESSAGES = {
    "en": (
        "Hello! We are collecting photos and short clips of {title} ({date}). We have nothing yet from "
        "{hours}. Were you there at that time? Please share a moment through {url} - thank you!"
    ),
    "nl": (
        "Hallo! We verzamelen foto's en korte clips van {title} ({date}). Van {hours} hebben we nog niets. "
        "Was jij er op dat moment? Deel dan een moment via {url} - dank je wel!"
    ),
}
AND = {"en": "and", "nl": "en"}


@dataclass(frozen=True)
class HourCount:
    hour: int
    customers: int
    employees: int
    others: int

    @property
    def total(self) -> int:
        return self.customers + self.employees + self.others

    @property
    def label(self) -> str:
        return f"{self.hour:02d}:00"


def hour_counts(moments: Sequence[Moment]) -> list[HourCount]:
    """Moments per local hour of the day (hidden ones do not count: they will not be shown)."""
    counts = {h: {"customer": 0, "employee": 0, "": 0} for h in HOURS}
    for m in moments:
        if m.status != "hidden":
            counts[m.captured_local.hour][m.role if m.role in ("customer", "employee") else ""] += 1
    return [HourCount(h, c["customer"], c["employee"], c[""]) for h, c in counts.items()]


def missing_ranges(counts: Sequence[HourCount], *, first: int = 0, last: int = 23) -> list[tuple[int, int]]:
    """Runs of empty hours between `first` and `last` (inclusive) as (start hour, end hour exclusive)."""
    runs: list[tuple[int, int]] = []
    for c in counts:
        if first <= c.hour <= last and c.total == 0:
            if runs and runs[-1][1] == c.hour:
                runs[-1] = (runs[-1][0], c.hour + 1)
            else:
                runs.append((c.hour, c.hour + 1))
    return runs


def ranges_text(ranges: Sequence[tuple[int, int]], language: str) -> str:
    parts = [f"{a:02d}:00-{b:02d}:00" for a, b in ranges]
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {AND.get(language, 'and')} {parts[-1]}"


def ask_message(*, project: Project, ranges: Sequence[tuple[int, int]], invite_url: str) -> str:
    """A ready-to-send request for the missing hours, in the project's language; empty when nothing is missing."""
    if not ranges:
        return ""
    language = project.language if project.language in MESSAGES else "en"
    return MESSAGES[language].format(title=project.title, date=i18n.day(project.day, language, "long"),
                                     hours=ranges_text(ranges, language), url=invite_url)


def overview(*, session: Session, project: Project, invite_url: str, first: int = 0, last: int = 23) -> dict[str, Any]:
    """The project page's numbers: the 24-hour strip, the empty hours and the message asking for them."""
    moments = moments_in_day_order(session=session, project=project)
    counts = hour_counts(moments)
    first, last = max(0, min(first, 23)), max(0, min(last, 23))
    ranges = missing_ranges(counts, first=first, last=last)
    return {
        "counts": counts, "peak": max([c.total for c in counts] + [1]), "missing": ranges,
        "first": first, "last": last, "ask": ask_message(project=project, ranges=ranges, invite_url=invite_url),
        "pending": sum(1 for m in moments if m.status == "pending"),
        "approved": sum(1 for m in moments if m.status == "approved"), "total": len(moments),
    }


def lanes(*, session: Session, project: Project) -> list[dict[str, Any]]:
    """Approved moments per hour in two lanes, customers and employees, for the side-by-side view."""
    hours: list[dict[str, Any]] = [{"hour": h, "label": f"{h:02d}:00", "customer": [], "employee": []} for h in HOURS]
    for m in moments_in_day_order(session=session, project=project, statuses=("approved",)):
        if m.role in ("customer", "employee"):
            hours[m.captured_local.hour][m.role].append(MomentPublic.of(m))
    used = [h["hour"] for h in hours if h["customer"] or h["employee"]]
    return hours[min(used):max(used) + 1] if used else []
