"""CollagePlan -> PNG / JPEG / PDF. The one step with side effects.

Each tile is decoded at the size it is shown (a large-enough preview first, else the original in
JPEG draft mode, else a clip's frame), in a process pool when there are enough tiles to pay for it.
A tile that cannot be decoded becomes a neutral placeholder and is named in the log.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from media_pipeline import isolation
from media_pipeline.collage.clock import draw_dial
from media_pipeline.collage.draw import (
    draw_label,
    draw_more,
    draw_placeholder,
    draw_play_mark,
    draw_stack_count,
    draw_title,
    mix,
)
from media_pipeline.collage.geometry import Crop
from media_pipeline.collage.lanes import draw_lanes
from media_pipeline.collage.model import CollagePlan, CollageTile
from media_pipeline.collage.timeline import draw_axis
from media_pipeline.faces.blur import blur_faces, still_boxes
from media_pipeline.images import clip_frame, open_image
from media_pipeline.types import CancelFn, FaceSpans, RenderCancelled, Resolver

log = logging.getLogger(__name__)

POOL_MIN_TILES = 12  # below this, starting processes costs more than it saves
MAX_WORKERS = 4  # decoding is memory-light, but more than 4 processes rarely helps a collage
PREVIEW_SLACK = 0.9  # a preview this close to the needed size is sharp enough (upscaling by < 11 %)
JPEG_QUALITY = 90


@dataclass(frozen=True)
class TileJob:
    """What a worker needs to make one tile's pixels: plain paths and sizes, so it pickles cheaply."""

    moment_id: str
    kind: str
    original: str | None  # None when the key could not be resolved
    preview: str | None
    size: tuple[int, int]  # tile w, h in px
    crop: Crop
    frame_at_s: float = 1.0  # clips: which second to show
    faces: FaceSpans = ()


def render_collage(
    plan: CollagePlan,
    out_path: Path,
    *,
    resolve: Resolver,
    workers: int | None = None,
    cancelled: CancelFn | None = None,
) -> Path:
    """Paint `plan` and write it to `out_path` atomically (temp file + os.replace) in `plan.format`.

    `workers` is the number of decoding processes (default: CPU count, at most 4; 1 decodes in this
    process). Raises RenderCancelled, writing nothing, when `cancelled()` turns true between tiles.
    Returns `out_path`.
    """
    canvas = Image.new("RGB", (plan.width, plan.height), plan.palette.background)
    leader_colour = mix(plan.palette.background, plan.palette.ink, 0.35)
    leader_w = max(1, round(min(plan.width, plan.height) / 1100))
    draw = ImageDraw.Draw(canvas)
    if plan.axis is not None:
        draw_axis(canvas, plan.axis, plan.palette, plan.palette.accent)
    if plan.lanes is not None:
        draw_lanes(canvas, plan.lanes, plan.palette)
    for tile in plan.tiles:
        if tile.leader is not None:
            draw.line((*tile.leader[0], *tile.leader[1]), fill=leader_colour, width=leader_w)
    if plan.dial is not None:
        draw_dial(canvas, plan.dial, plan.palette)

    jobs = [_job(tile, resolve) for tile in plan.tiles]
    font_px = max(8, round(min(plan.width, plan.height) / 54))
    for tile, pixels in zip(plan.tiles, _decode_all(jobs, workers), strict=True):
        if cancelled is not None and cancelled():
            raise RenderCancelled("The render was cancelled.")
        x, y, w, h = tile.rect
        if pixels is None:
            draw_placeholder(canvas, tile.rect, plan.palette)
        else:
            canvas.paste(Image.frombytes("RGB", (w, h), pixels), (x, y))
        if tile.kind == "clip":
            draw_play_mark(canvas, tile.rect, tile.label.font_px if tile.label else font_px)
        if tile.label is not None:
            draw_label(canvas, tile.label)
        if tile.stacked:
            draw_stack_count(canvas, tile.rect, len(tile.stacked), tile.label.font_px if tile.label else font_px)

    if plan.title is not None:
        draw_title(canvas, plan.title, plan.palette, _logo(plan, resolve))
    if plan.more is not None:
        draw_more(canvas, plan.more, plan.palette)
    return _save_atomically(canvas, plan, out_path)


def _job(tile: CollageTile, resolve: Resolver) -> TileJob:
    def path_of(key: str | None) -> str | None:
        if not key:
            return None
        try:
            return str(resolve(key))
        except Exception as exc:  # a missing file is one placeholder, never a failed collage
            log.warning("collage: cannot find %s for moment %s: %s", key, tile.moment_id, exc)
            return None

    return TileJob(
        tile.moment_id,
        tile.kind,
        path_of(tile.key),
        path_of(tile.preview_key),
        tile.rect[2:],
        tile.crop,
        tile.frame_at_s if tile.frame_at_s is not None else 1.0,
        tile.faces,
    )


def _decode_all(jobs: list[TileJob], workers: int | None) -> Iterator[bytes | None]:
    count = min(workers or os.cpu_count() or 1, MAX_WORKERS, len(jobs))
    if count <= 1 or len(jobs) < POOL_MIN_TILES:
        yield from map(decode_tile, jobs)
        return
    if not isolation.can_start_workers():
        yield from map(decode_tile, jobs)
        return
    # from the fork server, never a fork of this (threaded) process; the server has the decoders loaded
    with ProcessPoolExecutor(max_workers=count, mp_context=isolation.worker_context()) as pool:
        yield from pool.map(decode_tile, jobs, chunksize=max(1, len(jobs) // (count * 8)))


def decode_tile(job: TileJob) -> bytes | None:
    """The tile's RGB bytes (w*h*3), or None when its source cannot be decoded."""
    w, h = job.size
    left, top, right, bottom = job.crop
    # the source must cover the tile after cropping: ask the decoder for that, no more
    need = (math.ceil(w / max(1e-6, right - left)), math.ceil(h / max(1e-6, bottom - top)))
    try:
        img = _source_image(job, need)
        if job.faces:  # before the crop: boxes are fractions of the whole picture
            img = blur_faces(img, still_boxes(job.faces))
        box = (left * img.width, top * img.height, right * img.width, bottom * img.height)
        return img.resize((w, h), Image.Resampling.LANCZOS, box=box, reducing_gap=2.0).tobytes()
    except Exception as exc:  # any broken source is a placeholder, never a failed collage
        log.warning("collage: moment %s shown as a placeholder: %s", job.moment_id, exc)
        return None


def _source_image(job: TileJob, need: tuple[int, int]) -> Image.Image:
    if job.preview is not None:
        try:
            with Image.open(job.preview) as probe:
                big_enough = min(probe.width / need[0], probe.height / need[1]) >= PREVIEW_SLACK
            if big_enough or job.original is None:
                return open_image(Path(job.preview), fit=need)
        except OSError as exc:
            log.info("collage: preview of %s unusable, using the original: %s", job.moment_id, exc)
    if job.original is None:
        raise FileNotFoundError("source file not found")
    if job.kind == "clip":
        return clip_frame(Path(job.original), at_s=job.frame_at_s, fit=need)
    return open_image(Path(job.original), fit=need)


def _logo(plan: CollagePlan, resolve: Resolver) -> Image.Image | None:
    if plan.logo_key is None or plan.title is None or plan.title.logo_rect is None:
        return None
    try:
        return open_image(resolve(plan.logo_key), fit=plan.title.logo_rect[2:], keep_alpha=True)
    except Exception as exc:  # a collage without its logo beats no collage
        log.warning("collage: logo %s left out: %s", plan.logo_key, exc)
        return None


def _save_atomically(canvas: Image.Image, plan: CollagePlan, out_path: Path) -> Path:
    return save_image(canvas, out_path, fmt=plan.format, dpi=plan.dpi,
                      title=plan.title.title if plan.title else "collage")


def save_image(canvas: Image.Image, out_path: Path, *, fmt: str, dpi: int, title: str) -> Path:
    """Write `canvas` as png, jpg or pdf to `out_path` atomically (temp file + os.replace); also the themes map's."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
    try:
        if fmt == "pdf":
            # fixed metadata: Pillow would otherwise stamp the current time and make every file differ
            canvas.save(
                tmp,
                "PDF",
                resolution=float(dpi),
                title=title,
                creationDate=None,
                modDate=None,
                quality=JPEG_QUALITY,
            )
        elif fmt == "jpg":
            canvas.save(tmp, "JPEG", quality=JPEG_QUALITY, subsampling=0, dpi=(dpi, dpi))
        else:
            canvas.save(tmp, "PNG", dpi=(dpi, dpi), compress_level=4)
        os.replace(tmp, out_path)
    finally:
        tmp.unlink(missing_ok=True)
    return out_path
