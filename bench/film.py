"""Film benchmark: one Life in a Day film from phone-like media, four ways, in one run.

    .venv/bin/python bench/film.py            # 24 moments (4032x3024 photos, 1080p/portrait clips), 1080p30
    .venv/bin/python bench/film.py --quick    # 10 moments at 640x360/25, under 3 minutes

1. dayreel, cold cache; 2. dayreel again after one moment's caption changed (incremental);
3. a straightforward moviepy 2 composition of the same film (CompositeVideoClip per moment, crossfades
   with concatenate_videoclips(padding=-T), one write_videofile) as the baseline, run by
   bench/moviepy_baseline.py in its own environment .venv-moviepy (`make bench-moviepy`), because moviepy
   pins Pillow < 12; without that environment it prints as skipped and its ratio as nan;
4. one ffmpeg filtergraph with the same scaling, blurred background, Ken Burns, crossfades and text,
   as the near-limit reference.
All encode H.264 veryfast CRF 23 + AAC. Media (noisy JPEGs, x264 clips with tones) are generated once into
a temp folder and reused. Peak RSS is the sum over this process and all its descendants, sampled from
/proc every 50 ms; RUSAGE_CHILDREN's maxrss (the largest single child) is printed beside it.
The last line is `RESULT speedup_vs_moviepy=.. ratio_to_ffmpeg=.. incremental_speedup=.. peak_rss_mb=..`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.memory import PeakMemory
from media_pipeline.film import FilmOptions, FilmPlan, Segment, build_film_plan, render_film
from media_pipeline.film.cards import card_image
from media_pipeline.film.segments import foreground_size
from media_pipeline.fonts import (
    font,
    font_path,
)
from media_pipeline.images import fit_within, open_image
from media_pipeline.text import wrap_text
from media_pipeline.types import Moment, ProjectInfo
from tests.mediagen import FFMPEG

MEDIA = Path(tempfile.gettempdir()) / "dayreel-bench-film-v2"
PROJECT = ProjectInfo(title="Eén dag bij Café de Haven", date="2025-06-21", language="nl", brand_color="#1F6F8B")
CAPTIONS = ["Eerste koffie met Zoë", "René bakt brood voor de hele straat", "Mevr. Ğ. Çelik opent de deur",
            "Ĳsjes voor iedereen", "Op de fiets", "Lunch op het dak", "Vergadering", "Het team", ""]
ALIASES = ["Zoë", "René", "Mevr. Ğ. Çelik", "Ahmed", "Noël", "Sanne", "Piet", "Eén"]


# ---- media -------------------------------------------------------------------------------------------------

def make_photo(path: Path, seed: int, size: tuple[int, int]) -> None:
    """A scene with sensor-like noise, so decoding costs what a phone photo costs."""
    rng = np.random.default_rng(seed)
    small = Image.new("RGB", (64, 48))
    draw = ImageDraw.Draw(small)
    top, low = rng.integers(20, 120, 3), rng.integers(120, 240, 3)
    for y in range(48):
        draw.line([(0, y), (63, y)], fill=tuple(int(a + (b - a) * y / 47) for a, b in zip(top, low, strict=True)))
    for _ in range(6):
        x, y = (int(v) for v in rng.integers(0, 56, 2))
        draw.rectangle((x, y, x + 8, y + 6), fill=tuple(int(v) for v in rng.integers(30, 255, 3)))
    img = np.asarray(small.resize(size, Image.Resampling.BILINEAR), dtype=np.int16)
    img = img + rng.integers(-14, 15, (size[1], size[0], 3), dtype=np.int16)
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(path, quality=92)


def make_clip(path: Path, *, size: tuple[int, int], fps: int, seconds: float, tone_hz: int | None, volume: float,
              rotation: int = 0) -> None:
    """A moving, noisy test picture (x264 like a phone's) with a tone at `volume`, optionally turned."""
    w, h = size
    cmd = [FFMPEG, "-y", "-loglevel", "error", "-f", "lavfi", "-i",
           f"testsrc2=s={w}x{h}:r={fps}:d={seconds},noise=alls=12:allf=t,format=yuv420p"]
    if tone_hz:
        cmd += ["-f", "lavfi", "-i", f"sine=frequency={tone_hz}:duration={seconds},volume={volume}"]
    cmd += ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "20"]
    cmd += ["-c:a", "aac", "-b:a", "128k"] if tone_hz else []
    tmp = path.with_suffix(".tmp.mp4")
    subprocess.run([*cmd, str(tmp)], check=True)
    if rotation:
        subprocess.run([FFMPEG, "-y", "-loglevel", "error", "-display_rotation:v:0", str(rotation), "-i", str(tmp),
                        "-c", "copy", str(path)], check=True)
        tmp.unlink()
    else:
        tmp.replace(path)


def media_set(quick: bool) -> list[Moment]:
    """The moments (photos and clips, landscape and portrait) with their files under MEDIA."""
    folder = MEDIA / ("quick" if quick else "full")
    folder.mkdir(parents=True, exist_ok=True)
    count = 10 if quick else 24
    seconds = 2.5 if quick else 4.0
    moments = []
    day = datetime(2025, 6, 21, 6, 0)
    for i in range(count):
        when = day + timedelta(minutes=37 * i + 11)
        alias, caption = ALIASES[i % len(ALIASES)], CAPTIONS[i % len(CAPTIONS)]
        if i % 2 == 0:
            path = folder / f"photo{i:02d}.jpg"
            portrait = i % 6 == 4
            size = (3024, 4032) if portrait else (4032, 3024)
            if not path.exists():
                make_photo(path, i, size)
            preview = folder / f"photo{i:02d}.preview.jpg"
            if not preview.exists():  # what ingest makes once per photo
                fit_within(open_image(path, fit=(1920, 1920)), 1920).save(preview, quality=88)
            moments.append(Moment(f"m{i:02d}", path.name, "photo", size[0], size[1], when, 120,
                                  sha256=_sha(path), alias=alias, caption=caption, preview_key=preview.name))
            continue
        kind = (i // 2) % 4
        path = folder / f"clip{i:02d}.mp4"
        spec = [
            {"size": (1920, 1080), "fps": 30, "tone_hz": 440, "volume": 0.5},
            {"size": (1920, 1080), "fps": 30, "tone_hz": 330, "volume": 0.05, "rotation": 90},  # portrait, quiet
            {"size": (1280, 720), "fps": 25, "tone_hz": 550, "volume": 0.9},
            {"size": (1920, 1080), "fps": 30, "tone_hz": None, "volume": 0.0},  # silent
        ][kind]
        if not path.exists():
            make_clip(path, seconds=seconds + 1, **spec)  # type: ignore[arg-type]
        w, h = spec["size"]  # type: ignore[misc]
        if spec.get("rotation"):
            w, h = h, w
        moments.append(Moment(f"m{i:02d}", path.name, "clip", w, h, when, 120, sha256=_sha(path),
                              duration_s=seconds + 1, has_audio=bool(spec["tone_hz"]), alias=alias,
                              caption=caption, rotation=int(spec.get("rotation", 0)), trim_in_s=0.5))
    return moments


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---- measuring ---------------------------------------------------------------------------------------------

def cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its finished children (the ffmpeg encoders)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(name: str, film_s: float, work: Callable[[], None]) -> tuple[float, float]:
    with PeakMemory(interval_s=0.05) as rss:
        started, cpu = time.monotonic(), cpu_seconds()
        work()
        seconds, cpu = time.monotonic() - started, cpu_seconds() - cpu
    child_max = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    # film seconds per CPU second is what capacity planning needs (docs/scaling.md): unlike the wall-clock
    # rate it hardly depends on how many cores there are or what else runs
    print(f"{name:<26} {seconds:7.1f} s  {film_s / seconds:5.2f} film s per s  peak tree RSS {rss.peak_mb:6.0f} MB"
          f"  (largest child so far {child_max:.0f} MB)  CPU {cpu:.1f} s = {film_s / cpu:.2f} film s per CPU s",
          flush=True)
    return seconds, rss.peak_mb


# ---- the baselines -----------------------------------------------------------------------------------------

def _caption_lines(seg: Segment, width: int, size_px: int) -> list[str]:
    assert seg.caption is not None
    return [seg.caption.header(), *wrap_text(seg.caption.text, font(size_px), width * 0.85)]


MOVIEPY_PYTHON = Path(__file__).resolve().parents[1] / ".venv-moviepy" / "bin" / "python"


def moviepy_recipe(plan: FilmPlan, media: Path, work: Path) -> dict[str, object]:
    """The film as plain data for bench/moviepy_baseline.py, which runs without dayreel in .venv-moviepy."""
    w, h, fps = plan.width, plan.height, plan.fps
    size_px = round(h / 1080 * 46)
    segments: list[dict[str, object]] = []
    for seg in plan.segments:
        d = seg.frames / fps
        if seg.card is not None:
            path = work / f"{seg.id}.png"
            card_image(seg.card, w, h, plan.brand_color).save(path)
            segments.append({"kind": "card", "png": str(path), "duration": d})
            continue
        row: dict[str, object] = {"kind": seg.kind, "path": str(media / str(seg.key)), "duration": d,
                                  "fg": foreground_size(seg.src_width, seg.src_height, w, h),
                                  "caption": "\n".join(_caption_lines(seg, w, size_px))}
        if seg.kind == "photo":
            kb = seg.ken_burns
            row["zoom"] = (kb.zoom_from, kb.zoom_to) if kb else (1.0, 1.0)
        else:
            row["clip_in"] = seg.clip_in_s or 0.0
            row["clip_s"] = seg.clip_s or d
        segments.append(row)
    return {"width": w, "height": h, "fps": fps, "transition_s": plan.transition_frames / fps,
            "font": str(font_path("regular")), "font_px": size_px, "segments": segments}


def moviepy_film(plan: FilmPlan, media: Path, out: Path, work: Path) -> float:
    """Runs the moviepy baseline in .venv-moviepy; its own timing (without imports), in seconds."""
    recipe = work / "recipe.json"
    recipe.write_text(json.dumps(moviepy_recipe(plan, media, work)), encoding="utf-8")
    script = Path(__file__).resolve().with_name("moviepy_baseline.py")
    done = subprocess.run([str(MOVIEPY_PYTHON), str(script), str(recipe), str(out)], check=True,
                          capture_output=True, text=True)
    return float(done.stdout.rsplit("MOVIEPY_SECONDS=", 1)[1].split()[0])


def ffmpeg_graph_film(plan: FilmPlan, media: Path, out: Path, work: Path) -> None:
    """The same film as one ffmpeg filtergraph: per-input scale/blur/zoompan/drawtext, xfade and acrossfade."""
    w, h, fps = plan.width, plan.height, plan.fps
    t = plan.transition_frames / fps
    size_px = round(h / 1080 * 46)
    inputs: list[str] = []
    chains: list[str] = []
    for i, seg in enumerate(plan.segments):
        n, d = seg.frames, seg.frames / fps
        if seg.card is not None:
            path = work / f"{seg.id}.png"
            card_image(seg.card, w, h, plan.brand_color).save(path)
            inputs += ["-i", str(path)]
            chains.append(
                f"[{i}:v]format=yuv420p,loop=loop={n - 1}:size=1,setpts=N/({fps}*TB),fps={fps},settb=AVTB[v{i}]"
            )
            chains.append(f"anullsrc=r=48000:cl=stereo,atrim=duration={d:.4f}[a{i}]")
            continue
        text_file = work / f"{seg.id}.txt"
        text_file.write_text("\n".join(_caption_lines(seg, w, size_px)), encoding="utf-8")
        drawtext = (f"drawtext=fontfile={font_path('regular')}:textfile={text_file}:fontsize={size_px}:"
                    f"fontcolor=white:box=1:boxcolor=black@0.5:x={round(w * 0.06)}:y=h-th-{round(h * 0.06)}")
        if seg.kind == "photo":
            inputs += ["-i", str(media / str(seg.key))]
            fg_w, fg_h = foreground_size(seg.src_width, seg.src_height, w, h)
            kb = seg.ken_burns
            z0, z1 = (kb.zoom_from, kb.zoom_to) if kb else (1.0, 1.0)
            chains.append(
                f"[{i}:v]split[p{i}][q{i}];"
                f"[p{i}]scale={w // 8}:{h // 8}:force_original_aspect_ratio=increase,crop={w // 8}:{h // 8},"
                f"boxblur=4:2,lutyuv=y='16+(val-16)*0.45',scale={w}:{h},loop=loop={n - 1}:size=1,"
                f"setpts=N/({fps}*TB)[b{i}];"
                f"[q{i}]scale={fg_w * 2}:{fg_h * 2},zoompan=z='{z0}+({z1 - z0})*on/{n}':x='(iw-iw/zoom)/2':"
                f"y='(ih-ih/zoom)/2':d={n}:s={fg_w}x{fg_h}:fps={fps}[f{i}];"
                f"[b{i}][f{i}]overlay=(W-w)/2:(H-h)/2:shortest=1,{drawtext},format=yuv420p,fps={fps},settb=AVTB[v{i}]"
            )
            chains.append(f"anullsrc=r=48000:cl=stereo,atrim=duration={d:.4f}[a{i}]")
        else:
            inputs += ["-ss", f"{seg.clip_in_s or 0:.3f}", "-t", f"{d:.3f}", "-i", str(media / str(seg.key))]
            chains.append(
                f"[{i}:v]fps={fps},setpts=PTS-STARTPTS,split[p{i}][q{i}];"
                f"[p{i}]scale={w // 8}:{h // 8}:force_original_aspect_ratio=increase,crop={w // 8}:{h // 8},"
                f"boxblur=4:2,lutyuv=y='16+(val-16)*0.45',scale={w}:{h}[b{i}];"
                f"[q{i}]scale={w}:{h}:force_original_aspect_ratio=decrease:force_divisible_by=2[f{i}];"
                f"[b{i}][f{i}]overlay=(W-w)/2:(H-h)/2,{drawtext},tpad=stop_mode=clone:stop={n},trim=end_frame={n},"
                f"format=yuv420p,fps={fps},settb=AVTB[v{i}]"
            )
            if seg.has_audio:
                chains.append(f"[{i}:a]aresample=48000,aformat=channel_layouts=stereo,loudnorm=I=-16,"
                              f"aresample=48000,apad,atrim=duration={d:.4f}[a{i}]")
            else:
                chains.append(f"anullsrc=r=48000:cl=stereo,atrim=duration={d:.4f}[a{i}]")
    video, sound, offset = "v0", "a0", 0.0
    for i in range(1, len(plan.segments)):
        offset += plan.segments[i - 1].frames / fps - t
        chains.append(f"[{video}][v{i}]xfade=transition=fade:duration={t:.4f}:offset={offset:.4f}[x{i}]")
        chains.append(f"[{sound}][a{i}]acrossfade=d={t:.4f}[y{i}]")
        video, sound = f"x{i}", f"y{i}"
    graph = work / "graph.txt"
    graph.write_text(";\n".join(chains))
    subprocess.run([FFMPEG, "-y", "-loglevel", "error", *inputs, "-/filter_complex", str(graph),
                    "-map", f"[{video}]", "-map", f"[{sound}]", "-c:v", "libx264", "-preset", "veryfast",
                    "-crf", "23", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "160k", "-movflags", "+faststart",
                    str(out)], check=True)


# ---- main --------------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 moments at 640x360/25 (under 3 minutes)")
    parser.add_argument("--keep", type=Path, help="keep the films in this folder")
    parser.add_argument("--skip", action="append", choices=["moviepy", "ffmpeg"], default=[],
                        help="leave out a baseline (its figures print as nan)")
    args = parser.parse_args()

    started = time.monotonic()
    moments = media_set(args.quick)
    media = MEDIA / ("quick" if args.quick else "full")
    size, fps = ("640x360", 25) if args.quick else ("1920x1080", 30)
    options = FilmOptions.from_dict({"size": size, "fps": fps, "photo_s": 2.5 if args.quick else 4.0,
                                     "chapters": "none"})
    plan = build_film_plan(moments, PROJECT, options)
    print(f"{len(moments)} moments -> {plan.length_s:.1f} s film at {size}/{fps} "
          f"(media ready in {time.monotonic() - started:.0f} s, {os.cpu_count()} cores)", flush=True)

    work = Path(tempfile.mkdtemp(prefix="dayreel-bench-film-"))
    out = args.keep or work / "out"
    out.mkdir(parents=True, exist_ok=True)
    try:
        cache = work / "cache"

        def resolve(key: str) -> Path:
            return media / key

        cold, peak = measure("dayreel, cold cache", plan.length_s, lambda: render_film(
            plan, out / "dayreel.mp4", resolve=resolve, cache_dir=cache))
        # a clip from the middle of the film: clips cost the most to re-render
        changed = next(m for m in moments[len(moments) // 2 :] if m.kind == "clip")
        print(f"edit: caption of {changed.id} ({changed.kind})", flush=True)
        edited = [replace(m, caption="Een nieuw onderschrift") if m.id == changed.id else m for m in moments]
        plan2 = build_film_plan(edited, PROJECT, options)
        incremental, peak2 = measure("dayreel, one caption edited", plan.length_s, lambda: render_film(
            plan2, out / "dayreel-edited.mp4", resolve=resolve, cache_dir=cache))
        naive = reference = float("nan")
        if "moviepy" in args.skip:
            pass
        elif not MOVIEPY_PYTHON.exists():
            print("moviepy 2 composition: skipped, its environment is missing (run `make bench-moviepy`)")
        else:
            (work / "mp").mkdir()
            inside: list[float] = []
            measure("moviepy 2 (in .venv-moviepy)", plan.length_s,
                    lambda: inside.append(moviepy_film(plan, media, out / "moviepy.mp4", work / "mp")))
            naive = inside[0]
            print(f"{'  of which composition':<26} {naive:7.1f} s  {plan.length_s / naive:5.2f} film s per s"
                  "  (without start-up and imports; used for the ratio)", flush=True)
        if "ffmpeg" not in args.skip:
            (work / "ff").mkdir()
            reference, _ = measure("one ffmpeg filtergraph", plan.length_s,
                                   lambda: ffmpeg_graph_film(plan, media, out / "ffmpeg.mp4", work / "ff"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"total bench time {time.monotonic() - started:.0f} s")
    print(f"RESULT speedup_vs_moviepy={naive / cold:.2f} ratio_to_ffmpeg={cold / reference:.2f} "
          f"incremental_speedup={cold / incremental:.2f} peak_rss_mb={max(peak, peak2):.0f}")


if __name__ == "__main__":
    main()
