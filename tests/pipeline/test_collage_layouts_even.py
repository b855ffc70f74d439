"""Issue 12 collages: even mosaic rows, a true grid, full lanes, a clock that keeps crowded tiles near their
hour, and every caption inside its tile. Plan-level checks: no media is opened."""

from __future__ import annotations

import itertools
import math
from datetime import datetime, timedelta

import pytest

from media_pipeline.collage import CollageOptions, CollagePlan, build_collage_plan
from media_pipeline.collage.clock import angle_deg
from media_pipeline.collage.draw import LINE_HEIGHT
from media_pipeline.collage.geometry import inside
from media_pipeline.collage.model import CollageTile
from media_pipeline.fonts import font
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
                id=f"m{i:03d}",
                key=f"m{i:03d}.jpg",
                kind="clip" if i % 4 == 3 else "photo",
                width=w,
                height=h,
                local_time=DAY + timedelta(minutes=minutes),
                caption=CAPTIONS[i % len(CAPTIONS)],
                contributor=f"c{i % 5}",
                role=("customer", "employee")[i % 2],
                mood=3,
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


def label_text_inside(tile: CollageTile) -> bool:
    """The label strip lies in the tile and every line of it, in the font it is drawn in, fits its width."""
    assert tile.label is not None
    _, _, lw, lh = tile.label.rect
    pad = max(2, round(tile.label.font_px * 0.45))
    lines_h = round(tile.label.font_px * LINE_HEIGHT) * len(tile.label.lines)
    widest = max(
        font(tile.label.font_px, "bold" if i == 0 else "regular").getlength(line)
        for i, line in enumerate(tile.label.lines)
    )
    return inside(tile.label.rect, tile.rect) and widest <= lw - 2 * pad and lines_h + pad <= lh


def whole_words(tile: CollageTile) -> bool:
    """Every caption line is made of the caption's own words (the last may end in "…"): no word is cut."""
    assert tile.label is not None
    words = set(tile.caption.split())
    return all(w.removesuffix("…") in words for line in tile.label.lines[1:] for w in line.split())


@pytest.mark.parametrize(("count", "size"), [(7, "1920x1080"), (14, "1920x1080"), (30, "1280x720")])
def test_grid_is_a_true_grid_with_aligned_caption_bands(count: int, size: str) -> None:
    p = plan("grid", count, size=size)
    assert len({t.rect[2:] for t in p.tiles}) == 1  # every cell the same size
    w, h = p.tiles[0].rect[2:]
    xs, ys = sorted({t.rect[0] for t in p.tiles}), sorted({t.rect[1] for t in p.tiles})
    assert all(b - a == w + p.gutter_px for a, b in itertools.pairwise(xs))  # columns a gutter apart: no gaps
    assert all(b - a == h + p.gutter_px for a, b in itertools.pairwise(ys))
    assert xs[0] - 0 <= len(xs) and p.width - (xs[-1] + w) <= len(xs)  # edge to edge, up to rounding
    for tile in p.tiles:
        shown = (
            tile.source_size[0] * (tile.crop[2] - tile.crop[0]) / (tile.source_size[1] * (tile.crop[3] - tile.crop[1]))
        )
        assert abs(shown - w / h) < 0.01  # the picture fills its cell
        assert label_text_inside(tile) and whole_words(tile), tile.label
        assert " ".join(tile.label.lines[1:]) == tile.caption or len(tile.label.lines) == 3  # whole, or two lines
    bands = {(t.rect[1] + t.rect[3] - t.label.rect[1], t.label.font_px) for t in p.tiles if t.label}
    assert len(bands) == 1  # one band height and one size: the bands line up along each row


def covered(intervals: list[tuple[int, int]]) -> int:
    """Pixels of the union of [start, end) intervals."""
    total, reach = 0, None
    for start, end in sorted(intervals):
        if reach is None or start > reach:
            total, reach = total + end - start, end
        elif end > reach:
            total, reach = total + end - reach, end
    return total


@pytest.mark.parametrize(
    ("count", "size"), [(40, "1920x1080"), (80, "1920x1080"), (120, "1920x1080"), (80, "1280x720")]
)
def test_lanes_use_their_width_and_every_tile_keeps_its_caption(count: int, size: str) -> None:
    p = plan("lanes", count, size=size)
    assert p.lanes is not None
    for row in p.lanes.rows:
        mine = [t.rect for t in p.tiles if inside(t.rect, row.area)]
        # the hours this row has moments in (with 80+ moments: every hour, so the whole lane)
        used = [(x, w) for _, x, w in p.lanes.columns if any(x <= r[0] < x + w for r in mine)]
        if count >= 80:
            assert len(used) == len(p.lanes.columns)
        assert covered([(r[0], r[0] + r[2]) for r in mine]) >= 0.9 * sum(w for _, w in used), row.role
    for tile in p.tiles:  # clips too: every tile shows its time and at least a line of caption, words whole
        assert tile.label is not None and len(tile.label.lines) >= 2, (tile.kind, tile.rect, tile.label)
        assert label_text_inside(tile) and whole_words(tile), tile.label


def test_clock_keeps_fifty_moments_of_ten_minutes_near_their_hour() -> None:
    p = plan("clock", 50, within_minutes=10)
    assert p.dial is not None
    cx, cy = p.dial.centre
    by_id = {m.id: m for m in day(50, within_minutes=10)}
    shown = [t.moment_id for t in p.tiles] + [i for t in p.tiles for i in t.stacked]
    assert sorted(shown) == sorted(by_id)  # every moment once: on a tile or counted on a stack
    for tile in p.tiles:
        x, y, w, h = tile.rect
        at = math.degrees(math.atan2(x + w / 2 - cx, -(y + h / 2 - cy))) % 360
        for moment_id in (tile.moment_id, *tile.stacked):
            m = by_id[moment_id]
            off = abs((at - angle_deg(m.local_time.hour * 3600 + m.local_time.minute * 60) + 180) % 360 - 180)
            assert off <= 15, (moment_id, at)  # within an hour (15 degrees) of its own time
        assert max(w, h) >= 0.05 * min(p.width, p.height)  # tiles stay large enough to see, stacks take the rest
    for a, b in itertools.combinations(p.tiles, 2):
        ax, ay, aw, ah = a.rect
        bx, by, bw, bh = b.rect
        shared = max(0, min(ax + aw, bx + bw) - max(ax, bx)) * max(0, min(ay + ah, by + bh) - max(ay, by))
        assert shared <= 0.05 * min(aw * ah, bw * bh)


@pytest.mark.parametrize("layout", ["mosaic", "grid", "lanes", "clock", "timeline"])
@pytest.mark.parametrize(("count", "size"), [(12, "1920x1080"), (60, "3840x2160"), (30, "640x360")])
def test_every_caption_box_inside_its_tile_with_whole_words(layout: str, count: int, size: str) -> None:
    for tile in plan(layout, count, size=size).tiles:
        if tile.label is not None:
            assert label_text_inside(tile) and whole_words(tile), (layout, tile.rect, tile.label)


def test_clock_stacks_share_a_crowded_time_evenly() -> None:
    """50 moments in 10 minutes: stacks of (nearly) one size, not six "+7" and a lone "+1"."""
    counts = [1 + len(t.stacked) for t in plan("clock", 50, within_minutes=10).tiles]
    assert sum(counts) == 50 and max(counts) - min(counts) <= 1, counts
