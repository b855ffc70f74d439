"""Times as a contributor sees and types them: wall-clock time in the project's zone, whatever zone the phone
is in. The upload page (contribute.js, with Intl) and "my moments" (here) show a moment's time the same way."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def shown_time(local: datetime, utc_offset_min: int | None, zone_name: str) -> datetime:
    """A moment's time (its own wall clock and offset) as wall-clock time in the project's zone; without a
    known offset (or zone) it cannot be converted and is shown as it is."""
    zone = _zone(zone_name)
    if utc_offset_min is None or zone is None:
        return local
    try:
        instant = (local - timedelta(minutes=utc_offset_min)).replace(tzinfo=ZoneInfo("UTC"))
        return instant.astimezone(zone).replace(tzinfo=None)
    except OverflowError:  # a camera clock at year 1 or 9999: show what the file says
        return local


def in_project_zone(wall: datetime, zone_name: str) -> datetime:
    """A typed wall-clock time (naive) as an aware time in the project's zone (naive if the zone is unknown)."""
    zone = _zone(zone_name)
    return wall.replace(tzinfo=zone) if zone is not None and wall.tzinfo is None else wall
