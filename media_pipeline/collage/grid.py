"""Grid: uniform cells in reading order, for many moments; an incomplete last row is centred."""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import median

from media_pipeline.collage.geometry import Rect, fit_in_box
from media_pipeline.collage.model import Placement


def place_grid(sizes: Sequence[tuple[int, int]], area: Rect, gutter: int) -> list[Placement]:
    """Cells as large as possible for the typical picture shape; each picture fitted in its cell."""
    n = len(sizes)
    ax, ay, aw, ah = area
    typical = min(max(median(w / max(1, h) for w, h in sizes), 0.75), 16 / 9)
    best_cols, best_area = 1, -1.0
    for cols in range(1, n + 1):
        rows = math.ceil(n / cols)
        cw = (aw - gutter * (cols - 1)) / cols
        ch = (ah - gutter * (rows - 1)) / rows
        if cw < 1 or ch < 1:
            continue
        shown = min(cw, ch * typical) * min(ch, cw / typical)
        if shown > best_area * 1.0001:  # fewer columns win ties: fuller rows
            best_cols, best_area = cols, shown
    cols = best_cols
    rows = math.ceil(n / cols)
    cw = (aw - gutter * (cols - 1)) / cols
    ch = (ah - gutter * (rows - 1)) / rows
    placements: list[Placement] = []
    for i, (w, h) in enumerate(sizes):
        row, col = divmod(i, cols)
        in_row = min(cols, n - row * cols)
        shift = (cols - in_row) * (cw + gutter) / 2  # centre the last row
        left = round(ax + shift + col * (cw + gutter))
        top = round(ay + row * (ch + gutter))
        cell = (
            left,
            top,
            round(ax + shift + col * (cw + gutter) + cw) - left,
            round(ay + row * (ch + gutter) + ch) - top,
        )
        rect, crop = fit_in_box(w, h, cell)
        placements.append(Placement(i, rect, crop))
    return placements
