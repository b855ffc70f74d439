"""24-hour clock: moments around a dial at their local time, noon at the top, clockwise.

Every tile's centre lies on the ray from the dial's centre through its exact time, so its angle is
honest; crowded hours are packed outward along their rays, in rings, and when the densest hour runs
out of canvas all tiles shrink together. A thin leader line joins each tile to its time on the dial.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Sequence

from PIL import Image, ImageDraw

from media_pipeline.collage.draw import ink_on, mix
from media_pipeline.collage.geometry import (
    SPREADS,
    Rect,
    fit_in_box,
    inside,
    largest_size,
    most_honest,
    overlaps,
    rect_hits_circle,
)
from media_pipeline.collage.model import ClockDial, DialPart, Palette, Placement
from media_pipeline.daytime import PARTS, part_label
from media_pipeline.fonts import font

NOON_AT_TOP = True  # the day's light part reads left to right across the top
PART_COLOURS: dict[str, tuple[int, int, int]] = {
    "night": (44, 56, 110),
    "dawn": (238, 150, 128),
    "morning": (250, 206, 112),
    "midday": (255, 232, 140),
    "afternoon": (245, 168, 78),
    "evening": (156, 98, 168),
}
SUPERSAMPLE = 2  # the dial is drawn at twice the size and reduced: smooth arcs without a vector library
MAX_DRIFT_DEG = 13.5  # the furthest a tile may move from its time to make room: 54 minutes
MIN_TILE = 0.055  # of the canvas's short side: below this a crowded time stacks its moments instead
STACK_SPAN_S = 1800  # the most time one stack may span: its tile stays within half an hour of each


def angle_deg(seconds_of_day: float) -> float:
    """Clockwise degrees from the top of the dial for a time of day."""
    return _on_dial(seconds_of_day / 86400 * 360)


def dial_for(canvas: tuple[int, int], language: str) -> ClockDial:
    """The dial in the middle of the canvas with its parts of day in the project's language."""
    w, h = canvas
    radius = min(w, h) * 0.21
    bounds = [*PARTS, (24, "night")]
    spans = [(first, nxt, name) for (first, name), (nxt, _) in itertools.pairwise(bounds)]
    if spans[0][2] == spans[-1][2]:  # night wraps through midnight: 23-24 and 0-5 are one arc
        spans = [(spans[-1][0], spans[0][1], spans[0][2]), *spans[1:-1]]
    parts = tuple(
        DialPart(angle_deg(first * 3600), angle_deg(nxt * 3600), name, part_label(name, language))
        for first, nxt, name in spans
    )
    return ClockDial(
        centre=(w / 2, h / 2),
        radius=round(radius, 1),
        ring_px=round(radius * 0.16, 1),
        noon_at_top=NOON_AT_TOP,
        parts=parts,
        hour_font_px=max(6, round(radius * 0.065)),
        part_font_px=max(6, round(radius * 0.075)),
    )


def title_rect(dial: ClockDial) -> Rect:
    """The square inside the hour numbers where title, date and contributor count go."""
    inner = dial.radius - dial.ring_px - dial.hour_font_px * 2.2
    cx, cy = dial.centre
    side = round(inner * 2 * 0.86)
    return (round(cx - side / 2), round(cy - side / 2), side, side)


def _place_each(
    sizes: Sequence[tuple[int, int]],
    seconds: Sequence[float],
    canvas: tuple[int, int],
    dial: ClockDial,
    gutter: int,
    reserve: int = 0,
) -> tuple[float, list[Placement]]:
    """Tiles around the dial in clockwise time order, each joined by a leader line to its exact time.

    Angles are measured by the share of the canvas's room around the dial that lies before them
    (a wide canvas has more room beside the dial than above it). A tile's share is (1 - spread) * its
    time's share + spread * its place in an even spacing of all tiles: spread 0 puts every tile exactly
    at its time; more spread lets a crowded noon borrow the room of the empty night. The smallest
    spread whose tiles are nearly as large as the best wins, so the clock stays as honest as the
    moments allow; clockwise order is kept either way.
    """
    w, h = canvas
    margin = max(gutter, round(min(w, h) * 0.012))
    keep_out = dial.radius + dial.ring_px * 0.5  # room for the hour ticks outside the ring
    free = w * h - math.pi * keep_out**2
    hi = min(min(w, h) / 2 - keep_out - margin, math.sqrt(free / len(sizes)) * 1.2)
    room = _RoomShare((w / 2 - margin, h / 2 - margin), keep_out)
    shares = [room.share(sec / 86400 * 360) for sec in seconds]
    n = len(shares)
    # the even spacing (by room) that lies closest, in least squares, to the real times
    offset = sum(u - (i + 0.5) / n for i, u in enumerate(shares)) / n
    even = [offset + (i + 0.5) / n for i in range(n)]
    results: list[tuple[float, list[Placement]]] = []
    for spread in SPREADS:
        times = [sec / 86400 * 360 for sec in seconds]
        moved = [room.angle((1 - spread) * u + spread * e) for u, e in zip(shares, even, strict=True)]
        # every tile within MAX_DRIFT_DEG of its time: all moves shrink by one factor, which keeps the
        # clockwise order (a mix of two sorted sequences) and spreads a crowded minute along its hour
        most = max(abs(a - t) for a, t in zip(moved, times, strict=True))
        keep = min(1.0, MAX_DRIFT_DEG / most) if most > 0 else 1.0
        angles = [t + keep * (a - t) for a, t in zip(moved, times, strict=True)]
        results.append(_largest(sizes, seconds, angles, (w, h), dial, keep_out, (margin, reserve), gutter, hi))
    return results[most_honest([box for box, _ in results])]


def place_clock(
    sizes: Sequence[tuple[int, int]],
    seconds: Sequence[float],
    canvas: tuple[int, int],
    dial: ClockDial,
    gutter: int,
    reserve: int = 0,
) -> list[Placement]:
    """Every moment on a tile near its time (see `_place_each`); when many share a time and their tiles
    would get smaller than MIN_TILE of the canvas, neighbours in time are stacked on one tile that
    shows the first and counts the rest (`Placement.members`), a stack spanning at most STACK_SPAN_S.
    No tile comes within `reserve` px of the canvas's bottom edge (room for a note).
    """
    n = len(sizes)
    least = min(canvas) * MIN_TILE
    box, placements = _place_each(sizes, seconds, canvas, dial, gutter, reserve)
    per, runs = 1, _runs(seconds)
    while (box < least or not placements) and per < n:
        per = min(n, per * 2)
        groups = _groups(runs, per)
        lead = [g[0] for g in groups]
        box, placed = _place_each([sizes[i] for i in lead], [seconds[i] for i in lead], canvas, dial, gutter,
                                  reserve)
        placements = [Placement(lead[p.index], p.rect, p.crop, p.leader, tuple(groups[p.index][1:])) for p in placed]
        if len(groups) == 1 or all(len(run) <= per for run in runs):
            break  # the span limit keeps groups from growing: this is as stacked as honest gets
    if placements:
        return placements
    cx, cy = dial.centre  # nothing fits (thousands of moments): keep every moment, one pixel each
    return [Placement(i, (round(cx), round(cy), 1, 1), (0.0, 0.0, 1.0, 1.0)) for i in range(n)]


def legible_count(
    prefix: Callable[[int], tuple[list[tuple[int, int]], list[float]]],
    most: int,
    canvas: tuple[int, int],
    dial: ClockDial,
    gutter: int,
    reserve: int = 0,
) -> int:
    """The most moments, at most `most`, whose tiles are all at least MIN_TILE without stacking; `prefix(k)`
    gives the sizes and times (time order) of the first k of a fair order. A few layouts, not a search of all."""
    least = min(canvas) * MIN_TILE
    count = most
    while count > 1:
        box, placed = _place_each(*prefix(count), canvas, dial, gutter, reserve)
        if placed and box >= least:
            break
        # tile area shrinks about as 1/count: aim at the count whose tiles would just be large enough
        count = max(1, min(count - 1, int(count * (box / least) ** 2)))
    return count


def _runs(seconds: Sequence[float]) -> list[list[int]]:
    """Consecutive moments (time order) in runs spanning at most STACK_SPAN_S each."""
    runs: list[list[int]] = []
    for i, sec in enumerate(seconds):
        if runs and sec - seconds[runs[-1][0]] <= STACK_SPAN_S:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _groups(runs: Sequence[list[int]], per: int) -> list[list[int]]:
    """Each run cut into the fewest stacks of at most `per`, as even as can be: 50 moments by 8 make
    7 + 7 + 7 + 7 + 7 + 7 + 8, never six "+7" stacks and a lone "+1"."""
    groups: list[list[int]] = []
    for run in runs:
        k = -(-len(run) // per)
        cuts = [round(j * len(run) / k) for j in range(k + 1)]
        groups += [run[a:b] for a, b in itertools.pairwise(cuts)]
    return groups


def _largest(
    sizes: Sequence[tuple[int, int]],
    seconds: Sequence[float],
    angles: Sequence[float],
    canvas: tuple[int, int],
    dial: ClockDial,
    keep_out: float,
    margins: tuple[int, int],  # all round, and the extra room kept clear at the bottom
    gutter: int,
    hi: float,
) -> tuple[float, list[Placement]]:
    """Bisection on the tile size: the largest at which every tile finds a place along its ray."""
    box, best = largest_size(
        lambda size: _try_size(size, sizes, seconds, angles, canvas, dial, keep_out, margins, gutter), 2.0, hi, 7)
    return box, best or []


def _try_size(
    box: float,
    sizes: Sequence[tuple[int, int]],
    seconds: Sequence[float],
    angles: Sequence[float],
    canvas: tuple[int, int],
    dial: ClockDial,
    keep_out: float,
    margins: tuple[int, int],
    gutter: int,
) -> list[Placement] | None:
    cx, cy = dial.centre
    margin, reserve = margins
    bounds: Rect = (margin, margin, canvas[0] - 2 * margin, canvas[1] - 2 * margin - reserve)
    cell = max(8, int(box))
    buckets: dict[tuple[int, int], list[Rect]] = {}
    placements: list[Placement] = []
    step = max(1.0, box / 8)
    for i, ((sw, sh), sec, angle) in enumerate(zip(sizes, seconds, angles, strict=True)):
        (_, _, tw, th), crop = fit_in_box(sw, sh, (0, 0, max(1, round(box)), max(1, round(box))))
        phi = math.radians(_on_dial(angle))
        dx, dy = math.sin(phi), -math.cos(phi)
        r = keep_out + gutter
        while True:
            rect = (round(cx + dx * r - tw / 2), round(cy + dy * r - th / 2), tw, th)
            if not inside(rect, bounds):
                return None
            if not rect_hits_circle(rect, cx, cy, keep_out + gutter) and not _collides(rect, buckets, cell, gutter):
                break
            r += step
        for key in _cells(rect, cell):
            buckets.setdefault(key, []).append(rect)
        theta = math.radians(angle_deg(sec))
        rim = (round(cx + math.sin(theta) * dial.radius, 1), round(cy - math.cos(theta) * dial.radius, 1))
        placements.append(Placement(i, rect, crop, (rim, (rect[0] + tw / 2, rect[1] + th / 2))))
    return placements


class _RoomShare:
    """Maps an angle of the day (degrees from midnight) to the share of room around the dial before
    it, and back; room in a direction is the area between the dial and the canvas edge."""

    SAMPLES = 1440

    def __init__(self, half_size: tuple[float, float], keep_out: float) -> None:
        hw, hh = half_size
        weights = []
        for k in range(self.SAMPLES):
            phi = math.radians(_on_dial((k + 0.5) * 360 / self.SAMPLES))
            reach = min(hw / max(1e-9, abs(math.sin(phi))), hh / max(1e-9, abs(math.cos(phi))))
            weights.append(max(0.0, reach**2 - keep_out**2))
        total = sum(weights)
        self.cumulative = [0.0]
        for wgt in weights:
            self.cumulative.append(self.cumulative[-1] + wgt / total)

    def share(self, time_deg: float) -> float:
        pos = time_deg / 360 * self.SAMPLES
        k = min(self.SAMPLES - 1, int(pos))
        return self.cumulative[k] + (self.cumulative[k + 1] - self.cumulative[k]) * (pos - k)

    def angle(self, share: float) -> float:
        turns = math.floor(share)
        frac = share - turns
        k = min(self.SAMPLES - 1, max(0, bisect.bisect_right(self.cumulative, frac) - 1))
        step = self.cumulative[k + 1] - self.cumulative[k]
        within = (frac - self.cumulative[k]) / step if step > 0 else 0.0
        return (turns + (k + within) / self.SAMPLES) * 360


def _on_dial(time_deg: float) -> float:
    """Degrees clockwise from the top for an angle of the day measured from midnight."""
    return (time_deg + (180 if NOON_AT_TOP else 0)) % 360


def _cells(rect: Rect, cell: int) -> list[tuple[int, int]]:
    x, y, w, h = rect
    return [(i, j) for i in range(x // cell, (x + w) // cell + 1) for j in range(y // cell, (y + h) // cell + 1)]


def _collides(rect: Rect, buckets: dict[tuple[int, int], list[Rect]], cell: int, gap: int) -> bool:
    grown = (rect[0] - gap, rect[1] - gap, rect[2] + 2 * gap, rect[3] + 2 * gap)
    return any(overlaps(rect, other, gap) for key in _cells(grown, cell) for other in buckets.get(key, ()))


def draw_dial(canvas: Image.Image, dial: ClockDial, palette: Palette) -> None:
    """Ring of parts of the day with their names, hour ticks and numbers; drawn supersampled."""
    s = SUPERSAMPLE
    cx, cy = dial.centre
    outer = dial.radius + dial.ring_px * 0.5
    half = math.ceil(outer + 2)
    layer = Image.new("RGBA", (2 * half * s, 2 * half * s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    c = half * s  # the dial's centre on the layer
    r_out, ring = dial.radius * s, dial.ring_px * s
    draw.ellipse((c - r_out, c - r_out, c + r_out, c + r_out), fill=mix(palette.background, palette.ink, 0.07))
    for part in dial.parts:
        start, end = part.start_deg - 90, part.end_deg - 90  # Pillow counts from 3 o'clock
        if end <= start:
            end += 360
        draw.arc(
            (c - r_out, c - r_out, c + r_out, c + r_out),
            start,
            end,
            fill=PART_COLOURS[part.part],
            width=round(ring),
        )
    for hour in range(24):
        theta = math.radians(angle_deg(hour * 3600))
        dx, dy = math.sin(theta), -math.cos(theta)
        major = hour % 6 == 0
        inner_r = r_out - ring if major else r_out
        tick_out = r_out + ring * (0.45 if major else 0.28)
        draw.line(
            (c + dx * inner_r, c + dy * inner_r, c + dx * tick_out, c + dy * tick_out),
            fill=palette.ink,
            width=max(1, round(s * dial.ring_px * (0.07 if major else 0.04))),
        )
        num_r = r_out - ring - dial.hour_font_px * s * 1.1
        draw.text(
            (c + dx * num_r, c + dy * num_r),
            str(hour),
            anchor="mm",
            font=font(dial.hour_font_px * s, "bold" if major else "regular"),
            fill=palette.ink if major else palette.muted,
        )
    for part in dial.parts:
        _draw_part_name(layer, part, PART_COLOURS[part.part], (c, c), r_out - ring / 2, dial.part_font_px * s)
    small = layer.resize((2 * half, 2 * half), Image.Resampling.LANCZOS)
    canvas.paste(small, (round(cx) - half, round(cy) - half), small)


def _draw_part_name(
    layer: Image.Image,
    part: DialPart,
    colour: tuple[int, int, int],
    centre: tuple[float, float],
    r: float,
    size: int,
) -> None:
    """The part's name along the ring at its middle, turned to read upright."""
    end = part.end_deg if part.end_deg > part.start_deg else part.end_deg + 360
    mid = ((part.start_deg + end) / 2) % 360
    fnt = font(size, "bold")
    text_w = math.ceil(fnt.getlength(part.label))
    if text_w > math.radians(end - part.start_deg) * r * 0.9:
        return  # the arc is too short for its name
    label = Image.new("RGBA", (text_w + 4, round(size * 1.4)), (0, 0, 0, 0))
    ImageDraw.Draw(label).text(
        (label.width / 2, label.height / 2), part.label, font=fnt, fill=ink_on(colour), anchor="mm"
    )
    turn = -mid if (mid <= 90 or mid >= 270) else 180 - mid
    label = label.rotate(turn, expand=True, resample=Image.Resampling.BICUBIC)
    theta = math.radians(mid)
    x = centre[0] + math.sin(theta) * r - label.width / 2
    y = centre[1] - math.cos(theta) * r - label.height / 2
    layer.alpha_composite(label, (round(x), round(y)))
