"""Issue 12 collages: even mosaic rows, a true grid, full lanes, a clock that keeps crowded tiles near their
hour, and every caption inside its tile. Plan-level checks: no media is opened."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from media_pipeline.collage import CollageOptions, CollagePlan, build_collage_plan
from media_pipeline.types import Moment, ProjectInfo

DAY = datetime(2025, 6, 21)
PROJECT = ProjectInfo(title="Bakkerij de Vries", date="2025-06-21", language="nl")
SHAPES = [(1600, 1200), (1200, 1600), (1920, 1080), (1000, 1000), (1080, 1920), (1500, 1000)]
CAPTIONS = ["Koffie bij de bakker om de hoek", "Sfeerimpressie", "Een lange zin over het deeg in de oven", "Klaar!"]


def day(count: int, *, within_minutes: int | None = None) -> list[Moment]:
    out = []
    for i in range(count):
        w, h = SHAPES[i % len(SHAPES)]
        minutes = 12 * 60 + (i * within_minutes) // count if within_minutes else (i * 397) % 600 + 8 * 60
        out.append(
            Moment(
                id=f"m{i:03d}", key=f"m{i:03d}.jpg", kind="clip" if i % 4 == 3 else "photo", width=w, height=h,
                local_time=DAY + timedelta(minutes=minutes), caption=CAPTIONS[i % len(CAPTIONS)],
                contributor=f"c{i % 5}", role=("customer", "employee")[i % 2], mood=3,
            )
        )
    return out


def plan(layout: str, count: int, size: str = "1920x1080", **kw: int) -> CollagePlan:
    return build_collage_plan(day(count, **kw), PROJECT, CollageOptions.from_dict({"layout": layout, "size": size}))


def rows_of(p: CollagePlan) -> list[tuple[int, int]]:
    return sorted({(t.rect[1], t.rect[3]) for t in p.tiles})


@pytest.mark.parametrize("count", [5, 12, 30])
def test_mosaic_rows_are_even_and_the_first_is_never_short(count: int) -> None:
    heights = [h for _, h in rows_of(plan("mosaic", count))]
    assert len(heights) >= 2
    body = heights[:-1]  # the last row may differ
    assert max(body) <= min(body) * 1.15, heights
    assert heights[0] >= max(heights) * 0.7, heights  # was 163 px above a row of 817 px (12 moments)
