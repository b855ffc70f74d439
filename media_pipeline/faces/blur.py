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


@dataclass(frozen=True)
class Window:
    """One ffmpeg chain: a hiding window of fixed size (px) that jumps from stretch to stretch of one face.

    Each stretch is (from s, to s, left px, top px) in stream time. One chain per face (per MAX_STRETCHES
    stretches) rather than one per stretch: every chain costs ~1 ms a 720p frame even while idle.
    """

    w: int
    h: int
    stretches: tuple[tuple[float, float, int, int], ...]

    def at(self, t: float) -> tuple[int, int] | None:
        """(left, top) px of the window at stream time `t`, or None when it hides nothing then."""
        if not self.stretches[0][0] <= t <= self.stretches[-1][1]:
            return None
        for _, end, x, y in self.stretches:
            if t < end:
                return x, y
        return self.stretches[-1][2], self.stretches[-1][3]

    def position(self, axis: int) -> str:
        """The ffmpeg expression of the window's left (axis 2) or top (axis 3) px at time t."""
        expr = str(self.stretches[-1][axis])
        for stretch in reversed(self.stretches[:-1]):
            expr = f"if(lt(t,{stretch[1]:.3f}),{stretch[axis]},{expr})"
        return expr


MAX_STRETCHES = 24  # per chain: keeps ffmpeg's expressions short, and the window no larger than a few seconds need


def _faces_of(spans: Sequence[ClipBlur]) -> list[list[ClipBlur]]:
    """Spans grouped by face: a track's stretches follow each other end to start (see FaceTrack.spans)."""
    groups: list[list[ClipBlur]] = []
    for span in spans:
        if groups and abs(groups[-1][-1].to_s - span.from_s) < 1e-6 and span.from_s >= groups[-1][-1].from_s:
            groups[-1].append(span)
        else:
            groups.append([span])
    return groups


def clip_windows(spans: Sequence[ClipBlur], *, size: tuple[int, int], offset_s: float,
                 pad: float = PAD) -> list[Window]:
    """The hiding windows for `spans` (boxes padded by `pad`) in a stream of upright frames of `size` px whose
    time 0 is clip time `offset_s`. Stretches that end before the stream starts are left out."""
    w, h = size
    windows = []
    for face in _faces_of(spans):
        for first in range(0, len(face), MAX_STRETCHES):
            boxes = [(span.from_s - offset_s, span.to_s - offset_s, _pixels(span.box.padded(pad), size))
                     for span in face[first:first + MAX_STRETCHES] if span.to_s - offset_s >= 0]
            if not boxes:
                continue
            # even sizes and offsets: the chroma planes are half size; +2 px for the rounding of the centre
            ww = min(w // 2 * 2, max(2, max(x1 - x0 for _, _, (x0, _, x1, _) in boxes) // 2 * 2 + 4))
            wh = min(h // 2 * 2, max(2, max(y1 - y0 for _, _, (_, y0, _, y1) in boxes) // 2 * 2 + 4))
            stretches = []
            for start, end, (x0, y0, x1, y1) in boxes:
                left = min(max(0, round((x0 + x1 - ww) / 2)), w - ww) // 2 * 2
                top = min(max(0, round((y0 + y1 - wh) / 2)), h - wh) // 2 * 2
                stretches.append((max(0.0, start), end, left, top))
            windows.append(Window(ww, wh, tuple(stretches)))
    return windows


def clip_blur_chains(spans: Sequence[ClipBlur], *, src: str, out: str, size: tuple[int, int], offset_s: float,
                     tag: str, pad: float = PAD) -> list[str]:
    """ffmpeg filter chains hiding `spans` (boxes padded by `pad`) in the stream [src] (upright frames of `size`
    px, its time 0 at clip time `offset_s`), giving [out]: per face a window that follows it (`clip_windows`),
    pixelated and blurred; outside the face's time every filter passes frames on untouched."""
    chains: list[str] = []
    label = src
    for index, window in enumerate(clip_windows(spans, size=size, offset_s=offset_s, pad=pad)):
        block = max(2, round(max(window.w, window.h) / BLOCKS))
        radius = max(1, min(block // 2, min(window.w, window.h) // 4 - 1))
        x, y = window.position(2), window.position(3)
        when = f"enable='between(t,{window.stretches[0][0]:.3f},{window.stretches[-1][1]:.3f})'"
        nxt = f"{tag}f{index}"
        chains.append(f"[{label}]split=2[{nxt}a][{nxt}b]")
        chains.append(f"[{nxt}b]crop=w={window.w}:h={window.h}:x='{x}':y='{y}',pixelize=w={block}:h={block}:{when},"
                      f"boxblur={radius}:1:{when}[{nxt}c]")
        chains.append(f"[{nxt}a][{nxt}c]overlay=x='{x}':y='{y}':{when}[{nxt}]")
        label = nxt
    if label == src:
        chains.append(f"[{src}]null[{out}]")
    else:
        chains[-1] = chains[-1].rsplit("[", 1)[0] + f"[{out}]"
    return chains
