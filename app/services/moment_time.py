"""The one rule for a capture time a client sends for a project's moment: near the project's day.

A moment belongs to one day. A time years away is a typo or a wrong clock, and a year like 9999 with a
western offset would stop every film of the project (the UTC instant does not exist as a datetime). Every
entry that takes a time for a project (API upload and PATCH, staff pages, the contributor's own edit, the
direct and resumable upload's `captured_at`) calls `check_capture_time`; the CLI, which has no project
day, does not. A time read from the file itself is not a client's input: it is kept, but `in_window` tells
the caller to ask the contributor to check it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.services.errors import Invalid

WINDOW_DAYS = 400  # a workshop day and its preparations/follow-ups; more is a wrong date, not a real moment
# real UTC offsets run from -12:00 (Baker Island) to +14:00 (Line Islands)
MIN_OFFSET_MIN, MAX_OFFSET_MIN = -12 * 60, 14 * 60
TRANSLATION_KEY = "err.time_range"  # the catalogues (app/locales): the same sentence in the page's language


class CaptureTimeOutOfRange(Invalid):
    """A 422 whose sentence a contributor page can show in its own language (`translation_key`)."""

    translation_key = TRANSLATION_KEY


def in_window(local: datetime, day: date) -> bool:
    """True when the local date of `local` is at most WINDOW_DAYS from `day` (date arithmetic: no overflow)."""
    return abs((local.date() - day).days) <= WINDOW_DAYS


def capture_window(day: date) -> tuple[str, str]:
    """The first and last date (ISO) a client's capture time may name for a project on `day`."""
    return ((day - timedelta(days=WINDOW_DAYS)).isoformat(), (day + timedelta(days=WINDOW_DAYS)).isoformat())


def check_offset(minutes: int | None) -> None:
    if minutes is not None and not MIN_OFFSET_MIN <= minutes <= MAX_OFFSET_MIN:
        raise Invalid("the UTC offset must be between -12:00 and +14:00")


def check_capture_time(when: datetime | None, day: date, *, utc_offset_min: int | None = None) -> None:
    """Raise a 422 (Invalid) unless `when` (local wall-clock time, with or without its offset) lies within
    WINDOW_DAYS of the project's `day` and any offset is a real one. None (no time sent) passes."""
    if when is None:
        check_offset(utc_offset_min)
        return
    offset = when.utcoffset()
    check_offset(int(offset // timedelta(minutes=1)) if offset is not None else utc_offset_min)
    if not in_window(when, day):
        first, last = capture_window(day)
        raise CaptureTimeOutOfRange(
            f"the time {when.date().isoformat()} is too far from the project's day ({day.isoformat()}): "
            f"please give a date between {first} and {last}"
        )
