"""Hiding faces for good: the padded box is pixelated to a few blocks, then blurred.

Pixelation throws the detail away (no deblurring brings back what was averaged into 8 blocks); the blur
on top only makes it look calm. Photos are done with Pillow; clips with ffmpeg filters in the render's
own command, one crop | pixelize | boxblur | overlay per stretch of a face track (see track.py), so no
frame passes through Python.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageFilter

from media_pipeline.faces.detect import FaceBox
from media_pipeline.types import FaceSpans

PAD = 0.25  # of the box's size on every side: hair, ears, a turned head
BLOCKS = 8  # across the longer side of a padded face: far too few to recognise anyone


@dataclass(frozen=True)
class ClipBlur:
    """One stretch of a clip to hide: from s, to s (clip time), padded box (fractions of the upright frame)."""

    from_s: float
    to_s: float
    box: FaceBox


def still_boxes(faces: FaceSpans) -> list[FaceBox]:
    """Every box of `faces`, for a still picture. A clip's poster frame may be any of its frames, so a still
    of a clip hides every place a face has been: more blur than needed, never less."""
    return [FaceBox(x, y, w, h) for _, _, x, y, w, h in faces]


def clip_spans(faces: FaceSpans) -> list[ClipBlur]:
    return [ClipBlur(t0, t1, FaceBox(x, y, w, h)) for t0, t1, x, y, w, h in faces]


def _pixels(box: FaceBox, size: tuple[int, int]) -> tuple[int, int, int, int]:
    w, h = size
    x0, y0 = max(0, int(box.x * w)), max(0, int(box.y * h))
    x1, y1 = min(w, math.ceil((box.x + box.w) * w)), min(h, math.ceil((box.y + box.h) * h))
    return x0, y0, x1, y1


def blur_faces(img: Image.Image, boxes: Sequence[FaceBox], *, pad: float = PAD) -> Image.Image:
    """A copy of `img` with every box (padded by `pad`) pixelated and blurred; `img` is left alone."""
    out = img.convert("RGB").copy()
    for box in boxes:
        x0, y0, x1, y1 = _pixels(box.padded(pad), out.size)
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        region = out.crop((x0, y0, x1, y1))
        block = max(1.0, max(region.size) / BLOCKS)
        tiny = region.resize((max(1, round(region.width / block)), max(1, round(region.height / block))),
                             Image.Resampling.BOX)
        hidden = tiny.resize(region.size, Image.Resampling.NEAREST).filter(ImageFilter.GaussianBlur(block / 3))
        out.paste(hidden, (x0, y0))
    return out


def clip_blur_chains(spans: Sequence[ClipBlur], *, src: str, out: str, size: tuple[int, int], offset_s: float,
                     tag: str, pad: float = PAD) -> list[str]:
    """ffmpeg filter chains hiding `spans` (boxes padded by `pad`) in the stream [src] (upright frames of `size`
    px, its time 0 at clip time `offset_s`), giving [out]. Stretches before the stream's start are left out."""
    w, h = size
    chains: list[str] = []
    label = src
    for index, span in enumerate(spans):
        start, end = span.from_s - offset_s, span.to_s - offset_s
        if end < 0:
            continue
        x0, y0, x1, y1 = _pixels(span.box.padded(pad), (w, h))
        x0, y0 = x0 // 2 * 2, y0 // 2 * 2  # even offsets: chroma planes are half size
        bw, bh = max(2, (x1 - x0 + 1) // 2 * 2), max(2, (y1 - y0 + 1) // 2 * 2)
        bw, bh = min(bw, w - x0), min(bh, h - y0)
        if bw < 2 or bh < 2:
            continue
        block = max(2, round(max(bw, bh) / BLOCKS))
        radius = max(1, min(block // 2, min(bw, bh) // 4 - 1))
        nxt = f"{tag}f{index}"
        # outside its stretch every filter of the chain passes frames on untouched (timeline support): a clip
        # with many stretches costs little more than one with a single stretch
        when = f"enable='between(t,{max(0.0, start):.3f},{end:.3f})'"
        chains.append(f"[{label}]split=2[{nxt}a][{nxt}b]")
        chains.append(f"[{nxt}b]crop={bw}:{bh}:{x0}:{y0},pixelize=w={block}:h={block}:{when},"
                      f"boxblur={radius}:1:{when}[{nxt}c]")
        chains.append(f"[{nxt}a][{nxt}c]overlay=x={x0}:y={y0}:{when}[{nxt}]")
        label = nxt
    if label == src:
        chains.append(f"[{src}]null[{out}]")
    else:
        chains[-1] = chains[-1].rsplit("[", 1)[0] + f"[{out}]"
    return chains
