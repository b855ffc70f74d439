"""How many tiles a collage can show and stay legible, and a fair choice of which when there are more.

A tile is legible when its shorter side is at least LEGIBLE_SHARE of the canvas's shorter side (a face
can be told from across a room on a screen; about 2 cm on an A3 poster). Each layout packs tiles with
its own density (share of the canvas that ends up covered), measured on big synthetic days; the
default `max_tiles` is the canvas area over the area of a legible tile, times that density.
"""

from __future__ import annotations

from collections.abc import Sequence

from media_pipeline.daytime import seconds_of_day
from media_pipeline.selection import Candidate, candidate_of, fair_order
from media_pipeline.types import Moment

LEGIBLE_SHARE = 1 / 14
TYPICAL_ASPECT = 4 / 3  # a legible tile is this much wider than tall (phones: 4:3 landscape or portrait)
# share of the canvas a layout covers with tiles when full: gutters, title band, dial, axis and lanes take the rest
DENSITY: dict[str, float] = {"mosaic": 0.8, "grid": 0.75, "clock": 0.2, "timeline": 0.3, "lanes": 0.5}


def legible_side_px(size_px: tuple[int, int]) -> int:
    return max(1, round(min(size_px) * LEGIBLE_SHARE))


def default_max_tiles(layout: str, size_px: tuple[int, int]) -> int:
    """The most tiles `layout` shows on a canvas of `size_px` with every tile legible (at least 1)."""
    side = legible_side_px(size_px)
    return max(1, int(size_px[0] * size_px[1] * DENSITY[layout] / (side * side * TYPICAL_ASPECT)))


def fair_ranking(ordered: Sequence[Moment], seed: int) -> list[int]:
    """Positions in `ordered`, fairest first: across hours, roles and contributors, best-rated and varied
    first (see media_pipeline.selection). Any prefix is a fair sample."""
    candidates: list[Candidate] = [candidate_of(m, int(seconds_of_day(m.local_time) // 3600)) for m in ordered]
    return fair_order(candidates, seed)


def take(ordered: Sequence[Moment], ranking: Sequence[int], count: int) -> list[Moment]:
    """The first `count` of `ranking`, kept in the order of `ordered`."""
    chosen = set(ranking[:count])
    return [m for i, m in enumerate(ordered) if i in chosen]
