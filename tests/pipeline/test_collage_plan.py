"""Collage options and plans: parsing, geometry (order, aspect, overlaps, fill), JSON round trip."""

from __future__ import annotations

import itertools
import json
import math
from datetime import datetime, timedelta

import pytest

from media_pipeline.collage import CollageOptions, CollagePlan, PlanError, build_collage_plan
from media_pipeline.collage.clock import angle_deg
from media_pipeline.collage.geometry import MAX_CROP, crop_share, fit_in_box, inside, overlaps
from media_pipeline.collage.timeline import mood_by_hour, smooth
from media_pipeline.fonts import displayable, has_glyph
from media_pipeline.types import Moment, ProjectInfo

DAY = datetime(2025, 6, 21)
PROJECT = ProjectInfo(title="Dag van Zoë en René", date="2025-06-21", language="nl")
SHAPES = [(64, 48), (48, 64), (64, 36), (50, 50), (36, 64), (60, 40)]


def moments(count: int, *, seed: int = 1) -> list[Moment]:
    """`count` moments of mixed shapes at scattered times, listed out of time order."""
    out = []
    for i in range(count):
        minutes = (i * 397 + seed * 61) % (17 * 60) + 6 * 60  # 06:00-23:00, scrambled
        w, h = SHAPES[i % len(SHAPES)]
        out.append(
            Moment(
                id=f"m{i:02d}",
                key=f"m{i:02d}.png",
                kind="photo",
                width=w,
                height=h,
                local_time=DAY + timedelta(minutes=minutes),
                caption=f"Moment {i}",
                contributor=f"c{i % 5}",
                mood=1 + i % 5,
                role=("customer", "employee")[i % 2],  # every moment has a lane
            )
        )
    return out


def plan_for(layout: str, count: int = 14, size: str = "480x270", **extra: object) -> CollagePlan:
    options = CollageOptions.from_dict({"layout": layout, "size": size, **extra})
    return build_collage_plan(moments(count), PROJECT, options)


# --- options -----------------------------------------------------------------------------------------


def test_options_sizes_and_paper() -> None:
    assert CollageOptions.from_dict({"size": "1920x1080"}).size_px == (1920, 1080)
    assert CollageOptions().size_px == (3840, 2160)
    a3 = CollageOptions.from_dict({"size": "A3"})
    assert (a3.format, a3.size_px, a3.dpi) == ("pdf", (3508, 4961), 300)
    a2 = CollageOptions.from_dict({"size": "a2", "landscape": "true"})
    assert a2.size_px == (7016, 4961)
    assert CollageOptions.from_dict(CollageOptions(layout="clock", seed=3).to_dict()) == CollageOptions(
        layout="clock", seed=3
    )


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"size": "huge"}, "not understood"),
        ({"size": "9" * 5000 + "x1080"}, "not understood"),  # more digits than int() reads: still a PlanError
        ({"size": "10x10"}, "from 64 to 8192"),
        ({"layout": "spiral"}, "Unknown collage layout"),
        ({"format": "gif"}, "png, jpg or pdf"),
        ({"labels": "maybe"}, "true or false"),
        ({"colour": "red"}, "Unknown collage option"),
    ],
)
def test_options_refuse_bad_input_readably(data: dict[str, object], fragment: str) -> None:
    with pytest.raises(PlanError, match=fragment):
        CollageOptions.from_dict(data)


def test_no_moments_is_a_plan_error() -> None:
    with pytest.raises(PlanError, match="no moments"):
        build_collage_plan([], PROJECT, CollageOptions())


# --- geometry shared by all layouts --------------------------------------------------------------------


def test_fit_in_box_crops_at_most_the_bound() -> None:
    rect, crop = fit_in_box(300, 100, (0, 0, 100, 100))  # 3:1 into a square: needs far more than 15 %
    assert MAX_CROP - 0.01 <= crop_share(crop) <= MAX_CROP  # the bound, less pixel rounding
    assert rect[2] == 100 and rect[3] == round(100 / (3 * (1 - MAX_CROP)))


@pytest.mark.parametrize("layout", ["mosaic", "grid", "clock", "timeline", "lanes"])
@pytest.mark.parametrize("count", [1, 5, 23])
def test_every_layout_keeps_tiles_apart_inside_and_uncut(layout: str, count: int) -> None:
    plan = plan_for(layout, count)
    assert sorted(t.moment_id for t in plan.tiles) == sorted(m.id for m in moments(count))
    canvas = (0, 0, plan.width, plan.height)
    for tile in plan.tiles:
        assert inside(tile.rect, canvas), tile
        if layout != "grid":  # a true grid fills equal cells: a portrait in a landscape cell is cropped more
            assert crop_share(tile.crop) <= MAX_CROP + 1e-6
        # what is shown has the shape of the cropped source, up to one pixel of rounding
        left, top, right, bottom = tile.crop
        shown = tile.source_size[0] * (right - left) / (tile.source_size[1] * (bottom - top))
        _, _, w, h = tile.rect
        assert (w - 1) / (h + 1) <= shown <= (w + 1) / max(1, h - 1)
        if tile.label is not None:
            assert inside(tile.label.rect, tile.rect)
    for a, b in itertools.combinations(plan.tiles, 2):
        assert not overlaps(a.rect, b.rect), (a.moment_id, b.moment_id)
    if plan.title is not None:
        assert inside(plan.title.rect, canvas)
        assert all(not overlaps(plan.title.rect, t.rect) for t in plan.tiles)


@pytest.mark.parametrize("layout", ["mosaic", "grid"])
def test_mosaic_and_grid_read_in_time_order(layout: str) -> None:
    plan = plan_for(layout, 23)
    times = [t.seconds_of_day for t in plan.tiles]
    assert times == sorted(times)
    for a, b in itertools.pairwise(plan.tiles):
        ax, ay, _, ah = a.rect
        bx, by, _, bh = b.rect
        same_row = abs((ay + ah / 2) - (by + bh / 2)) < min(ah, bh) / 2
        assert (same_row and bx > ax) or by + bh / 2 > ay + ah, (a.rect, b.rect)


def test_mosaic_fills_the_canvas_edge_to_edge_with_even_gutters() -> None:
    plan = plan_for("mosaic", 23, size="640x360")
    assert plan.title is not None
    g = plan.gutter_px
    rows: dict[int, list[tuple[int, int, int, int]]] = {}
    for tile in plan.tiles:
        rows.setdefault(tile.rect[1], []).append(tile.rect)
    tops = sorted(rows)
    assert tops[0] == plan.title.rect[3] + g
    for top, nxt in itertools.pairwise(tops):
        assert nxt - (top + rows[top][0][3]) == g  # even gutter between rows
    assert tops[-1] + rows[tops[-1]][0][3] == plan.height  # rows fill the height
    for row in rows.values():
        row.sort()
        # edge to edge, or (when only uneven rows would fill exactly) a centred block losing at most 2 %
        margin = row[0][0]
        assert margin <= plan.width * 0.02 and abs(plan.width - (row[-1][0] + row[-1][2]) - margin) <= 1
        assert all(b[0] - (a[0] + a[2]) == g for a, b in itertools.pairwise(row))
        assert len({r[3] for r in row}) == 1  # one height per row


def test_timeline_runs_left_to_right_and_clock_runs_clockwise() -> None:
    timeline = plan_for("timeline", 23)
    centres = [t.rect[0] + t.rect[2] / 2 for t in timeline.tiles]
    assert centres == sorted(centres)
    assert [t.seconds_of_day for t in timeline.tiles] == sorted(t.seconds_of_day for t in timeline.tiles)

    clock = plan_for("clock", 23)
    assert clock.dial is not None
    cx, cy = clock.dial.centre
    turned = []
    for tile in clock.tiles:
        x, y, w, h = tile.rect
        deg = math.degrees(math.atan2(x + w / 2 - cx, -(y + h / 2 - cy))) % 360  # clockwise from the top
        first = turned[0] if turned else deg
        turned.append(deg if not turned else (deg - first + 1) % 360 + first)  # 1 degree of rounding slack
        assert math.hypot(x + w / 2 - cx, y + h / 2 - cy) > clock.dial.radius  # outside the dial
        assert tile.leader is not None
        rim = tile.leader[0]  # the leader starts on the dial at the exact time
        exact = angle_deg(tile.seconds_of_day)
        assert math.degrees(math.atan2(rim[0] - cx, -(rim[1] - cy))) % 360 == pytest.approx(exact, abs=0.5)
    assert turned == sorted(turned)  # one clockwise sweep, in time order


def test_clock_with_few_moments_puts_each_at_its_exact_time() -> None:
    plan = plan_for("clock", 4, size="960x540")
    assert plan.dial is not None
    cx, cy = plan.dial.centre
    for tile in plan.tiles:
        x, y, w, h = tile.rect
        deg = math.degrees(math.atan2(x + w / 2 - cx, -(y + h / 2 - cy))) % 360
        assert (deg - angle_deg(tile.seconds_of_day) + 180) % 360 - 180 == pytest.approx(0, abs=1.5)


def test_dial_parts_and_title_speak_the_projects_language() -> None:
    plan = plan_for("clock", 5)
    assert plan.dial is not None and plan.title is not None
    assert {p.label for p in plan.dial.parts} == {"Nacht", "Dageraad", "Ochtend", "Middag", "Namiddag", "Avond"}
    assert plan.title.shape == "disc" and plan.title.title == "Dag van Zoë en René"
    assert plan.title.subtitle == "zaterdag 21 juni 2025 · 5 deelnemers"


def test_labels_off_and_title_off() -> None:
    plan = plan_for("mosaic", 5, labels=False, title=False)
    assert plan.title is None and all(t.label is None for t in plan.tiles)
    # too few pictures to fill 16:9 uncut: the block still reaches two opposite edges, centred
    top, bottom = min(t.rect[1] for t in plan.tiles), max(t.rect[1] + t.rect[3] for t in plan.tiles)
    left, right = min(t.rect[0] for t in plan.tiles), max(t.rect[0] + t.rect[2] for t in plan.tiles)
    assert (top, bottom) == (0, plan.height) or (left, right) == (0, plan.width)
    assert abs(top - (plan.height - bottom)) <= 1 and abs(left - (plan.width - right)) <= 1


def test_plan_round_trips_through_json() -> None:
    for layout in ("mosaic", "clock", "timeline", "grid", "lanes"):
        plan = plan_for(layout, 9)
        again = CollagePlan.from_dict(json.loads(json.dumps(plan.to_dict())))
        assert again == plan


def test_plan_is_deterministic_and_ignores_input_order() -> None:
    a = build_collage_plan(moments(12), PROJECT, CollageOptions(layout="clock", width=480, height=270))
    b = build_collage_plan(moments(12)[::-1], PROJECT, CollageOptions(layout="clock", width=480, height=270))
    assert a.to_dict() == b.to_dict()


# --- mood ----------------------------------------------------------------------------------------------


def test_mood_is_averaged_per_contributor_then_per_hour_and_smoothed() -> None:
    at = [DAY + timedelta(hours=9, minutes=m) for m in (0, 10, 20)] + [DAY + timedelta(hours=10)]
    ms = [
        Moment(id="a", key="a", kind="photo", width=1, height=1, local_time=at[0], contributor="ann", mood=5),
        Moment(id="b", key="b", kind="photo", width=1, height=1, local_time=at[1], contributor="ann", mood=5),
        Moment(id="c", key="c", kind="photo", width=1, height=1, local_time=at[2], contributor="bob", mood=1),
        Moment(id="d", key="d", kind="photo", width=1, height=1, local_time=at[3], contributor="bob", mood=4),
    ]
    hourly = mood_by_hour(ms, [t.hour * 3600 + t.minute * 60 for t in at])
    assert hourly == [(9, 3.0), (10, 4.0)]  # ann counts once at 9, not twice
    assert smooth(hourly) == [(9, pytest.approx(3.333, abs=1e-3)), (10, pytest.approx(3.667, abs=1e-3))]


def test_timeline_marks_the_lowest_and_highest_hour() -> None:
    plan = plan_for("timeline", 23)
    axis = plan.axis
    assert axis is not None and axis.high is not None and axis.low is not None
    assert axis.high.mood > axis.low.mood
    assert axis.high.point[1] < axis.low.point[1]  # higher mood is drawn higher
    assert axis.low.text.startswith("laagste") and axis.high.text.startswith("hoogste")
    assert len(axis.mood_curve) > len(axis.mood_hourly)
    assert all(inside((round(x), round(y), 0, 0), axis.mood_band) for x, y in axis.mood_curve)


# --- text -----------------------------------------------------------------------------------------------


def test_dutch_names_are_drawn_whole() -> None:
    assert all(has_glyph(c) for c in "éëÉËïü")
    assert displayable("Ĳsbrand en Marĳke uit Ĳmuiden") == "IJsbrand en Marijke uit IJmuiden"
    project = ProjectInfo(title="Café Ĳzer", date="2025-06-21")
    plan = build_collage_plan(moments(2), project, CollageOptions(width=320, height=180))
    assert plan.title is not None and plan.title.title == "Café IJzer"


def test_clip_poster_second_comes_from_the_kept_part() -> None:
    at = DAY + timedelta(hours=9)
    clips = [
        Moment(id="long", key="a", kind="clip", width=64, height=48, local_time=at, duration_s=10.0),
        Moment(id="short", key="b", kind="clip", width=64, height=48, local_time=at, duration_s=0.8),
        Moment(
            id="trimmed",
            key="c",
            kind="clip",
            width=64,
            height=48,
            local_time=at,
            duration_s=10.0,
            trim_in_s=3.0,
            trim_out_s=3.6,
        ),
        Moment(id="photo", key="d", kind="photo", width=64, height=48, local_time=at),
    ]
    plan = build_collage_plan(clips, PROJECT, CollageOptions(layout="grid", width=320, height=180))
    assert {t.moment_id: t.frame_at_s for t in plan.tiles} == {"long": 1.0, "short": 0.4, "trimmed": 3.3, "photo": None}


@pytest.mark.parametrize("layout", ["mosaic", "grid", "clock", "timeline"])
def test_moments_all_at_one_minute_without_moods_still_lay_out(layout: str) -> None:
    same = [
        Moment(id=f"s{i}", key=f"s{i}", kind="photo", width=64, height=48, local_time=DAY + timedelta(hours=13))
        for i in range(12)
    ]
    plan = build_collage_plan(same, PROJECT, CollageOptions(layout=layout, width=480, height=270))
    # every moment on a tile, or (clock, too crowded for tiles near their time) counted on a stack
    assert len(plan.tiles) + sum(len(t.stacked) for t in plan.tiles) == 12
    assert layout == "clock" or len(plan.tiles) == 12
    assert all(inside(t.rect, (0, 0, 480, 270)) and t.rect[2] >= 8 for t in plan.tiles)
    for a, b in itertools.combinations(plan.tiles, 2):
        assert not overlaps(a.rect, b.rect)
    if plan.axis is not None:
        assert plan.axis.mood_curve == () and plan.axis.high is None  # no moods: no curve, no marks
        assert (plan.axis.start_hour, plan.axis.end_hour) == (13, 14)
