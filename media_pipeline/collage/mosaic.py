"""Mosaic: a justified layout in time-of-day reading order, edge to edge, rows filling the height.

Each row is as tall as it must be for its pictures (at their own aspect ratio) to exactly fill the
width. The rows are chosen so their heights add up to the height available; what little is left over
is spread evenly over all rows, which crops every picture by the same small share, never more than
`MAX_CROP` (15 %). When even that cannot fill the canvas (one portrait photo on a wide screen),
the block is centred with empty margins rather than cut further.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from media_pipeline.collage.geometry import MAX_CROP, Rect, bounded_crop
from media_pipeline.collage.model import Placement

# A stretch of this share (so a crop of it) weighs as much as one row 2.7x off the typical height.
MISFIT_SCALE = 0.04


def place_mosaic(sizes: Sequence[tuple[int, int]], area: Rect, gutter: int) -> list[Placement]:
    """Justified rows for pictures of displayed `sizes` (w, h px, in reading order) inside `area`."""
    aspects = [w / max(1, h) for w, h in sizes]
    ax, ay, aw, ah = area
    rows = _best_rows(aspects, aw, ah, gutter)
    natural = [_row_height(aspects[s:e], aw, gutter) for s, e in rows]
    inner_h = ah - gutter * (len(rows) - 1)
    stretch = inner_h / sum(natural)  # > 1: rows taller than natural, so the sides get cut
    stretch = min(max(stretch, 1 - MAX_CROP), 1 / (1 - MAX_CROP))
    heights = [h * stretch for h in natural]
    block_h = sum(heights) + gutter * (len(rows) - 1)
    scale = min(1.0, ah / block_h)  # only when the crop bound stops us from filling the height
    block_w = aw * scale
    x0 = ax + (aw - block_w) / 2
    y0 = ay + max(0.0, (ah - block_h * scale) / 2)
    placements: list[Placement] = []
    # integer edges from running float sums, each next edge one gutter on: gutters stay exactly even
    top = round(y0)
    y = y0
    for (start, end), row_h in zip(rows, heights, strict=True):
        y += row_h * scale
        bottom = round(y)
        weights = aspects[start:end]
        free_w = block_w - gutter * (end - start - 1)
        left = round(x0)
        x = x0
        for i, a in enumerate(weights):
            x += free_w * a / sum(weights)
            right = round(x)
            rect = (left, top, right - left, bottom - top)
            placements.append(Placement(start + i, rect, bounded_crop(a, rect)))
            x += gutter
            left = right + gutter
        y += gutter
        top = bottom + gutter
    return placements


def _row_height(aspects: Sequence[float], width: float, gutter: int) -> float:
    return max(1.0, width - gutter * (len(aspects) - 1)) / sum(aspects)


def _best_rows(aspects: list[float], width: int, height: int, gutter: int) -> list[tuple[int, int]]:
    """Row breaks (start, end) whose natural heights, with gutters, best add up to `height`.

    First a typical row height t: for a given t, a dynamic programme splits the sequence into rows
    whose heights are closest to t (squared log ratio, so a row half as tall costs as much as one
    twice as tall); taller targets give more rows, and a bisection finds the t whose rows about fit.
    Balanced rows rarely add up exactly, so a second programme, over (pictures placed, height used in
    whole pixels), finds the most even split whose heights add up to the height itself.
    """
    n = len(aspects)
    prefix = np.concatenate(([0.0], np.cumsum(aspects)))
    count = np.arange(n + 1)[None, :] - np.arange(n + 1)[:, None]  # pictures in row [start, end)
    with np.errstate(divide="ignore", invalid="ignore"):
        row_h = np.maximum(1.0, width - gutter * (count - 1)) / (prefix[None, :] - prefix[:, None])
        log_h = np.where(count > 0, np.log(row_h), np.inf)  # log_h[start, end]
    lo, hi = math.log(max(1.0, height / (4 * n))), math.log(height * 2.0)
    for _ in range(20):
        log_t = (lo + hi) / 2
        rows = _split(log_h, log_t)
        total = sum(float(row_h[s, e]) for s, e in rows) + gutter * (len(rows) - 1)
        lo, hi = (lo, log_t) if total > height else (log_t, hi)
    return _exact_split(row_h, log_h, (lo + hi) / 2, height, gutter)


def _exact_split(row_h: np.ndarray, log_h: np.ndarray, log_t: float, height: int, gutter: int) -> list[tuple[int, int]]:
    """The most even rows (around exp(log_t)) whose rounded heights plus gutters come closest to `height`."""
    size = row_h.shape[0]
    # heights are counted in units of a few pixels on big canvases, so the table stays small
    unit = max(1, height // 1500)
    # each row is counted with the gutter below it (the last has none); totals up to twice the height
    # are kept, for when only squeezing (within the crop bound) and then shrinking the block can fit
    budget = (2 * height + gutter) // unit + 2
    with np.errstate(invalid="ignore"):
        used = np.where(np.isfinite(log_h), np.rint((np.minimum(row_h, budget * unit) + gutter) / unit), budget).astype(
            np.int64
        )
    step_cost = (log_h - log_t) ** 2
    cost = np.full((size, budget), np.inf)
    cost[0, 0] = 0.0
    back = np.full((size, budget), -1, dtype=np.int64)
    columns = np.arange(budget)
    for end in range(1, size):
        # rows [start, end) within a factor ~2.7 of the typical height; longer rows only get flatter
        starts = np.flatnonzero((step_cost[:end, end] <= 1.0) & (used[:end, end] < budget))
        if starts.size == 0:
            continue
        source = columns[None, :] - used[starts, end][:, None]  # height used before this row
        options = np.where(source >= 0, cost[starts[:, None], np.maximum(source, 0)], np.inf)
        options += step_cost[starts, end][:, None]
        pick = np.argmin(options, axis=0)  # the first minimum: deterministic
        cost[end] = options[pick, columns]
        back[end] = starts[pick]
    reachable = np.flatnonzero(np.isfinite(cost[size - 1]))
    if reachable.size == 0:  # nothing fits the budget (one very tall picture): one row each
        return [(i, i + 1) for i in range(size - 1)]
    misfit = np.log(np.maximum(1, reachable) * unit / (height + gutter))
    score = (misfit / MISFIT_SCALE) ** 2 + cost[size - 1, reachable]
    b = int(reachable[int(np.argmin(score))])
    rows: list[tuple[int, int]] = []
    end = size - 1
    while end > 0:
        start = int(back[end, b])
        rows.append((start, end))
        b -= int(used[start, end])
        end = start
    return rows[::-1]


def _split(log_h: np.ndarray, log_target: float) -> list[tuple[int, int]]:
    """Rows minimising the sum of squared log ratios of each row's height to the target."""
    size = log_h.shape[0]
    step_cost = (log_h - log_target) ** 2  # inf where start >= end
    cost = np.full(size, np.inf)
    cost[0] = 0.0
    back = np.zeros(size, dtype=np.int64)
    for end in range(1, size):
        total = cost[:end] + step_cost[:end, end]
        back[end] = int(np.argmin(total))  # the first minimum: deterministic
        cost[end] = total[back[end]]
    rows: list[tuple[int, int]] = []
    end = size - 1
    while end > 0:
        rows.append((int(back[end]), end))
        end = int(back[end])
    return rows[::-1]
