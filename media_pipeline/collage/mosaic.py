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

# Leaving this share of the height unfilled (or shrinking the block by it) weighs as much as one row
# 2.7x off the others: margins are a last resort.
FILL_SCALE = 0.01
# Up to this many pictures the split into exactly k rows is searched too (cost n^2 per row; cheap here):
# with few pictures the free split often prefers one flat row over two even ones.
EXACT_ROWS_UP_TO = 120


def place_mosaic(sizes: Sequence[tuple[int, int]], area: Rect, gutter: int) -> list[Placement]:
    """Justified rows for pictures of displayed `sizes` (w, h px, in reading order) inside `area`."""
    aspects = [w / max(1, h) for w, h in sizes]
    ax, ay, aw, ah = area
    rows = _best_rows(aspects, aw, ah, gutter)
    natural = [_row_height(aspects[s:e], aw, gutter) for s, e in rows]
    inner_h = ah - gutter * (len(rows) - 1)
    heights = _even_heights(natural, inner_h)
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


def _even_heights(natural: Sequence[float], total: float) -> list[float]:
    """Row heights as equal as the crop bound allows, adding up to `total` when they can.

    Each row may be shown up to MAX_CROP taller (sides cut) or shorter (top and bottom cut) than its
    natural height; a common height T is clamped into each row's range and T is found by bisection.
    Rows never stretched one by one toward `total` alone: that is what made one row half the others.
    """
    lo_b = [h * (1 - MAX_CROP) for h in natural]
    hi_b = [h / (1 - MAX_CROP) for h in natural]
    low, high = min(lo_b), max(hi_b)
    for _ in range(60):
        mid = (low + high) / 2
        if sum(min(max(mid, a), b) for a, b in zip(lo_b, hi_b, strict=True)) > total:
            high = mid
        else:
            low = mid
    return [min(max(low, a), b) for a, b in zip(lo_b, hi_b, strict=True)]


def _score(natural: Sequence[float], total: float) -> float:
    """How far rows shown at `_even_heights` are from equal, plus what the bound leaves unfilled."""
    shown = _even_heights(natural, total)
    logs = [math.log(h) for h in shown]
    mean = sum(logs) / len(logs)
    uneven = sum((v - mean) ** 2 for v in logs)
    unfilled = math.log(total / sum(shown))  # > 0: empty margins; < 0: the block must shrink
    cropped = sum(math.log(s / h) ** 2 for s, h in zip(shown, natural, strict=True))
    return uneven + (unfilled / FILL_SCALE) ** 2 + 0.1 * cropped


def _best_rows(aspects: list[float], width: int, height: int, gutter: int) -> list[tuple[int, int]]:
    """Row breaks (start, end) whose rows, shown as evenly as the crop bound allows, fill `height`.

    For each plausible number of rows k the even row height is t = height / k; a dynamic programme
    splits the sequence into rows whose natural heights are closest to t (squared log ratio, so a row
    half as tall costs as much as one twice as tall). Every split found is scored (`_score`) and the
    best wins: even rows first, then filling the height, then cropping little. Rows a quarter of the
    lowest target or less are never considered, which bounds a row's length: tables are n x that bound,
    not n x n (a mosaic of thousands stays in megabytes).
    """
    n = len(aspects)
    prefix = np.concatenate(([0.0], np.cumsum(aspects)))
    # rows all of height t hold width / t of aspect each: k rows fill the height when k^2 ~ A * h / w
    guess = math.sqrt(float(prefix[-1]) * height / max(1, width))
    k_low, k_high = max(1, math.floor(guess / 2) - 1), min(n, math.ceil(guess * 2) + 2)
    lowest_target = 0.9 * max(1, height - gutter * (k_high - 1)) / k_high
    log_h = _row_logs(prefix, width, gutter, lowest_target / 4)

    def natural(start: int, end: int) -> float:
        return max(1.0, width - gutter * (end - start - 1)) / float(prefix[end] - prefix[start])

    best: tuple[float, list[tuple[int, int]]] | None = None
    seen: set[tuple[tuple[int, int], ...]] = set()
    for k in range(k_low, k_high + 1):
        inner = height - gutter * (k - 1)
        if inner <= k:
            break
        # targets around the even height too: a split a little off it may fill the height exactly
        targets = [math.log(inner / k * f) for f in (1.0, 0.9, 1.1)]
        candidates = [_split(log_h, t) for t in targets]
        if n <= EXACT_ROWS_UP_TO:  # few pictures: also the best split into exactly k rows
            candidates += [_split_into(log_h, t, k) for t in targets]
        for rows in candidates:
            key = tuple(rows)
            if not rows or key in seen:
                continue
            seen.add(key)
            score = _score([natural(s, e) for s, e in rows], height - gutter * (len(rows) - 1))
            if best is None or score < best[0]:
                best = (score, rows)
    return best[1] if best else [(i, i + 1) for i in range(n)]


def _row_logs(prefix: np.ndarray, width: int, gutter: int, shortest: float) -> np.ndarray:
    """log_h[end, c]: log of the natural height of the row of the c pictures before `end` (inf where
    there are not c pictures). c runs up to the most pictures any row as tall as `shortest` holds."""
    size = len(prefix)
    # gutters ignored: a row without them holds at least as many pictures, so this bounds the length
    reach = np.searchsorted(prefix, prefix + width / max(shortest, 1e-9), side="right") - np.arange(size)
    longest = int(min(size - 1, max(1, int(reach.max()))))
    ends = np.arange(size)[:, None]
    count = np.arange(longest + 1)[None, :]
    starts = ends - count
    with np.errstate(divide="ignore", invalid="ignore"):
        row_h = np.maximum(1.0, width - gutter * (count - 1)) / (prefix[ends] - prefix[np.maximum(starts, 0)])
        return np.where((count > 0) & (starts >= 0), np.log(row_h), np.inf)


def _split(log_h: np.ndarray, log_target: float) -> list[tuple[int, int]]:
    """Rows minimising the sum of squared log ratios of each row's height to the target."""
    size, band = log_h.shape
    step_cost = (log_h - log_target) ** 2  # [end, pictures in the row]; inf where impossible
    cost = np.full(size, np.inf)
    cost[0] = 0.0
    back = np.zeros(size, dtype=np.int64)
    for end in range(1, size):
        most = min(band - 1, end)
        # starts end-most .. end-1 in order: the first minimum is the earliest start, deterministic
        total = cost[end - most : end] + step_cost[end, most:0:-1]
        pick = int(np.argmin(total))
        back[end] = end - most + pick
        cost[end] = total[pick]
    rows: list[tuple[int, int]] = []
    end = size - 1
    while end > 0:
        rows.append((int(back[end]), end))
        end = int(back[end])
    return rows[::-1]


def _split_into(log_h: np.ndarray, log_target: float, k: int) -> list[tuple[int, int]]:
    """Exactly `k` rows minimising the sum of squared log ratios to the target ([] when k > pictures)."""
    size, band = log_h.shape
    if k > size - 1:
        return []
    step_cost = (log_h - log_target) ** 2
    ends = np.arange(size)
    starts = np.maximum(ends[:, None] - np.arange(band)[None, :], 0)
    cost = np.full(size, np.inf)
    cost[0] = 0.0
    backs = []
    for _ in range(k):
        total = cost[starts] + step_cost  # [end, pictures in the row]
        longest_first = band - 1 - np.argmin(total[:, ::-1], axis=1)  # ties: the earliest start
        backs.append(ends - longest_first)
        cost = total[ends, longest_first]
    if not np.isfinite(cost[size - 1]):
        return []
    rows: list[tuple[int, int]] = []
    end = size - 1
    for back in reversed(backs):
        start = int(back[end])
        rows.append((start, end))
        end = start
    return rows[::-1]
