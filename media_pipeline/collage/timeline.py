"""Timeline: a horizontal hour axis with tiles above and below, and the day's mood curve along it.

Tiles keep left-to-right time order, stacked in lanes away from the axis when neighbours are close;
a leader line joins each to its exact time. When a crowded hour would make every tile tiny, tiles may
move toward an even spacing (the least that keeps them large, see geometry.SPREADS). The mood curve is
the average of contributors' moods (1-5) per hour, each contributor counted once per hour so one
enthusiastic phone does not set the day's mood, then smoothed over neighbouring hours; 1 lies just
above the axis, 5 near the top of the band.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence

from PIL import Image, ImageDraw

from media_pipeline.collage.draw import mix
from media_pipeline.collage.geometry import SPREADS, Rect, fit_in_box, largest_size, most_honest, overlaps
from media_pipeline.collage.model import MoodMark, Palette, Placement, Point, TimelineAxis
from media_pipeline.collage.wording import word
from media_pipeline.fonts import font
from media_pipeline.types import Moment

SMOOTHING = (0.25, 0.5, 0.25)  # weights of the previous, same and next hour
SUPERSAMPLE = 2


def hour_span(seconds: Sequence[float]) -> tuple[int, int]:
    """From the first moment's hour to the end of the last moment's hour (at least one hour)."""
    start = int(min(seconds) // 3600)
    return start, max(start + 1, math.ceil(max(seconds) / 3600))


def mood_by_hour(moments: Sequence[Moment], seconds: Sequence[float]) -> list[tuple[int, float]]:
    """(hour, mean of the contributors' own means) for every hour with at least one mood."""
    per_hour: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for m, sec in zip(moments, seconds, strict=True):
        if m.mood is not None and 1 <= m.mood <= 5:
            per_hour[int(sec // 3600)][m.contributor or m.alias or m.id].append(m.mood)
    return [
        (hour, round(sum(sum(v) / len(v) for v in people.values()) / len(people), 3))
        for hour, people in sorted(per_hour.items())
    ]


def smooth(hourly: Sequence[tuple[int, float]]) -> list[tuple[int, float]]:
    """Each hour's mood blended with its neighbours' (only hours that have a mood take part)."""
    known = dict(hourly)
    out: list[tuple[int, float]] = []
    for hour in known:
        pairs = [(w, known[hour + d]) for w, d in zip(SMOOTHING, (-1, 0, 1), strict=True) if hour + d in known]
        out.append((hour, round(sum(w * v for w, v in pairs) / sum(w for w, _ in pairs), 3)))
    return out


def place_timeline(
    moments: Sequence[Moment],
    sizes: Sequence[tuple[int, int]],
    seconds: Sequence[float],
    area: Rect,
    gutter: int,
    language: str,
) -> tuple[list[Placement], TimelineAxis]:
    """Tiles in lanes above and below the axis at their time, and the axis with its mood curve."""
    ax, ay, aw, ah = area
    margin = max(gutter, round(min(aw, ah) * 0.03))
    x0, x1 = ax + margin * 2, ax + aw - margin * 2
    band_half = round(min(aw, ah) * 0.09)  # the mood curve, above the axis
    tick_px = max(6, round(min(aw, ah) * 0.02))
    below = round(tick_px * 2.2)  # the hour labels, below the axis
    side_room = (ah - band_half - below - 2 * gutter - 2 * margin) // 2
    axis_y = ay + margin + side_room + gutter + band_half
    start, end = hour_span(seconds)

    def x_at(sec: float) -> float:
        return x0 + (sec / 3600 - start) / (end - start) * (x1 - x0)

    exact = [x_at(sec) for sec in seconds]
    n = len(exact)
    even = [x0 + (i + 0.5) / n * (x1 - x0) for i in range(n)]
    results = []
    for spread in SPREADS:
        xs = [(1 - spread) * x + spread * e for x, e in zip(exact, even, strict=True)]
        results.append(
            _pack(
                sizes,
                exact,
                xs,
                (ax + margin, ax + aw - margin),
                axis_y,
                (band_half + gutter, below + gutter),
                side_room,
                gutter,
            )
        )
    placements = results[most_honest([box for box, _ in results])][1]
    return placements, _axis(
        moments, seconds, (x0, x1, axis_y), (start, end), (band_half, below), tick_px, x_at, language
    )


def _pack(
    sizes: Sequence[tuple[int, int]],
    exact: Sequence[float],
    xs: Sequence[float],
    x_range: tuple[int, int],
    axis_y: int,
    clear: tuple[int, int],
    side_room: int,
    gutter: int,
) -> tuple[float, list[Placement]]:
    """The largest tile size at which every tile finds a lane (bisection on the size)."""
    box, best = largest_size(lambda size: _try_size(size, sizes, exact, xs, x_range, axis_y, clear, side_room, gutter),
                             2.0, float(side_room), 9)
    if best is None:  # more moments than pixels; still keep every one, one pixel each
        best = [Placement(i, (round(x), axis_y, 1, 1), (0.0, 0.0, 1.0, 1.0)) for i, x in enumerate(xs)]
    return box, best


def _try_size(
    box: float,
    sizes: Sequence[tuple[int, int]],
    exact: Sequence[float],
    xs: Sequence[float],
    x_range: tuple[int, int],
    axis_y: int,
    clear: tuple[int, int],  # free space above and below the axis
    side_room: int,
    gutter: int,
) -> list[Placement] | None:
    lanes_per_side = int((side_room + gutter) // (box + gutter))
    if lanes_per_side < 1:
        return None
    # lanes nearest the axis first, alternating above (-1) and below (+1)
    lanes = [(side, k) for k in range(lanes_per_side) for side in (-1, 1)]
    last: dict[tuple[int, int], Rect] = {}
    placements: list[Placement] = []
    b = max(1, round(box))
    for i, ((sw, sh), x, true_x) in enumerate(zip(sizes, xs, exact, strict=True)):
        (_, _, tw, th), crop = fit_in_box(sw, sh, (0, 0, b, b))
        left = round(min(max(x - tw / 2, x_range[0]), x_range[1] - tw))
        prefer = -1 if i % 2 == 0 else 1  # alternate sides so neighbours in time spread out
        order = sorted(lanes, key=lambda lane: (lane[1], lane[0] != prefer))
        for side, k in order:
            free = clear[0] if side < 0 else clear[1]
            near = axis_y + side * (free + k * (b + gutter))  # lane edge nearest the axis
            top = near - th if side < 0 else near
            rect = (left, top, tw, th)
            if (side, k) not in last or not overlaps(rect, last[(side, k)], gutter):
                last[(side, k)] = rect
                leader_end = (left + tw / 2, float(top + th if side < 0 else top))
                leader_start = (round(true_x, 1), float(axis_y + side * (free - gutter)))  # edge of the mood band
                placements.append(Placement(i, rect, crop, (leader_start, leader_end)))
                break
        else:
            return None
    return placements


def _axis(
    moments: Sequence[Moment],
    seconds: Sequence[float],
    line: tuple[int, int, int],
    span: tuple[int, int],
    band: tuple[int, int],  # px above and below the axis
    tick_px: int,
    to_x: Callable[[float], float],
    language: str,
) -> TimelineAxis:
    x0, x1, y = line
    start, end = span
    hours = end - start
    every = next(e for e in (1, 2, 3, 4, 6, 12, 24) if (x1 - x0) / hours * e > tick_px * 4)
    ticks = tuple(
        (round(to_x(h * 3600)), f"{h % 24:02d}:00") for h in range(start, end + 1) if (h - start) % every == 0
    )
    band_half, below = band
    band_rect = (x0, y - band_half, x1 - x0, band_half + below)

    def y_at(mood: float) -> float:
        return y - band_half * (0.12 + (mood - 1) / 4 * 0.7)

    hourly = mood_by_hour(moments, seconds)
    smoothed = smooth(hourly)
    points = [(to_x((h + 0.5) * 3600), y_at(v)) for h, v in smoothed]
    curve = tuple((round(px, 1), round(py, 1)) for px, py in _spline(points))
    low = high = None
    if smoothed:
        lo_i = min(range(len(smoothed)), key=lambda i: (smoothed[i][1], i))
        hi_i = max(range(len(smoothed)), key=lambda i: (smoothed[i][1], -i))
        if smoothed[hi_i][1] > smoothed[lo_i][1]:
            high = _mark(points[hi_i], smoothed[hi_i], word("highest", language))
            low = _mark(points[lo_i], smoothed[lo_i], word("lowest", language))
    return TimelineAxis(
        y=y,
        x0=x0,
        x1=x1,
        start_hour=start,
        end_hour=end,
        ticks=ticks,
        tick_font_px=tick_px,
        mood_band=band_rect,
        mood_hourly=tuple(hourly),
        mood_curve=curve,
        low=low,
        high=high,
        legend=word("mood", language),
    )


def _mark(point: Point, hour_mood: tuple[int, float], name: str) -> MoodMark:
    hour, mood = hour_mood
    return MoodMark((round(point[0], 1), round(point[1], 1)), mood, f"{name} {mood:.1f} · {hour % 24:02d}:00")


def _spline(points: Sequence[Point], steps: int = 12) -> list[Point]:
    """A Catmull-Rom curve through the points (a smooth line that passes every hourly value)."""
    if len(points) < 3:
        return list(points)
    pts = [points[0], *points, points[-1]]
    out: list[Point] = []
    for i in range(1, len(pts) - 2):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for s in range(steps):
            t = s / steps
            x, y = (
                0.5
                * (
                    2 * p1[k]
                    + (-p0[k] + p2[k]) * t
                    + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t * t
                    + (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * t**3
                )
                for k in (0, 1)
            )
            out.append((x, y))
    out.append(points[-1])
    return out


def draw_axis(canvas: Image.Image, axis: TimelineAxis, palette: Palette, accent: tuple[int, int, int]) -> None:
    """Axis with hour ticks, the mood band and curve with its highest and lowest marks."""
    s = SUPERSAMPLE
    bx, by, bw, bh = axis.mood_band
    pad = axis.tick_font_px * 4
    region = (bx - pad, by - pad, bx + bw + pad, by + bh + pad)
    layer = Image.new("RGBA", ((region[2] - region[0]) * s, (region[3] - region[1]) * s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)

    def at(x: float, y: float) -> tuple[float, float]:
        return ((x - region[0]) * s, (y - region[1]) * s)

    draw.rounded_rectangle(
        (*at(bx, by), *at(bx + bw, by + bh)),
        radius=bh * s // 6,
        fill=(*mix(palette.background, palette.ink, 0.06), 255),
    )
    line_w = max(1, round(axis.tick_font_px * 0.12 * s))
    draw.line((*at(axis.x0, axis.y), *at(axis.x1, axis.y)), fill=palette.muted, width=line_w)
    tick_font = font(axis.tick_font_px * s)
    for x, text in axis.ticks:
        draw.line(
            (*at(x, axis.y - axis.tick_font_px * 0.4), *at(x, axis.y + axis.tick_font_px * 0.4)),
            fill=palette.ink,
            width=line_w,
        )
        draw.text(at(x, axis.y + axis.tick_font_px * 0.6), text, font=tick_font, fill=palette.muted, anchor="mt")
    if axis.mood_curve:
        draw.text(
            at(bx + axis.tick_font_px * 0.5, by + axis.tick_font_px * 0.3),
            axis.legend,
            font=font(axis.tick_font_px * s, "bold"),
            fill=palette.muted,
            anchor="lt",
        )
        pts = [at(x, y) for x, y in axis.mood_curve]
        if len(pts) > 1:
            draw.line(pts, fill=accent, width=line_w * 3, joint="curve")
        for mark in (axis.high, axis.low):  # both names above their point: hour labels are below
            if mark is None:
                continue
            mx, my = at(*mark.point)
            r = axis.tick_font_px * 0.35 * s
            draw.ellipse((mx - r, my - r, mx + r, my + r), fill=accent, outline=palette.ink, width=line_w)
            mark_font = font(axis.tick_font_px * s, "bold")
            half = mark_font.getlength(mark.text) / 2
            # keep the name inside the band: shift it inward near either end
            tx = min(max(mx, at(bx, 0)[0] + half + r), at(bx + bw, 0)[0] - half - r)
            draw.text((tx, my - r * 1.6), mark.text, font=mark_font, fill=palette.ink, anchor="mb")
    small = layer.resize((region[2] - region[0], region[3] - region[1]), Image.Resampling.LANCZOS)
    canvas.paste(small, region[:2], small)
