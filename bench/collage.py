"""Collage benchmark: 4K mosaic and clock from 300 phone-sized photos, against a naive renderer.

    .venv/bin/python bench/collage.py                # benchmark; ends with the RESULT line
    .venv/bin/python bench/collage.py --demo out/    # 4K examples of every layout from ~40 varied photos
    .venv/bin/python bench/collage.py --readme docs/collage-example.jpg
    .venv/bin/python bench/collage.py --big 1000,5000 # big days: 4K mosaic and clock, time, memory, growth

The photos (4032x3024 JPEG with sensor-like noise, so decoding costs what a real photo costs) are
generated once into a temp folder and reused. The naive renderer opens every photo at full size and
resizes it, in one process, and only pastes tiles (no dial, labels or title), so the ratio is, if
anything, flattering to the naive side. Peak memory is sampled over this process and its children
(RSS sum, an upper bound, and PSS).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.memory import PeakMemory
from media_pipeline.collage import CollageOptions, CollagePlan, build_collage_plan, render_collage
from media_pipeline.types import Moment, ProjectInfo
from tests.mediagen import exif_bytes, make_clip

CACHE = Path(tempfile.gettempdir()) / "dayreel-bench-collage-v2"
DAY = datetime(2025, 6, 21)
PROJECT = ProjectInfo(title="Een dag bij Café de Ĳssel", date="2025-06-21", language="nl", brand_color="#1F6F8B")
CAPTIONS = [
    "Koffie met Zoë",
    "René bakt brood",
    "Eerste klant",
    "Op de fiets naar het werk",
    "Lunch op het dak",
    "Annelĳn aan de balie",
    "Vergadering",
    "Zonsondergang",
    "Het team",
    "Ĳsjes voor iedereen",
    "Noël repareert de kassa",
    "Bezorging",
    "Regen!",
    "Even pauze",
    "Laatste ronde",
    "",
]


def scene(size: tuple[int, int], rng: random.Random, hour: float, noise_sigma: float) -> Image.Image:
    """A picture with a sky for its hour, hills, a sun, some shapes and sensor-like noise."""
    light = max(0.0, 1 - abs(hour - 13) / 8)
    sky_top = (int(20 + 80 * light), int(30 + 130 * light), int(70 + 160 * light))
    sky_low = (int(60 + 190 * light), int(50 + 150 * light), int(90 + 80 * light))
    small = Image.new("RGB", (64, 48))
    draw = ImageDraw.Draw(small)
    for y in range(48):
        t = y / 47
        draw.line([(0, y), (63, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(sky_top, sky_low, strict=True)))
    ground = (rng.randint(30, 90), rng.randint(60, 140), rng.randint(30, 80))
    base = rng.randint(26, 36)
    draw.polygon([(0, 48), *[(x, base + 5 * rng.random()) for x in range(0, 65, 8)], (64, 48)], fill=ground)
    sx, sy = rng.randint(8, 56), rng.randint(4, 18)
    draw.ellipse((sx - 4, sy - 4, sx + 4, sy + 4), fill=(255, 230, 150) if light > 0.2 else (230, 230, 240))
    for _ in range(rng.randint(2, 5)):
        x, y = rng.randint(0, 60), rng.randint(20, 44)
        colour = (rng.randint(60, 255), rng.randint(40, 220), rng.randint(40, 220))
        draw.rectangle((x, y, x + rng.randint(3, 12), y + rng.randint(3, 10)), fill=colour)
    img = small.resize(size, Image.Resampling.BILINEAR)
    if noise_sigma > 0:
        field = _noise_field(size, noise_sigma)
        dx, dy = rng.randint(0, 96), rng.randint(0, 96)
        img = ImageChops.add(img, field.crop((dx, dy, dx + size[0], dy + size[1])), scale=1.0, offset=-128)
    return img


@lru_cache(maxsize=2)
def _noise_field(size: tuple[int, int], sigma: float) -> Image.Image:
    """Gaussian noise around 128, a little larger than `size`; photos take shifted crops of it."""
    w, h = size[0] + 97, size[1] + 97
    return Image.merge("RGB", [Image.effect_noise((w, h), sigma) for _ in range(3)])


def photo_moments(folder: Path, count: int, *, size: tuple[int, int] = (4032, 3024), noise: float = 12) -> list[Moment]:
    """`count` photos across the day (generated into `folder` unless already there), as Moments."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    moments = []
    for i in range(count):
        hour = rng.triangular(5.5, 23.9, 13)
        portrait = rng.random() < 0.3
        path = folder / f"photo-{i:03d}.jpg"
        if not path.exists():
            img = scene((size[1], size[0]) if portrait else size, random.Random(i), hour, noise)
            if portrait:  # stored landscape with EXIF orientation 6 (turn 90° clockwise), as phones do
                img = img.transpose(Image.Transpose.ROTATE_90)
            img.save(path, "JPEG", quality=88, exif=exif_bytes(orientation=6 if portrait else 1))
        shown = (size[1], size[0]) if portrait else size
        moments.append(_photo(i, f"m{i:03d}", path, shown, hour, 3 + (hour - 9) / 5 + rng.gauss(0, 0.8),
                              contributor=f"c{i % 23}"))
    return moments


def _photo(i: int, mid: str, path: Path, size: tuple[int, int], hour: float, mood: float, *, contributor: str,
           alias: str = "") -> Moment:
    """The `i`-th photo of a bench day: its caption from CAPTIONS, its mood rounded into 1-5."""
    return Moment(id=mid, key=path.name, kind="photo", width=size[0], height=size[1],
                  local_time=DAY + timedelta(hours=hour), caption=CAPTIONS[i % len(CAPTIONS)], alias=alias,
                  contributor=contributor, mood=max(1, min(5, round(mood))))


def naive_render(plan: CollagePlan, out: Path, folder: Path) -> None:
    """The obvious way: open every photo at full size, turn it upright, crop, resize, paste."""
    canvas = Image.new("RGB", (plan.width, plan.height), plan.palette.background)
    for tile in plan.tiles:
        with Image.open(folder / tile.key) as src:
            img = ImageOps.exif_transpose(src).convert("RGB")
        left, top, right, bottom = tile.crop
        box = (left * img.width, top * img.height, right * img.width, bottom * img.height)
        canvas.paste(img.resize(tile.rect[2:], Image.Resampling.LANCZOS, box=box), tile.rect[:2])
    canvas.save(out, "PNG", compress_level=4)


def benchmark(count: int, workers: int) -> None:
    folder = CACHE / f"photos-{count}"
    t0 = time.perf_counter()
    moments = photo_moments(folder, count)
    print(f"photos ready in {folder} ({time.perf_counter() - t0:.1f} s)")
    out = Path(tempfile.mkdtemp(prefix="dayreel-bench-out-"))
    fast_total = naive_total = 0.0
    with PeakMemory() as rss:
        for layout in ("mosaic", "clock"):
            t = time.perf_counter()
            plan = build_collage_plan(moments, PROJECT, CollageOptions(layout=layout))
            planned = time.perf_counter() - t
            render_collage(plan, out / f"{layout}.png", resolve=lambda key: folder / key, workers=workers)
            fast = time.perf_counter() - t
            t = time.perf_counter()
            naive_render(plan, out / f"{layout}-naive.png", folder)
            naive = time.perf_counter() - t
            fast_total += fast
            naive_total += naive
            print(
                f"{layout:7s} 4K, {count} photos: ours {fast:6.2f} s (plan {planned:.2f} s, {workers} workers), "
                f"naive {naive:6.2f} s, ratio {naive / fast:.1f}x"
            )
    ratio = naive_total / fast_total
    print(f"total: ours {fast_total:.2f} s, naive {naive_total:.2f} s; outputs in {out}")
    print(f"peak memory, this process and its workers: RSS sum {rss.peak_mb:.0f} MB, PSS {rss.peak_pss_mb:.0f} MB")
    print(f"RESULT speedup_vs_naive={ratio:.1f} peak_rss_mb={rss.peak_mb:.0f}")


def big_moments(count: int) -> list[Moment]:
    """A big synthetic day (tests/pipeline/bigday.py) with a small generated photo for each moment."""
    from tests.pipeline.bigday import big_day

    folder = CACHE / "big"
    folder.mkdir(parents=True, exist_ok=True)
    moments = []
    for m in big_day(count):
        size = (320, 240) if m.width > m.height else (240, 320) if m.width < m.height else (280, 280)
        path = folder / f"{m.id}-{size[0]}x{size[1]}.jpg"
        if not path.exists():
            hour = m.local_time.hour + m.local_time.minute / 60
            scene(size, random.Random(m.id), hour, 0).save(path, "JPEG", quality=80)
        moments.append(replace(m, key=path.name, kind="photo", width=size[0], height=size[1], duration_s=None))
    return moments


def big_days(counts: list[int], workers: int) -> None:
    """4K mosaic and clock of big days: plan and render time and peak memory per size, and the growth
    from the smallest to the largest size (linear would be their ratio, 5x from 1,000 to 5,000)."""
    out = Path(tempfile.mkdtemp(prefix="dayreel-bench-big-"))
    folder = CACHE / "big"
    rows: dict[str, list[tuple[float, float, float]]] = {}
    for count in counts:
        moments = big_moments(count)
        for layout in ("mosaic", "clock"):
            with PeakMemory() as rss:
                t = time.perf_counter()
                plan = build_collage_plan(moments, PROJECT, CollageOptions(layout=layout))
                planned = time.perf_counter() - t
                render_collage(plan, out / f"{layout}-{count}.png", resolve=lambda key: folder / key, workers=workers)
                total = time.perf_counter() - t
            rows.setdefault(layout, []).append((planned, total, rss.peak_mb))
            more = plan.more.text if plan.more else ""
            print(f"{layout:7s} 4K, {count:5d} moments: plan {planned:6.2f} s, plan + render {total:6.2f} s, "
                  f"peak RSS {rss.peak_mb:5.0f} MB; {len(plan.tiles)} tiles, {more}", flush=True)
    growth = {layout: r[-1][0] / r[0][0] for layout, r in rows.items()}
    for layout, r in rows.items():
        print(f"{layout:7s} growth {counts[0]} -> {counts[-1]}: plan {growth[layout]:.1f}x, "
              f"plan + render {r[-1][1] / r[0][1]:.1f}x, memory {r[-1][2] / r[0][2]:.1f}x")
    print(f"outputs in {out}")
    print(f"RESULT big_plan_growth_max={max(growth.values()):.1f} "
          f"big_peak_rss_mb_max={max(m for r in rows.values() for _, _, m in r):.0f}")


def demo_moments(folder: Path) -> list[Moment]:
    """~40 varied photos (generated into `folder` once), three clips and one missing file."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(3)
    shapes = [(1600, 1200), (1200, 1600), (1600, 900), (900, 1600), (1200, 1200), (1500, 1000)]
    moments: list[Moment] = []
    for i in range(38):
        hour = min(23.5, max(6.0, rng.gauss(13, 3.8)))
        w, h = shapes[i % len(shapes)]
        path = folder / f"p{i:02d}.jpg"
        if not path.exists():
            scene((w, h), random.Random(100 + i), hour, 6).save(path, "JPEG", quality=85)
        mood = 3 + 1.2 * (1 - abs(hour - 15) / 6) + rng.gauss(0, 0.7)
        moments.append(_photo(i, f"p{i:02d}", path, (w, h), hour, mood, contributor=f"c{i % 14}",
                              alias=["Zoë", "René", "Annelĳn", "Daan", "Noël"][i % 5]))
    for j, (colour, size, hour) in enumerate(
        [("orange", (640, 360), 8.2), ("cyan", (360, 640), 12.6), ("magenta", (640, 360), 19.4)]
    ):
        path = folder / f"clip{j}.mp4"
        if not path.exists():
            make_clip(path, size=size, colour=colour, bottom_colour="blue", duration_s=2.0, audio=False)
        moments.append(
            Moment(
                id=f"clip{j}",
                key=path.name,
                kind="clip",
                width=size[0],
                height=size[1],
                duration_s=2.0,
                local_time=DAY + timedelta(hours=hour),
                caption="Filmpje van de dag",
                contributor="c1",
                mood=4,
            )
        )
    moments.append(
        Moment(
            id="broken",
            key="missing.jpg",
            kind="photo",
            width=1600,
            height=1200,
            local_time=DAY + timedelta(hours=16.2),
            caption="Kapot bestand",
        )
    )
    return moments


def demo(out: Path, layouts: list[str], sizes: list[str]) -> None:
    """Examples of every layout (4K PNG, A3 PDF) from ~40 varied photos, a few clips and a broken file."""
    folder = CACHE / "demo"
    moments = demo_moments(folder)
    out.mkdir(parents=True, exist_ok=True)
    for layout in layouts:
        for size in sizes:
            options = CollageOptions.from_dict({"layout": layout, "size": size})
            t = time.perf_counter()
            plan = build_collage_plan(moments, PROJECT, options)
            name = f"{layout}-{size}.{plan.format}"
            render_collage(plan, out / name, resolve=lambda key: folder / key)
            print(f"{name}: {time.perf_counter() - t:.2f} s")
            if plan.format == "pdf":  # the same page as a PNG, to look at without a PDF viewer
                render_collage(
                    replace(plan, format="png"), out / f"{layout}-{size}-pdf.png", resolve=lambda key: folder / key
                )


def readme_example(path: Path) -> None:
    """The README's picture: the 4K mosaic of the demo day (without its broken file), 1600 px wide."""
    folder = CACHE / "demo"
    moments = [m for m in demo_moments(folder) if m.id != "broken"]
    plan = build_collage_plan(moments, PROJECT, CollageOptions(layout="mosaic"))
    with tempfile.TemporaryDirectory() as tmp:
        big = render_collage(plan, Path(tmp) / "mosaic.png", resolve=lambda key: folder / key)
        with Image.open(big) as img:
            small = img.convert("RGB").resize((1600, 900), Image.Resampling.LANCZOS)
    small.save(path, "JPEG", quality=85, optimize=True, progressive=True)
    print(f"{path}: {path.stat().st_size // 1024} KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=300, help="number of photos (default 300)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="decoding processes")
    parser.add_argument("--demo", type=Path, help="write 4K examples of every layout to this folder instead")
    parser.add_argument("--layouts", default="mosaic,clock,timeline,grid", help="with --demo: which layouts")
    parser.add_argument("--sizes", default="3840x2160,A3", help="with --demo: which sizes (A3/A2 make PDFs)")
    parser.add_argument("--readme", type=Path, help="write the README example (docs/collage-example.jpg)")
    parser.add_argument("--big", help="moment counts of big synthetic days, e.g. 1000,5000 (see big_days)")
    args = parser.parse_args()
    if args.big:
        big_days([int(c) for c in args.big.split(",")], args.workers)
    elif args.readme:
        readme_example(args.readme)
    elif args.demo:
        demo(args.demo, args.layouts.split(","), args.sizes.split(","))
    else:
        benchmark(args.count, args.workers)


if __name__ == "__main__":
    main()
