"""Rectangles and crops shared by the layouts. Pixels are integers; crops are fractions of the source."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

Rect = tuple[int, int, int, int]  # x, y, w, h in canvas pixels
Crop = tuple[float, float, float, float]  # left, top, right, bottom as fractions 0..1 of the displayed source

# The most of a picture any layout may cut away (share of its width or height). Beyond this a layout
# leaves space (letterbox) rather than cut faces off.
MAX_CROP = 0.15

# Clock and timeline may move a tile from its exact time toward an even spacing of all tiles (a leader
# line still points at the exact time). They try these spreads, and take the smallest whose tiles are
# at least HONESTY_TRADE as large as the largest any spread gives.
SPREADS = (0.0, 1 / 3, 2 / 3, 1.0)
HONESTY_TRADE = 0.85


def most_honest(sizes: Sequence[float]) -> int:
    """Index of the smallest spread whose tile size is close enough to the best (see SPREADS)."""
    best = max(sizes)
    return next(i for i, size in enumerate(sizes) if size >= best * HONESTY_TRADE)


def centre_crop(src_aspect: float, shown_aspect: float) -> Crop:
    """The centred crop of a source (w/h = `src_aspect`) that shows it at `shown_aspect`."""
    if shown_aspect < src_aspect:  # shown narrower: cut the sides
        keep = shown_aspect / src_aspect
        return (round((1 - keep) / 2, 6), 0.0, round((1 + keep) / 2, 6), 1.0)
    keep = src_aspect / shown_aspect  # shown wider: cut top and bottom
    return (0.0, round((1 - keep) / 2, 6), 1.0, round((1 + keep) / 2, 6))


def bounded_crop(src_aspect: float, rect: Rect, max_crop: float = MAX_CROP) -> Crop:
    """The centred crop that shows a source in `rect`, never cutting more than `max_crop`.

    Pixel rounding of `rect` may ask for a hair more than the bound; that hair is stretched, not cut.
    """
    shown = rect[2] / max(1, rect[3])
    return centre_crop(src_aspect, min(max(shown, src_aspect * (1 - max_crop)), src_aspect / (1 - max_crop)))


def crop_share(crop: Crop) -> float:
    """The larger share of width or height a crop cuts away (0 = nothing cut)."""
    return max(1 - (crop[2] - crop[0]), 1 - (crop[3] - crop[1]))


def fit_in_box(src_w: int, src_h: int, box: Rect, max_crop: float = MAX_CROP) -> tuple[Rect, Crop]:
    """Show a source as large as possible inside `box`, cutting at most `max_crop` of it.

    The picture is cropped toward the box's shape (up to the bound), then fitted and centred; what
    the bound does not allow to be cut stays as empty margin in the box.
    """
    bx, by, bw, bh = box
    src_aspect = src_w / max(1, src_h)
    box_aspect = bw / max(1, bh)
    lo, hi = src_aspect * (1 - max_crop), src_aspect / (1 - max_crop)
    shown = min(max(box_aspect, lo), hi)
    if shown >= box_aspect:  # limited by width
        w, h = bw, max(1, round(bw / shown))
    else:
        w, h = max(1, round(bh * shown)), bh
    rect = (bx + (bw - w) // 2, by + (bh - h) // 2, w, h)
    return rect, bounded_crop(src_aspect, rect, max_crop)


def overlaps(a: Rect, b: Rect, gap: int = 0) -> bool:
    """True when the rectangles come closer than `gap` pixels (touching edges do not overlap at gap 0)."""
    return (
        a[0] < b[0] + b[2] + gap and b[0] < a[0] + a[2] + gap and a[1] < b[1] + b[3] + gap and b[1] < a[1] + a[3] + gap
    )


def inside(inner: Rect, outer: Rect) -> bool:
    return (
        inner[0] >= outer[0]
        and inner[1] >= outer[1]
        and inner[0] + inner[2] <= outer[0] + outer[2]
        and inner[1] + inner[3] <= outer[1] + outer[3]
    )


def rect_hits_circle(rect: Rect, cx: float, cy: float, r: float) -> bool:
    """True when any part of `rect` lies within `r` of (cx, cy)."""
    nx = min(max(cx, rect[0]), rect[0] + rect[2])
    ny = min(max(cy, rect[1]), rect[1] + rect[3])
    return math.hypot(nx - cx, ny - cy) < r


def largest_size(place: Callable[[float], T | None], lo: float, hi: float, rounds: int) -> tuple[float, T | None]:
    """Bisection on a tile size: the largest in [lo, hi] (within `rounds` halvings) at which `place` finds room for
    every tile, and what it placed there; `place(lo)`'s answer, None included, when no larger size fits."""
    best = place(lo)
    for _ in range(rounds):
        mid = (lo + hi) / 2
        attempt = place(mid)
        if attempt is not None:
            lo, best = mid, attempt
        else:
            hi = mid
    return lo, best
