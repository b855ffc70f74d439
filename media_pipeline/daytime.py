"""Parts of the day and the time-of-day fold that orders a Life in a Day film."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

PartOfDay = Literal["night", "dawn", "morning", "midday", "afternoon", "evening"]

# (first hour, part); night wraps around midnight
PARTS: list[tuple[int, PartOfDay]] = [
    (0, "night"),
    (5, "dawn"),
    (8, "morning"),
    (12, "midday"),
    (14, "afternoon"),
    (18, "evening"),
    (23, "night"),
]

LABELS: dict[str, dict[PartOfDay, str]] = {
    "en": {
        "night": "Night",
        "dawn": "Dawn",
        "morning": "Morning",
        "midday": "Midday",
        "afternoon": "Afternoon",
        "evening": "Evening",
    },
    "nl": {
        "night": "Nacht",
        "dawn": "Dageraad",
        "morning": "Ochtend",
        "midday": "Middag",
        "afternoon": "Namiddag",
        "evening": "Avond",
    },
}


def part_of_day(hour: int) -> PartOfDay:
    part: PartOfDay = "night"
    for first, name in PARTS:
        if hour >= first:
            part = name
    return part


def part_label(part: PartOfDay, language: str = "en") -> str:
    return LABELS.get(language, LABELS["en"])[part]


def seconds_of_day(local: datetime) -> float:
    """The Life in a Day fold: a moment's place on one 24-hour clock, whatever its date or zone."""
    return local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6


def utc_instant(local: datetime, utc_offset_min: int | None) -> datetime:
    """Naive UTC for full chronology; an unknown offset is taken as UTC+0.

    Raises OverflowError near datetime.min/max: to order moments, use `utc_microseconds`.
    """
    return local - timedelta(minutes=utc_offset_min or 0)


def utc_microseconds(local: datetime, utc_offset_min: int | None) -> int:
    """The UTC instant as microseconds since 0001-01-01, for ordering; an unknown offset is taken as UTC+0.

    Plain integers, not datetimes: a moment in year 1 east of Greenwich or in year 9999 west of it still
    has a place in the order (datetime arithmetic would overflow there).
    """
    seconds = local.toordinal() * 86400 + local.hour * 3600 + local.minute * 60 + local.second
    return (seconds - (utc_offset_min or 0) * 60) * 1_000_000 + local.microsecond
