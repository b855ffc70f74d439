"""Collages of big days show what stays legible, chosen fairly, and say how many more there are."""

from __future__ import annotations

import json
import random
from statistics import median

import pytest

from media_pipeline.collage import CollageOptions, CollagePlan, PlanError, build_collage_plan
from media_pipeline.collage.capacity import default_max_tiles, legible_side_px
from media_pipeline.collage.geometry import overlaps
from media_pipeline.collage.wording import more_text
from media_pipeline.types import ProjectInfo
from tests.pipeline.bigday import big_day

PROJECT = ProjectInfo(title="Een grote dag", date="2025-06-21", language="nl")
LAYOUTS = ("mosaic", "clock", "timeline", "grid", "lanes")
DAY_2000 = big_day(2_000)


def plan_of(layout: str, size: str = "960x540", **extra: object) -> CollagePlan:
    return build_collage_plan(DAY_2000, PROJECT, CollageOptions.from_dict({"layout": layout, "size": size, **extra}))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_big_day_shows_at_most_the_legible_count_and_says_how_many_more(layout: str) -> None:
    plan = plan_of(layout)
    cap = default_max_tiles(layout, (960, 540))
    shown = len(plan.tiles) + sum(len(t.stacked) for t in plan.tiles)
    # the clock takes fewer when a crowded noon would shrink its tiles: then it needs no stacks
    assert shown == cap if layout != "clock" else (shown <= cap and not any(t.stacked for t in plan.tiles))
    assert plan.more is not None and plan.more.count == 2_000 - shown
    assert plan.more.text == more_text(2_000 - shown, "nl") and plan.more.text.startswith("+ 1.")
    assert not any(overlaps(t.rect, plan.more.rect) for t in plan.tiles)  # the note's strip is clear
    assert plan.more.rect[1] + plan.more.rect[3] == plan.height
    assert CollagePlan.from_dict(json.loads(json.dumps(plan.to_dict()))) == plan


@pytest.mark.parametrize("layout", ["mosaic", "grid", "timeline"])
def test_the_default_count_keeps_tiles_legible(layout: str) -> None:
    plan = plan_of(layout, "1920x1080")
    assert median(min(t.rect[2], t.rect[3]) for t in plan.tiles) >= 0.9 * legible_side_px((1920, 1080))


def test_the_sample_spans_every_hour_both_roles_and_many_contributors() -> None:
    plan = plan_of("grid", max_tiles=40)
    by_id = {m.id: m for m in DAY_2000}
    shown = [by_id[t.moment_id] for t in plan.tiles]
    assert len(shown) == 40 and plan.more is not None and plan.more.count == 1_960
    assert {m.local_time.hour for m in shown} == {m.local_time.hour for m in DAY_2000}
    assert len({m.contributor for m in shown}) == 40  # 400 people: nobody twice
    roles = [m.role for m in shown]
    assert 15 <= roles.count("customer") <= 25
    assert [t.seconds_of_day for t in plan.tiles] == sorted(t.seconds_of_day for t in plan.tiles)


def test_the_sample_is_deterministic_and_ignores_input_order() -> None:
    options = CollageOptions.from_dict({"layout": "mosaic", "size": "960x540", "seed": 3})
    shuffled = list(DAY_2000)
    random.Random(2).shuffle(shuffled)
    first = build_collage_plan(DAY_2000, PROJECT, options)
    assert build_collage_plan(shuffled, PROJECT, options) == first
    other = build_collage_plan(DAY_2000, PROJECT, CollageOptions.from_dict({"size": "960x540", "seed": 4}))
    assert [t.moment_id for t in other.tiles] != [t.moment_id for t in first.tiles]


def test_a_small_day_shows_everything_and_no_note() -> None:
    plan = build_collage_plan(DAY_2000[:30], PROJECT, CollageOptions.from_dict({"size": "960x540"}))
    assert len(plan.tiles) == 30 and plan.more is None


def test_a_crowded_clock_shows_fewer_moments_rather_than_tiny_tiles() -> None:
    lunch = [m for m in DAY_2000 if 11 <= m.local_time.hour < 14]  # hundreds of moments in three hours
    plan = build_collage_plan(lunch, PROJECT, CollageOptions.from_dict({"layout": "clock", "size": "1920x1080"}))
    assert plan.more is not None and len(plan.tiles) < default_max_tiles("clock", (1920, 1080))
    assert plan.more.count == len(lunch) - len(plan.tiles)
    assert min(max(t.rect[2], t.rect[3]) for t in plan.tiles) >= 0.055 * 1080  # clock.MIN_TILE
    assert not any(t.stacked for t in plan.tiles)


def test_max_tiles_option() -> None:
    assert CollageOptions.from_dict({"max_tiles": ""}).max_tiles is None
    assert CollageOptions.from_dict({"max_tiles": "12"}).max_tiles == 12
    for bad in ("0", "1001", "many"):
        with pytest.raises(PlanError, match="tiles"):
            CollageOptions.from_dict({"max_tiles": bad})


def test_more_wording() -> None:
    assert more_text(4213, "en") == "+ 4,213 more moments"
    assert more_text(4213, "nl") == "+ 4.213 momenten meer"
    assert more_text(1, "en") == "+ 1 more moment"
