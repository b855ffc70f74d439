"""The lanes collage: customers' row above the employees', per hour; plan geometry and rendered pixels."""

from __future__ import annotations

import colorsys
import itertools
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from media_pipeline.collage import CollageOptions, CollagePlan, PlanError, build_collage_plan, render_collage
from media_pipeline.collage.draw import mix
from media_pipeline.collage.geometry import MAX_CROP, crop_share, inside, overlaps
from media_pipeline.collage.lanes import lane_colour
from media_pipeline.collage.model import LanesAxis
from media_pipeline.types import Moment, ProjectInfo
from tests.mediagen import make_photo
from tests.pixels import pixels

DAY = datetime(2025, 6, 21)
EN = ProjectInfo(title="Library day", date="2025-06-21", language="en", brand_color="#1F6F8B")
NL = ProjectInfo(title="Bibliotheekdag", date="2025-06-21", language="nl", brand_color="#1F6F8B")
SHAPES = [(64, 48), (48, 64), (64, 36), (50, 50), (36, 64)]
# 08:00-16:59; nobody at 12:00 or 15:00, customers absent at 10:00, a crowded 14:00 for employees
MINUTES = [8 * 60 + 5, 8 * 60 + 40, 9 * 60 + 10, 9 * 60 + 12, 9 * 60 + 50, 10 * 60 + 30, 11 * 60 + 1, 11 * 60 + 59]
MINUTES += [
    13 * 60 + 20,
    14 * 60 + 2,
    14 * 60 + 9,
    14 * 60 + 15,
    14 * 60 + 31,
    14 * 60 + 44,
    14 * 60 + 58,
    16 * 60 + 30,
]
ROLES = ["customer", "employee", "customer", "employee", "", "employee", "customer", "employee"]
ROLES += ["customer", "employee", "employee", "", "employee", "employee", "customer", "employee"]


def colour(i: int, count: int) -> tuple[int, int, int]:
    r, g, b = colorsys.hsv_to_rgb(i / count, 1.0, 1.0)
    return (round(r * 255), round(g * 255), round(b * 255))


def day(count: int = len(MINUTES)) -> list[Moment]:
    """Moments of mixed shapes and roles (two without a role), listed out of time order."""
    out = [
        Moment(
            id=f"m{i:02d}",
            key=f"m{i:02d}.png",
            kind="photo",
            width=SHAPES[i % len(SHAPES)][0],
            height=SHAPES[i % len(SHAPES)][1],
            local_time=DAY + timedelta(minutes=MINUTES[i]),
            caption=f"Moment {i}",
            role=ROLES[i],  # type: ignore[arg-type]
            contributor=f"c{i % 4}",
        )
        for i in range(count)
    ]
    return out[::-1]


def lanes_plan(project: ProjectInfo = EN, size: str = "480x270", moments: list[Moment] | None = None, **extra: object):
    options = CollageOptions.from_dict({"layout": "lanes", "size": size, **extra})
    return build_collage_plan(day() if moments is None else moments, project, options)


def frame(plan: CollagePlan) -> LanesAxis:
    assert plan.lanes is not None
    return plan.lanes


def row_of(plan: CollagePlan, tile_rect: tuple[int, int, int, int]) -> str:
    rows = [r.role for r in frame(plan).rows if inside(tile_rect, r.area)]
    assert len(rows) == 1, tile_rect
    return rows[0]


def along(plan: CollagePlan, rect: tuple[int, int, int, int]) -> tuple[int, int]:
    """(start, length) of a rectangle along the hour axis: x on landscape canvases, y on portrait ones."""
    return (rect[1], rect[3]) if frame(plan).vertical else (rect[0], rect[2])


def across(plan: CollagePlan, rect: tuple[int, int, int, int]) -> tuple[int, int]:
    """(start, length) across the hour axis: from the customers' side toward the employees'."""
    return (rect[0], rect[2]) if frame(plan).vertical else (rect[1], rect[3])


def cell_of(tile_id: str) -> tuple[str, int]:
    m = next(m for m in day() if m.id == tile_id)
    return m.role, m.local_time.hour


@pytest.mark.parametrize(("size", "vertical"), [("480x270", False), ("1920x1080", False), ("640x900", True)])
def test_each_role_moment_once_in_its_row_and_hour_column(size: str, vertical: bool) -> None:
    plan = lanes_plan(size=size)
    lanes = frame(plan)
    assert lanes.vertical == vertical  # a portrait page runs the hours down, customers on the left
    with_role = sorted(m.id for m in day() if m.role)
    assert sorted(t.moment_id for t in plan.tiles) == with_role
    assert [r.role for r in lanes.rows] == ["customer", "employee"]
    upper, lower = (across(plan, r.area) for r in lanes.rows)
    band = across(plan, lanes.band)
    assert upper[0] + upper[1] <= band[0] < band[0] + band[1] <= lower[0]
    columns = {hour: (start, length) for hour, start, length in lanes.columns}
    assert sorted(columns) == list(range(8, 17))
    for tile in plan.tiles:
        role, hour = cell_of(tile.moment_id)
        assert row_of(plan, tile.rect) == role
        start, length = columns[hour]
        t_start, t_length = along(plan, tile.rect)
        assert start <= t_start and t_start + t_length <= start + length


@pytest.mark.parametrize("size", ["480x270", "1920x1080", "640x900"])
def test_tiles_a_gutter_apart_and_in_time_order_per_row(size: str) -> None:
    """(Shapes and labels inside tiles: test_collage_plan checks them for every layout, lanes too.)"""
    plan = lanes_plan(size=size)
    assert all(inside(t.rect, (0, 0, plan.width, plan.height)) for t in plan.tiles)
    assert max(crop_share(t.crop) for t in plan.tiles) <= MAX_CROP + 1e-6
    for a, b in itertools.combinations(plan.tiles, 2):  # a gutter apart (less a pixel of rounding)
        assert not overlaps(a.rect, b.rect, plan.gutter_px - 1), (a.moment_id, b.moment_id)
    for hole in frame(plan).empty:
        assert all(not overlaps(hole, t.rect) for t in plan.tiles)
    assert [t.seconds_of_day for t in plan.tiles] == sorted(t.seconds_of_day for t in plan.tiles)
    for role in ("customer", "employee"):
        row = [t for t in plan.tiles if row_of(plan, t.rect) == role]
        centres = [along(plan, t.rect)[0] + along(plan, t.rect)[1] / 2 for t in row]
        # along the hours in time order; tiles stacked in one sub-column share a centre (to rounding)
        assert all(b >= a - 1 for a, b in itertools.pairwise(centres)), centres
        for (a, ca), (b, cb) in itertools.pairwise(zip(row, centres, strict=True)):
            if abs(ca - cb) <= 1:  # same sub-column: the later one further from the customers' side
                assert across(plan, b.rect)[0] >= sum(across(plan, a.rect))


@pytest.mark.parametrize("size", ["960x540", "540x960"])
def test_stacks_hug_the_hour_band_and_a_crowded_hour_shrinks(size: str) -> None:
    plan = lanes_plan(size=size)
    upper, lower = (across(plan, r.area) for r in frame(plan).rows)
    for role, hour in {cell_of(t.moment_id) for t in plan.tiles}:
        cell = [across(plan, t.rect) for t in plan.tiles if cell_of(t.moment_id) == (role, hour)]
        if role == "customer":
            assert max(start + length for start, length in cell) == upper[0] + upper[1]
        else:
            assert min(start for start, _ in cell) == lower[0]
    crowded = [t for t in plan.tiles if cell_of(t.moment_id) == ("employee", 14)]
    alone = next(t for t in plan.tiles if t.moment_id == "m15")  # 16:30, alone in its cell, 64x48 like m00
    assert len(crowded) == 4
    assert max(t.rect[2] * t.rect[3] for t in crowded) < alone.rect[2] * alone.rect[3]


@pytest.mark.parametrize("size", ["960x540", "540x960"])
def test_empty_hours_get_placeholders_and_a_narrower_column(size: str) -> None:
    plan = lanes_plan(size=size)
    lanes = frame(plan)
    widths = {hour: length for hour, _, length in lanes.columns}
    assert max(widths[12], widths[15]) < min(w for h, w in widths.items() if h not in (12, 15))  # nobody: narrower
    cells = {(row.role, hour) for row in lanes.rows for hour in widths}
    empty = cells - {cell_of(t.moment_id) for t in plan.tiles}
    assert ("customer", 10) in empty and ("employee", 13) in empty
    assert len(lanes.empty) == len(empty)
    columns = {hour: (start, length) for hour, start, length in lanes.columns}
    for role, hour in empty:
        row = next(r for r in lanes.rows if r.role == role)
        start, length = columns[hour]
        box = (*across(plan, row.area), start, length)  # (across, along) -> a rectangle on the canvas
        rect = (box[2], box[0], box[3], box[1]) if not lanes.vertical else (box[0], box[2], box[1], box[3])
        assert sum(inside(hole, rect) for hole in lanes.empty) == 1, (role, hour)


@pytest.mark.parametrize(
    ("project", "labels", "note"),
    [
        (EN, ["Customers", "Employees"], "2 moments without a role not shown"),
        (NL, ["Klanten", "Medewerkers"], "2 momenten zonder rol niet getoond"),
    ],
)
def test_row_labels_and_the_note_speak_the_projects_language(
    project: ProjectInfo, labels: list[str], note: str
) -> None:
    plan = lanes_plan(project)
    lanes = frame(plan)
    assert [r.label for r in lanes.rows] == labels
    assert (lanes.left_out, lanes.note) == (2, note)
    assert plan.title is not None and note not in plan.title.subtitle  # the title band stays as elsewhere
    canvas = (0, 0, plan.width, plan.height)
    assert lanes.note_rect is not None and inside(lanes.note_rect, canvas)
    assert lanes.note_rect[1] >= max(r.area[1] + r.area[3] for r in lanes.rows)  # a footnote under the lanes
    assert inside(lanes.band, canvas) and all(inside(r.header, canvas) for r in lanes.rows)
    assert all(not overlaps(r.header, t.rect) for r in lanes.rows for t in plan.tiles)
    band_start, band_length = along(plan, lanes.band)
    assert all(band_start <= at <= band_start + band_length for at, _ in lanes.ticks)
    assert [text for _, text in lanes.ticks][:2] == ["08:00", "09:00"]


def test_one_missing_role_reads_in_the_singular_and_none_means_no_note() -> None:
    one = lanes_plan(moments=[m for m in day() if m.id != "m04"])
    assert frame(one).note == "1 moment without a role not shown"
    none = lanes_plan(moments=[m for m in day() if m.role])
    assert (frame(none).left_out, frame(none).note, frame(none).note_rect) == (0, "", None)


def test_no_role_at_all_is_a_readable_plan_error() -> None:
    roleless = [Moment(**{**m.__dict__, "role": ""}) for m in day(4)]
    with pytest.raises(PlanError, match="None of the 4 moments has a role"):
        lanes_plan(moments=roleless)


def test_plan_is_deterministic_round_trips_and_ignores_input_order() -> None:
    a = lanes_plan()
    b = lanes_plan(moments=day()[::-1])
    assert a.to_dict() == b.to_dict()
    assert CollagePlan.from_dict(json.loads(json.dumps(a.to_dict()))) == a


def test_one_row_only_and_everything_at_one_minute_still_lay_out() -> None:
    same = [
        Moment(
            id=f"s{i}",
            key=f"s{i}",
            kind="photo",
            width=64,
            height=48,
            local_time=DAY + timedelta(hours=13),
            role="employee",
        )
        for i in range(12)
    ]
    plan = lanes_plan(moments=same)
    lanes = frame(plan)
    assert [h for h, _, _ in lanes.columns] == [13]
    assert len(plan.tiles) == 12 and len(lanes.empty) == 1  # the customers' row is empty at 13:00
    assert all(row_of(plan, t.rect) == "employee" and t.rect[2] >= 8 for t in plan.tiles)
    for a, b in itertools.combinations(plan.tiles, 2):
        assert not overlaps(a.rect, b.rect)


# --- rendering ------------------------------------------------------------------------------------------


@pytest.fixture
def solid_day(tmp_path: Path) -> tuple[list[Moment], dict[str, tuple[int, int, int]]]:
    moments = day()
    colours = {}
    for i, m in enumerate(sorted(moments, key=lambda m: m.id)):
        colours[m.id] = colour(i, len(moments))
        make_photo(tmp_path / m.key, size=(m.width, m.height), colour=colours[m.id])
    return moments, colours


@pytest.mark.parametrize("size", ["640x360", "360x640"])
def test_render_shows_each_moment_once_in_its_row_with_headers_and_holes(tmp_path: Path, solid_day, size: str) -> None:
    moments, colours = solid_day
    plan = lanes_plan(size=size, moments=moments, labels=False)
    out = render_collage(plan, tmp_path / "lanes.png", resolve=lambda key: tmp_path / key, workers=1)
    img = Image.open(out).convert("RGB")
    counts = {rgb: n for n, rgb in img.getcolors(640 * 360)}
    for tile in plan.tiles:
        x, y, w, h = tile.rect
        assert img.getpixel((x + w // 2, y + h // 2)) == colours[tile.moment_id]
        assert counts.get(colours[tile.moment_id]) == w * h  # all of its tile, and nowhere else
    for role in ("m04", "m11"):  # the two without a role are nowhere
        assert colours[role] not in counts
    lanes = frame(plan)
    for row in lanes.rows:
        hx, hy, hw, hh = row.header
        assert img.getpixel((hx + 1, hy + 1)) == lane_colour(row.role, plan.palette.accent)
        strip = img.crop((hx, hy, hx + hw, hy + hh))
        assert any(min(p) > 230 for p in pixels(strip))  # the row's name in white on the strip
    hole = lanes.empty[0]
    assert img.getpixel((hole[0] + hole[2] // 4, hole[1] + hole[3] // 4)) == mix(
        plan.palette.background, plan.palette.ink, 0.1
    )
    assert lane_colour("customer", plan.palette.accent) != lane_colour("employee", plan.palette.accent)
    assert lanes.note_rect is not None
    nx, ny, nw, nh = lanes.note_rect
    assert any(p != plan.palette.background for p in pixels(img.crop((nx, ny, nx + nw, ny + nh))))  # the note
    again = render_collage(plan, tmp_path / "again.png", resolve=lambda key: tmp_path / key, workers=2)
    assert again.read_bytes() == out.read_bytes()


def test_labels_on_tiles_are_drawn(tmp_path: Path, solid_day) -> None:
    moments, _ = solid_day
    plan = lanes_plan(size="1280x720", moments=moments)
    img = Image.open(render_collage(plan, tmp_path / "l.png", resolve=lambda key: tmp_path / key, workers=1))
    labelled = [t for t in plan.tiles if t.label is not None]
    assert len(labelled) == len(plan.tiles)
    for tile in labelled:
        lx, ly, lw, lh = tile.label.rect
        strip = img.convert("RGB").crop((lx, ly, lx + lw, ly + lh))
        assert max(sum(p) for p in pixels(strip)) > 700  # white time text


def _by_hours(hours: list[int]) -> list[Moment]:
    return [Moment(id=f"h{i:03d}", key=f"h{i:03d}.png", kind="photo", width=64, height=48,
                   local_time=DAY + timedelta(hours=h, minutes=7 * i % 60), caption=f"Moment {i}",
                   role=("customer", "employee")[i % 2], contributor=f"c{i % 5}")  # type: ignore[arg-type]
            for i, h in enumerate(hours)]


GAPPY = [6, 9, 13, 13, 13, 17, 22, 23]  # long empty stretches: narrow columns between wide ones
BUSY_ONE = [6, 8, 13, 22] + [13] * 30 + [9, 10, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21] * 2  # a crowded 13:00


@pytest.mark.parametrize("hours", [GAPPY, BUSY_ONE], ids=["gaps", "busy-hour"])
@pytest.mark.parametrize("size", ["480x270", "1920x1080", "900x640"])
def test_every_hour_label_reads_the_same_way_and_a_busy_hour_keeps_its_column(hours: list[int], size: str) -> None:
    """Narrow columns shrink the labels together: "07:00" beside "08:00", never "07"; a busy hour is never
    squeezed to a sliver (it was: 13 px at 1920x1080, its label gone)."""
    lanes = frame(lanes_plan(moments=_by_hours(hours), size=size))
    texts = [text for _, text in lanes.ticks]
    assert all(len(t) == 5 and t.endswith(":00") for t in texts), texts
    assert "13:00" in texts
    widths = {hour: w for hour, _, w in lanes.columns}
    assert widths[13] >= min(w for h, w in widths.items() if h in hours), widths
