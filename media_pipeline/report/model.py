"""What the workshop report says, as plain data: the app gathers it, `pdf` (and the app's HTML page) show it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReportMoment:
    time: str  # "07:32"
    caption: str
    mood: int | None
    role: str
    image: str | None = None  # a local file (a preview), downsampled to print size when placed
    link: str = ""  # where a screen finds its picture (the HTML report)


@dataclass(frozen=True)
class ReportTheme:
    name: str
    count: int
    mean_mood: float | None
    span: str  # "07:05–11:20"
    customers: int
    employees: int
    quotes: tuple[str, ...]  # the strongest, already chosen


@dataclass(frozen=True)
class ReportAction:
    text: str
    owner: str
    due: str  # "2026-04-01" or ""


@dataclass(frozen=True)
class ReportData:
    title: str
    date: str  # YYYY-MM-DD
    language: str  # en | nl
    scope: str  # the consent scope the report was made for: workshop | organisation | public
    moments: int
    contributors: int
    customers: int
    employees: int
    cover_image: str | None = None  # a collage of the day
    mood_hourly: tuple[tuple[int, float], ...] = ()  # (hour, mean mood)
    high: tuple[ReportMoment, ...] = ()
    low: tuple[ReportMoment, ...] = ()
    themes_map: str | None = None
    themes: tuple[ReportTheme, ...] = ()
    first_hour: int = 0
    last_hour: int = 23
    missing_hours: tuple[tuple[int, int], ...] = ()  # (start, end exclusive) with no moment at all
    missing_customers: tuple[tuple[int, int], ...] = ()
    missing_employees: tuple[tuple[int, int], ...] = ()
    notes: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (prompt, notes typed under it)
    actions: tuple[ReportAction, ...] = ()
    brand_color: str = "#E4572E"
    extra: dict[str, str] = field(default_factory=dict)
