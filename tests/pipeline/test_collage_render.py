"""Rendering collages: colour-coded solid tiles on tiny canvases, checked pixel by pixel."""

from __future__ import annotations

import colorsys
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from media_pipeline.collage import CollageOptions, CollagePlan, build_collage_plan, render_collage
from media_pipeline.collage import render as render_module
from media_pipeline.collage.render import TileJob, decode_tile
from media_pipeline.types import Moment, ProjectInfo
from tests.mediagen import make_clip, make_photo
from tests.pixels import pixels

DAY = datetime(2025, 6, 21)
PROJECT = ProjectInfo(title="Dag van Zoë", date="2025-06-21", brand_color="#1F6F8B")
SHAPES = [(64, 48), (48, 64), (64, 36), (50, 50)]


def colour(i: int, count: int) -> tuple[int, int, int]:
    """Distinct saturated colours (hues evenly apart), none equal to a colour the collage draws."""
    r, g, b = colorsys.hsv_to_rgb(i / count, 1.0, 1.0)
    return (round(r * 255), round(g * 255), round(b * 255))


@pytest.fixture
def solid_day(tmp_path: Path) -> tuple[list[Moment], dict[str, tuple[int, int, int]]]:
    """14 solid PNG photos of distinct colours at scattered times, and each moment's colour."""
    moments, colours = [], {}
    for i in range(14):
        w, h = SHAPES[i % len(SHAPES)]
        rgb = colour(i, 14)
        make_photo(tmp_path / f"p{i}.png", size=(w, h), colour=rgb)
        minutes = (i * 397) % (15 * 60) + 7 * 60
        moment = Moment(
            id=f"p{i}",
            key=f"p{i}.png",
            kind="photo",
            width=w,
            height=h,
            local_time=DAY + timedelta(minutes=minutes),
            caption="Zoë",
            mood=1 + i % 5,
            contributor=f"c{i % 4}",
        )
        moments.append(moment)
        colours[moment.id] = rgb
    return moments, colours


def render(plan: CollagePlan, tmp_path: Path, name: str = "out.png", workers: int | None = 1) -> Image.Image:
    out = render_collage(plan, tmp_path / name, resolve=lambda key: tmp_path / key, workers=workers)
    assert out == tmp_path / name
    return Image.open(out).convert("RGB")


@pytest.mark.parametrize("layout", ["mosaic", "clock", "timeline", "grid"])
def test_every_moment_appears_exactly_once(tmp_path: Path, solid_day, layout: str) -> None:
    moments, colours = solid_day
    options = CollageOptions(layout=layout, width=480, height=270, labels=False)
    plan = build_collage_plan(moments, PROJECT, options)
    img = render(plan, tmp_path)
    assert img.size == (480, 270)
    counts = {rgb: n for n, rgb in img.getcolors(480 * 270)}
    for tile in plan.tiles:
        x, y, w, h = tile.rect
        rgb = colours[tile.moment_id]
        assert img.getpixel((x + w // 2, y + h // 2)) == rgb
        assert counts.get(rgb) == w * h  # all of its tile, and nowhere else


def test_labels_title_and_sizes(tmp_path: Path, solid_day) -> None:
    moments, _ = solid_day
    for size in ("1920x1080", "640x480"):
        plan = build_collage_plan(moments, PROJECT, CollageOptions.from_dict({"size": size, "format": "jpg"}))
        out = render_collage(plan, tmp_path / f"{size}.jpg", resolve=lambda key: tmp_path / key, workers=1)
        with Image.open(out) as img:
            assert (img.format, f"{img.width}x{img.height}") == ("JPEG", size)
    plan = build_collage_plan(moments, PROJECT, CollageOptions(width=640, height=360))
    img = render(plan, tmp_path)
    assert plan.title is not None
    bx, by, bw, bh = plan.title.rect
    band = img.crop((bx, by, bx + bw, by + bh))
    colours = dict((rgb, n) for n, rgb in band.getcolors(640 * 360))
    assert max(colours, key=colours.get) == (0x1F, 0x6F, 0x8B)  # brand colour behind the title
    assert any(min(c) > 230 for c in colours)  # white title text on it
    labelled = [t for t in plan.tiles if t.label is not None]
    assert labelled, "a 640x360 mosaic of 14 moments has room for labels"
    for tile in labelled:
        lx, ly, lw, lh = tile.label.rect
        strip = img.crop((lx, ly, lx + lw, ly + lh))
        assert max(sum(p) for p in pixels(strip)) > 700  # white text inside the label strip


def test_same_plan_gives_same_bytes_with_or_without_workers(tmp_path: Path, solid_day) -> None:
    moments, _ = solid_day
    plan = build_collage_plan(moments, PROJECT, CollageOptions(layout="clock", width=480, height=270))
    assert len(plan.tiles) >= render_module.POOL_MIN_TILES  # so that workers=2 really uses the pool
    one = render(plan, tmp_path, "one.png", workers=1)
    two = render(plan, tmp_path, "two.png", workers=2)
    again = render(plan, tmp_path, "again.png", workers=2)
    assert one.tobytes() == two.tobytes() == again.tobytes()
    assert (tmp_path / "two.png").read_bytes() == (tmp_path / "again.png").read_bytes()
    assert not list(tmp_path.glob(".*.tmp"))  # the temp file was moved into place


@pytest.mark.parametrize(("landscape", "points"), [(False, (841.92, 1190.64)), (True, (1190.64, 841.92))])
def test_pdf_is_a3_at_300_dpi(tmp_path: Path, solid_day, landscape: bool, points: tuple[float, float]) -> None:
    moments, _ = solid_day
    options = CollageOptions.from_dict({"size": "A3", "landscape": landscape, "layout": "grid"})
    plan = build_collage_plan(moments[:4], PROJECT, options)
    assert (plan.width, plan.height, plan.dpi) == ((4961, 3508, 300) if landscape else (3508, 4961, 300))
    out = render_collage(plan, tmp_path / "poster.pdf", resolve=lambda key: tmp_path / key, workers=1)
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    box = re.search(rb"/MediaBox \[ ?0 0 ([\d.]+) ([\d.]+) ?\]", data)
    assert box is not None
    assert (float(box.group(1)), float(box.group(2))) == pytest.approx(points, abs=0.05)  # mm -> pt at 300 dpi
    again = render_collage(plan, tmp_path / "again.pdf", resolve=lambda key: tmp_path / key, workers=1)
    assert again.read_bytes() == data  # no timestamps inside


def test_broken_and_missing_sources_become_placeholders(tmp_path: Path, solid_day) -> None:
    moments, colours = solid_day
    (tmp_path / "p0.png").write_bytes(b"not an image at all")
    (tmp_path / "p1.png").unlink()
    plan = build_collage_plan(moments, PROJECT, CollageOptions(width=480, height=270, labels=False))
    img = render(plan, tmp_path)
    for tile in plan.tiles:
        corner = img.getpixel((tile.rect[0] + 1, tile.rect[1] + 1))
        if tile.moment_id in ("p0", "p1"):
            assert corner == plan.palette.placeholder
        else:
            assert corner == colours[tile.moment_id]


def test_clip_shows_its_frame_with_a_play_mark_and_preview_is_preferred(tmp_path: Path) -> None:
    make_clip(tmp_path / "c.mp4", size=(96, 64), colour="green", duration_s=1.5, audio=False)
    make_photo(tmp_path / "big.jpg", size=(800, 600), colour="blue")
    make_photo(tmp_path / "tiny.jpg", size=(16, 12), colour="yellow")
    make_photo(tmp_path / "orig.png", size=(800, 600), colour="red")
    at = DAY + timedelta(hours=9)
    moments = [
        Moment(id="clip", key="c.mp4", kind="clip", width=96, height=64, local_time=at, duration_s=1.5),
        Moment(
            id="big-preview",
            key="orig.png",
            kind="photo",
            width=800,
            height=600,
            local_time=at + timedelta(hours=1),
            preview_key="big.jpg",
        ),
        Moment(
            id="tiny-preview",
            key="orig.png",
            kind="photo",
            width=800,
            height=600,
            local_time=at + timedelta(hours=2),
            preview_key="tiny.jpg",
        ),
    ]
    plan = build_collage_plan(moments, PROJECT, CollageOptions(layout="grid", width=640, height=360, labels=False))
    img = render(plan, tmp_path)
    by_id = {t.moment_id: t for t in plan.tiles}

    def near(rgb: tuple[int, int, int], target: tuple[int, int, int]) -> bool:
        return all(abs(a - b) <= 12 for a, b in zip(rgb, target, strict=True))

    x, y, w, h = by_id["clip"].rect
    assert near(img.getpixel((x + 4, y + h - 4)), (30, 200, 60))  # the clip's own (green) frame
    mark = img.crop((x + w * 3 // 4, y, x + w, y + h // 4))
    assert any(min(p) > 240 for p in pixels(mark))  # the white play mark in the top-right corner
    x, y, w, h = by_id["big-preview"].rect
    assert near(img.getpixel((x + w // 2, y + h // 2)), (30, 60, 220))  # large enough preview: used
    x, y, w, h = by_id["tiny-preview"].rect
    assert near(img.getpixel((x + w // 2, y + h // 2)), (220, 30, 30))  # too small: the original instead


def test_tiles_are_decoded_at_the_size_they_are_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_photo(tmp_path / "big.jpg", size=(1600, 1200), colour="cyan")
    asked: list[tuple[int, int] | None] = []
    opened: list[tuple[int, int]] = []
    real_open = render_module.open_image

    def spy(path: Path, *, fit: tuple[int, int] | None = None, **kw: object) -> Image.Image:
        asked.append(fit)
        img = real_open(path, fit=fit, **kw)  # type: ignore[arg-type]
        opened.append(img.size)
        return img

    monkeypatch.setattr(render_module, "open_image", spy)
    job = TileJob("m", "photo", str(tmp_path / "big.jpg"), None, (100, 75), (0.0, 0.0, 1.0, 1.0))
    pixels = decode_tile(job)
    assert pixels is not None and len(pixels) == 100 * 75 * 3
    assert asked == [(100, 75)]
    assert opened[0][0] <= 400  # JPEG draft: decoded at 1/4 or 1/8 scale, never 1600 px wide


def test_logo_is_drawn_in_the_title_band(tmp_path: Path, solid_day) -> None:
    moments, _ = solid_day
    logo = Image.new("RGBA", (120, 60), (0, 0, 0, 0))
    logo.paste((255, 255, 0, 255), (20, 10, 100, 50))
    logo.save(tmp_path / "logo.png")
    project = ProjectInfo(title="Dag", date="2025-06-21", brand_color="#1F6F8B", logo_key="logo.png")
    plan = build_collage_plan(moments, project, CollageOptions(width=640, height=360))
    assert plan.title is not None and plan.title.logo_rect is not None
    img = render(plan, tmp_path)
    lx, ly, lw, lh = plan.title.logo_rect
    region = img.crop((lx, ly, lx + lw, ly + lh))
    colours = list(pixels(region))
    assert (255, 255, 0) in colours  # the logo
    assert (0x1F, 0x6F, 0x8B) in colours  # its transparent parts show the band, not grey
