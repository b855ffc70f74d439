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

from media_pipeline.collage.geometry import MAX_CROP, Rect, centre_crop
from media_pipeline.collage.model import Placement


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
            placements.append(Placement(start + i, rect, centre_crop(a, rect[2] / max(1, rect[3]))))
            x += gutter
            left = right + gutter
        y += gutter
        top = bottom + gutter
    return placements


def _row_height(aspects: Sequence[float], width: float, gutter: int) -> float:
    return max(1.0, width - gutter * (len(aspects) - 1)) / sum(aspects)


def _best_rows(aspects: list[float], width: int, height: int, gutter: int) -> list[tuple[int, int]]:
    """Row breaks (start, end) whose natural heights best add up to `height`.

    For each plausible row count k, a dynamic programme splits the sequence into k rows whose heights
    are as close as possible to height/k (squared log ratio, so a row half as tall costs as much as one
    twice as tall); the k whose total then needs the least stretching wins.
    """
    n = len(aspects)
    total = sum(aspects)
    # k equal rows of aspect sum total/k have height k*width/total each: k^2*width/total = height
    k_ideal = math.sqrt(height * total / max(1, width))
    k_lo = max(1, math.floor(k_ideal * 0.6))
    k_hi = min(n, math.ceil(k_ideal * 1.5) + 1)
    best: tuple[float, list[tuple[int, int]]] | None = None
    for k in range(k_lo, k_hi + 1):
        target = (height - gutter * (k - 1)) / k
        if target <= 0:
            break
        rows = _split(aspects, k, target, width, gutter)
        if rows is None:
            continue
        natural = sum(_row_height(aspects[s:e], width, gutter) for s, e in rows)
        misfit = math.log((height - gutter * (k - 1)) / natural) ** 2
        unevenness = (
            sum(math.log(_row_height(aspects[s:e], width, gutter) / target) ** 2 for s, e in rows) / k
        )
        score = 8 * misfit + unevenness
        if best is None or score < best[0] - 1e-12:
            best = (score, rows)
    return best[1] if best else [(0, n)]


def _split(
    aspects: list[float], k: int, target: float, width: int, gutter: int
) -> list[tuple[int, int]] | None:
    """k contiguous rows minimising the squared log ratio of each row's height to `target`."""
    n = len(aspects)
    prefix = [0.0]
    for a in aspects:
        prefix.append(prefix[-1] + a)
    inf = float("inf")
    cost = [[inf] * (n + 1) for _ in range(k + 1)]
    back = [[0] * (n + 1) for _ in range(k + 1)]
    cost[0][0] = 0.0
    for j in range(1, k + 1):
        # row j must leave at least one picture for each later row
        for end in range(j, n - (k - j) + 1):
            for start in range(end - 1, j - 2, -1):
                if cost[j - 1][start] == inf:
                    continue
                row_h = max(1.0, width - gutter * (end - start - 1)) / (prefix[end] - prefix[start])
                if row_h < target * 0.35:  # longer rows only get flatter
                    break
                c = cost[j - 1][start] + math.log(row_h / target) ** 2
                if c < cost[j][end]:
                    cost[j][end], back[j][end] = c, start
    if cost[k][n] == inf:
        return None
    rows: list[tuple[int, int]] = []
    end = n
    for j in range(k, 0, -1):
        start = back[j][end]
        rows.append((start, end))
        end = start
    return rows[::-1]
