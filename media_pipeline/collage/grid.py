"""Grid: a true grid of equal cells in reading order, edge to edge, for many moments.

Every cell has the same size and every picture fills its cell (centre-cropped to the cell's shape,
which is chosen close to the typical picture's), so rows and columns line up with no gaps and the
caption bands at the bottom of the cells form straight lines. An incomplete last row starts at the
left, under the columns above it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import median

from media_pipeline.collage.geometry import Rect, centre_crop
from media_pipeline.collage.model import Placement

EMPTY_CELL_COST = 0.15  # an unused cell in the last row weighs as much as a cell shape ~1.5x off the typical


def grid_shape(sizes: Sequence[tuple[int, int]], area: Rect, gutter: int) -> tuple[int, int]:
    """(columns, rows): cells closest in shape to the typical picture, with few empty cells."""
    n = len(sizes)
    _, _, aw, ah = area
    typical = median(w / max(1, h) for w, h in sizes)
    best: tuple[float, int] | None = None
    for cols in range(1, n + 1):
        rows = math.ceil(n / cols)
        cw = (aw - gutter * (cols - 1)) / cols
        ch = (ah - gutter * (rows - 1)) / rows
        if cw < 1 or ch < 1:
            continue
        cost = math.log(cw / ch / typical) ** 2 + EMPTY_CELL_COST * (rows * cols - n) / cols
        if best is None or cost < best[0] - 1e-9:  # fewer columns win ties
            best = (cost, cols)
    cols = best[1] if best else n
    return cols, math.ceil(n / cols)


def place_grid(sizes: Sequence[tuple[int, int]], area: Rect, gutter: int) -> list[Placement]:
    """Equal cells of whole pixels, the block centred in `area` (the rounding leaves under a cell's
    count of pixels at the sides); each picture cropped to fill its cell."""
    ax, ay, aw, ah = area
    cols, rows = grid_shape(sizes, area, gutter)
    cw = max(1, (aw - gutter * (cols - 1)) // cols)
    ch = max(1, (ah - gutter * (rows - 1)) // rows)
    x0 = ax + (aw - cols * cw - gutter * (cols - 1)) // 2
    y0 = ay + (ah - rows * ch - gutter * (rows - 1)) // 2
    placements: list[Placement] = []
    for i, (w, h) in enumerate(sizes):
        row, col = divmod(i, cols)
        rect = (x0 + col * (cw + gutter), y0 + row * (ch + gutter), cw, ch)
        placements.append(Placement(i, rect, centre_crop(w / max(1, h), cw / ch)))
    return placements
