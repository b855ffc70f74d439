"""Planning takes any real date: moments near datetime.min / datetime.max and mixed years never overflow.

The CLI has no project day, so it keeps every date a file can carry; the planners must order them all.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from media_pipeline.capture_time import resolve_capture_time, utc_time
from media_pipeline.collage import CollageOptions, build_collage_plan
from media_pipeline.daytime import utc_microseconds
from media_pipeline.film import FilmOptions, build_film_plan
from media_pipeline.types import CaptureTime, Moment, ProjectInfo

PROJECT = ProjectInfo(title="Any year", date="2024-07-24")


def moments() -> list[Moment]:
    """Year 1 east of Greenwich and year 9999 west of it: the UTC instant is outside datetime's range."""
    rows = [
        ("first", datetime.min, 14 * 60, "customer"),
        ("last", datetime.max, -12 * 60, "employee"),
        ("today", datetime(2024, 7, 24, 12, 30), 120, "customer"),
        ("old", datetime(1971, 1, 1, 0, 0), None, "employee"),
        ("late", datetime(9999, 12, 31, 23, 59), 60, "customer"),
        ("early", datetime(1, 1, 1, 23, 0), -300, "employee"),
    ]
    return [Moment(id, f"{id}.jpg", "photo", 160, 90, when, offset, role=role, alias=id)  # type: ignore[arg-type]
            for id, when, offset, role in rows]


def test_utc_order_key_is_exact_and_never_overflows() -> None:
    assert utc_microseconds(datetime.min, 60) < utc_microseconds(datetime.min, 0) < utc_microseconds(datetime.min, -60)
    assert utc_microseconds(datetime.max, -720) > utc_microseconds(datetime.max, 0)
    # the same instant written in two zones has one key
    assert utc_microseconds(datetime(2024, 7, 24, 9, 0), 120) == utc_microseconds(datetime(2024, 7, 24, 7, 0), 0)


@pytest.mark.parametrize("ordering", ["chronological", "time-of-day"])
@pytest.mark.parametrize("chapters", ["parts", "hours", "none"])
@pytest.mark.parametrize("lanes", [False, True])
def test_film_plan_orders_moments_of_any_year(ordering: str, chapters: str, lanes: bool) -> None:
    options = FilmOptions.from_dict({"ordering": ordering, "chapters": chapters, "lanes": lanes, "fps": 10,
                                     "width": 160, "height": 90})
    plan = build_film_plan(moments(), PROJECT, options)
    shown = {seg.moment_id for seg in plan.segments if seg.moment_id}
    shown |= {lane.moment.moment_id for seg in plan.segments for lane in seg.lanes if lane.moment}
    assert shown == {m.id for m in moments()}
    if ordering == "chronological" and not lanes:
        order = [seg.moment_id for seg in plan.segments if seg.moment_id]
        assert order[0] == "first" and order[-1] == "last"
        assert order.index("early") < order.index("old") < order.index("today") < order.index("late")
    assert plan.length_s > 0
    assert plan.to_dict()["segments"]


@pytest.mark.parametrize("layout", ["mosaic", "clock", "timeline", "grid", "lanes"])
def test_collage_plan_places_moments_of_any_year(layout: str) -> None:
    plan = build_collage_plan(moments(), PROJECT, CollageOptions.from_dict({"layout": layout, "size": "1280x720"}))
    assert {t.moment_id for t in plan.tiles} == {m.id for m in moments()}


@pytest.mark.parametrize("zone", [None, "Pacific/Kiritimati", "America/Adak"])
def test_capture_time_of_any_year_never_overflows(zone: str | None) -> None:
    """Year 1 east and year 9999 west of Greenwich from a file or a client: skipped as wrong clocks, no crash."""
    uploaded = datetime(2024, 7, 24, 12, tzinfo=UTC)
    east, west = timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))
    for client in (datetime.min.replace(tzinfo=east), datetime.max.replace(tzinfo=west), datetime.min, datetime.max):
        found = resolve_capture_time(embedded=None, filename=None, client_captured_at=client, device_tz=zone,
                                     project_tz=None, uploaded_at=uploaded)
        assert found.source == "upload"
    for embedded in (CaptureTime(datetime.max, -720, "exif"), CaptureTime(datetime.max, 0, "container-utc"),
                     CaptureTime(datetime.min, 0, "container-utc")):
        found = resolve_capture_time(embedded=embedded, filename=None, client_captured_at=None, device_tz=zone,
                                     project_tz=None, uploaded_at=uploaded)
        assert found.source == "upload"
    assert utc_time("9999-12-31T23:59:59-05:00") is None


@pytest.mark.parametrize("when", [datetime.min, datetime(999, 5, 6, 7, 8, 9, 123), datetime.max])
def test_probe_rows_give_any_year_back_as_it_was(when: datetime) -> None:
    """`dayreel probe --json` and the CLI's folder films read `captured_local` back with fromisoformat."""
    text = CaptureTime(when, None, "exif").to_dict()["captured_local"]
    assert datetime.fromisoformat(text) == when.replace(microsecond=0)
