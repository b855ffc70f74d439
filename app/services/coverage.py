"""Coverage of the day: moments per hour, customers and employees apart, and which hours are missing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select, union_all
from sqlalchemy.orm import Session

from app import i18n
from app.models import US_PER_HOUR, Moment, Project
from app.schemas import MomentPublic

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


def hour_of_day() -> Any:
    """The local hour (0-23) of a moment, computed by the database from its time of day."""
    return Moment.day_us // US_PER_HOUR


def hour_counts(rows: Iterable[tuple[int, str, int]]) -> list[HourCount]:
    """Moments per local hour of the day from (hour, role, count) rows."""
    counts = {h: {"customer": 0, "employee": 0, "": 0} for h in HOURS}
    for hour, role, n in rows:
        counts[hour][role if role in ("customer", "employee") else ""] += n
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
    """The project page's numbers: the 24-hour strip, the empty hours and the message asking for them; one
    GROUP BY query, whatever the number of moments."""
    hour = hour_of_day()
    rows = session.execute(select(hour, Moment.role, Moment.status, func.count(Moment.id))
                           .where(Moment.project_id == project.id)
                           .group_by(hour, Moment.role, Moment.status)).all()
    by_status: dict[str, int] = {}
    for _hour, _role, status, n in rows:
        by_status[status] = by_status.get(status, 0) + n
    # hidden ones do not count for coverage: they will not be shown
    counts = hour_counts((h, role, n) for h, role, status, n in rows if status != "hidden")
    first, last = max(0, min(first, 23)), max(0, min(last, 23))
    ranges = missing_ranges(counts, first=first, last=last)
    return {
        "counts": counts, "peak": max([c.total for c in counts] + [1]), "missing": ranges,
        "first": first, "last": last, "ask": ask_message(project=project, ranges=ranges, invite_url=invite_url),
        "pending": by_status.get("pending", 0), "approved": by_status.get("approved", 0),
        "total": sum(by_status.values()),
    }


LANE_TILES = 4  # moments shown per hour and lane; the rest are counted


@cache
def _lane_firsts() -> Select[Moment]:
    """The first LANE_TILES approved moments of every hour and lane of a project (bound: `project_id`); built
    once, so SQLAlchemy compiles it once."""
    firsts = [select(Moment.id).where(Moment.project_id == bindparam("project_id"), Moment.status == "approved",
                                      Moment.role == role,
                                      Moment.day_us.between(h * US_PER_HOUR, (h + 1) * US_PER_HOUR - 1))
              .order_by(Moment.day_us, Moment.id).limit(LANE_TILES).subquery()
              for h in HOURS for role in ("customer", "employee")]
    return (select(Moment).where(Moment.id.in_(union_all(*(select(f.c.id) for f in firsts))))
            .order_by(Moment.day_us, Moment.id))


def lanes(*, session: Session, project: Project) -> list[dict[str, Any]]:
    """Approved moments per hour in two lanes, customers and employees, for the side-by-side view: the first
    few of each hour and lane and how many there are. The first few come from one statement of 48 small
    index range scans (hour by hour, lane by lane), so it reads what it shows, not the whole day."""
    hours: list[dict[str, Any]] = [{"hour": h, "label": f"{h:02d}:00", "customer": [], "employee": [],
                                    "customer_n": 0, "employee_n": 0} for h in HOURS]
    where = (Moment.project_id == project.id, Moment.status == "approved", Moment.role.in_(("customer", "employee")))
    hour = hour_of_day()
    for h, role, n in session.execute(select(hour, Moment.role, func.count(Moment.id)).where(*where)
                                      .group_by(hour, Moment.role)):
        hours[h][f"{role}_n"] = n
    shown = session.scalars(_lane_firsts(), {"project_id": project.id})
    for m in shown:
        hours[m.captured_local.hour][m.role].append(MomentPublic.of(m))
    used = [h["hour"] for h in hours if h["customer_n"] or h["employee_n"]]
    return hours[min(used):max(used) + 1] if used else []
