"""Lanes: the customers' day above the employees', hour by hour, so the room can compare them.

Both rows share one set of hour columns (first to last moment's hour); the hour labels run in a band
between the rows. In its hour cell a row's moments stack in time order (top to bottom, then the next
sub-column), shrinking when the hour is crowded, and hug the hour band, so the height of a stack
reads as how busy that hour was. A row with nothing in an hour gets a faint placeholder there; an
hour empty in both rows keeps a narrower column, so the gap shows without taking the room of photos.
Moments without a role belong to neither row: the planner leaves them out, and a footnote under the
lanes says how many. On a portrait page (A3/A2 posters) the same layout is made turned on its side:
hours run down the page, customers on the left of the hour labels, employees on the right.
"""

from __future__ import annotations

import colorsys
import math
from collections.abc import Sequence
from statistics import median

from PIL import Image, ImageDraw

from media_pipeline.collage.draw import ink_on, mix
from media_pipeline.collage.geometry import Crop, Rect, fit_in_box
from media_pipeline.collage.model import RGB, LaneRow, LanesAxis, Palette, Placement
from media_pipeline.collage.wording import left_out_text
from media_pipeline.fonts import font
from media_pipeline.text import fit_font_size
from media_pipeline.words import ROLES, role_label

EMPTY_HOUR_SHARE = 0.45  # width of an hour nobody photographed, as a share of a photographed one
CROWDED_SHARE = 0.15  # extra width per extra moment in an hour's fuller row ...
MAX_SHARE = 1.75  # ... up to this many shares, so one busy hour cannot squeeze the rest
TILE_BOX = 4 / 3  # a tile fits a box this many times taller than wide: portraits (most phones) fill the width
ROW_TINT = 0.08  # how much of its lane colour a row's background takes
NEAR_BEST = 0.94  # tiles this share of the largest possible may be chosen to spread across the cell
FIT_ROUNDS = 4  # rounds of giving each hour the width its tiles can fill (the best stack changes with it)


def place_lanes(
    roles: Sequence[str],
    sizes: Sequence[tuple[int, int]],
    seconds: Sequence[float],
    area: Rect,
    gutter: int,
    language: str,
    left_out: int = 0,
) -> tuple[list[Placement], LanesAxis]:
    """Tiles in their role's row and hour column, and the frame (rows, columns, hour labels).

    `roles`, `sizes` (px) and `seconds` (of the day) are per moment, in time order; every role must
    be one of ROLES. `left_out` is the number of moments the caller dropped for having no role.
    Returns placements in time order and the `LanesAxis` that `draw_lanes` paints.
    """
    note = left_out_text(left_out, language)
    side = min(area[2], area[3])
    tick_px = max(6, round(side * 0.028))
    note_rect = None
    if note:  # a footnote under the lanes, in every orientation, with or without the title band
        note_h = round(tick_px * 1.3)
        area = (area[0], area[1], area[2], area[3] - note_h - gutter)
        note_rect = (area[0], area[1] + area[3] + gutter, area[2], note_h)
    vertical = area[3] > area[2]
    if vertical:  # lay out on the page turned on its side, then turn every rectangle back
        area, sizes = _turn(area), [(h, w) for w, h in sizes]
    ax, ay, aw, ah = area
    margin = max(gutter, round(side * 0.012))
    bold = font(tick_px, "bold")
    band_h = round(bold.getlength("00:00") + tick_px) if vertical else round(tick_px * 1.9)
    row_h = (ah - 2 * margin - band_h - 2 * gutter) // 2
    labels = [role_label(role, language, plural=True) for role in ROLES]
    header_px = min(fit_font_size(text, row_h * 0.9, 1, max(6, round(side * 0.045)), 6, "bold")[0] for text in labels)
    header_w = round(header_px * 1.7)
    x0, x1 = ax + margin + header_w + gutter, ax + aw - margin
    tops = (ay + margin, ay + margin + row_h + band_h + 2 * gutter)
    rows = [
        LaneRow(role, label, (ax + margin, top, header_w, row_h), (x0, top, x1 - x0, row_h))
        for role, label, top in zip(ROLES, labels, tops, strict=True)
    ]
    band: Rect = (x0, tops[0] + row_h + gutter, x1 - x0, band_h)

    hours = [int(sec // 3600) for sec in seconds]
    span = range(min(hours), max(hours) + 1)
    crowd = {h: max(sum(1 for i, hr in enumerate(hours) if hr == h and roles[i] == r) for r in ROLES) for h in span}
    shares = [min(MAX_SHARE, 1 + CROWDED_SHARE * (crowd[h] - 1)) if crowd[h] else EMPTY_HOUR_SHARE for h in span]
    groups = {
        (h, r): [sizes[i] for i, hr in enumerate(hours) if hr == h and roles[i] == r] for h in span for r in ROLES
    }
    busy = 2 * max(2.0, median(c for c in crowd.values() if c))  # far busier than a typical hour
    for _ in range(FIT_ROUNDS):  # give each hour the width its stacks can fill at the row's height
        total = sum(shares)
        widths = [s / total * (x1 - x0) for s in shares]
        wanted = {
            h: max(_wanted_width(groups[(h, r)], (w - gutter, row_h), gutter) for r in ROLES) + gutter
            for h, w in zip(span, widths, strict=True)
            if crowd[h]
        }
        typical_w = median(wanted.values())
        # a busy hour may take up to MAX_SHARE typical hours, so it cannot squeeze the rest; and one far
        # busier than most never less than a typical hour: squeezed, its stack wants less each round
        shares = [
            min(max(wanted[h], typical_w if crowd[h] >= busy else 0), MAX_SHARE * typical_w) if crowd[h]
            else EMPTY_HOUR_SHARE * typical_w for h in span
        ]
    edges = [x0 + round(sum(shares[:k]) / sum(shares) * (x1 - x0)) for k in range(len(shares) + 1)]
    columns = tuple((h, edges[k], edges[k + 1] - edges[k]) for k, h in enumerate(span))

    placements: list[Placement] = []
    empty_cells: list[tuple[Rect, bool]] = []  # (cell, hugs the cell's bottom)
    for row in rows:
        up = row.role == ROLES[0]  # the upper row hugs the hour band from above
        for hour, cx, cw in columns:
            members = [i for i, hr in enumerate(hours) if hr == hour and roles[i] == row.role]
            cell = (cx + gutter // 2, row.area[1], cw - gutter, row.area[3])
            if not members:
                empty_cells.append((cell, up))
                continue
            stacked = _stack([sizes[i] for i in members], cell, gutter, up)
            placements += [Placement(i, rect, crop) for i, (rect, crop) in zip(members, stacked, strict=True)]
    placements.sort(key=lambda p: p.index)

    typical = (median(p.rect[2] for p in placements), median(p.rect[3] for p in placements))
    empty = [_placeholder(cell, typical, up) for cell, up in empty_cells]
    # every hour reads "13:00", never "13" beside "14:00": the labels shrink together (to a floor) to fit
    # across the narrow columns; a column still too narrow goes unlabelled. A turned page runs them along.
    label_px = tick_px if vertical else _label_px(tick_px, min(cw for _, _, cw in columns) - gutter)
    label = font(label_px, "bold")
    def fits(cw: int) -> bool:
        return tick_px * 1.3 <= cw - gutter if vertical else label.getlength("00:00") <= cw - gutter

    ticks = tuple((cx + cw // 2, f"{h % 24:02d}:00") for h, cx, cw in columns if fits(cw))
    if vertical:
        placements = [
            Placement(p.index, _turn(p.rect), (p.crop[1], p.crop[0], p.crop[3], p.crop[2])) for p in placements
        ]
        rows = [LaneRow(r.role, r.label, _turn(r.header), _turn(r.area)) for r in rows]
        band, empty = _turn(band), [_turn(r) for r in empty]
    return placements, LanesAxis(
        band=band,
        columns=columns,
        ticks=ticks,
        tick_font_px=label_px,
        header_font_px=header_px,
        rows=tuple(rows),
        empty=tuple(empty),
        left_out=left_out,
        note=note,
        note_rect=note_rect,
        vertical=vertical,
    )


def _turn(rect: Rect) -> Rect:
    """The rectangle mirrored across the diagonal (x and y swapped): the page turned on its side."""
    return (rect[1], rect[0], rect[3], rect[2])


def _wanted_width(sizes: Sequence[tuple[int, int]], cell: tuple[float, float], gutter: int) -> float:
    """The width at which a cell's best stack (for its present width) is as tall as the row allows."""
    if not sizes:
        return 0.0
    k, side = _best_columns(sizes, cell, gutter)
    return k * _height_side(sizes, k, cell[1], gutter) + (k - 1) * gutter if side > 0 else cell[0]


def _tall(sizes: Sequence[tuple[int, int]]) -> list[float]:
    """Height of each tile per pixel of box width."""
    return [fit_in_box(sw, sh, (0, 0, 1000, round(1000 * TILE_BOX)))[0][3] / 1000 for sw, sh in sizes]


def _height_side(sizes: Sequence[tuple[int, int]], k: int, h: float, gutter: int) -> float:
    """The box width at which k sub-columns of tiles fill height `h` (a pixel of rounding per tile)."""
    tall, n = _tall(sizes), len(sizes)
    per = math.ceil(n / k)
    return min((h - (len(g) - 1) * gutter - len(g)) / sum(g) for g in (tall[j : j + per] for j in range(0, n, per)))


def _best_columns(sizes: Sequence[tuple[int, int]], cell: tuple[float, float], gutter: int) -> tuple[int, float]:
    """(sub-columns, box width) giving about the largest tiles in a cell of (w, h).

    Among the choices within NEAR_BEST of the largest tiles, the one covering most of the cell's width
    wins (a lane uses the width it has); fewer sub-columns win ties: taller stacks read as busier hours.
    """
    w, h = cell
    choices: list[tuple[int, float]] = []
    for k in range(1, len(sizes) + 1):
        sub_w = (w - (k - 1) * gutter) / k
        if sub_w < 1:
            break
        choices.append((k, min(sub_w, _height_side(sizes, k, h, gutter))))
    if not choices:
        return 1, 0.0
    largest = max(side for _, side in choices)
    near = [(k, side) for k, side in choices if side >= largest * NEAR_BEST]
    return max(near, key=lambda c: (round(c[0] * c[1]), -c[0]))


def _stack(sizes: Sequence[tuple[int, int]], cell: Rect, gutter: int, down: bool) -> list[tuple[Rect, Crop]]:
    """One hour cell: tiles in time order down a sub-column, then the next one to the right (so left
    to right stays time order across the row), flush against the hour band (`down`: the cell's bottom).

    Takes the number of sub-columns that gives the largest tiles; each tile fits a box of that width
    (TILE_BOX times as tall).
    """
    x, y, w, h = cell
    n = len(sizes)
    best_k, best_side = _best_columns(sizes, (w, h), gutter)
    per = math.ceil(n / best_k)
    sub_w = (w - (best_k - 1) * gutter) / best_k
    box = max(1, math.floor(best_side))
    out: list[tuple[Rect, Crop]] = []
    for j, first in enumerate(range(0, n, per)):
        fitted = [fit_in_box(sw, sh, (0, 0, box, round(box * TILE_BOX))) for sw, sh in sizes[first : first + per]]
        left = x + round(j * (sub_w + gutter))
        total = sum(r[3] for r, _ in fitted) + (len(fitted) - 1) * gutter
        top = y + h - total if down else y
        for (_, _, tw, th), crop in fitted:
            out.append(((left + (round(sub_w) - tw) // 2, top, tw, th), crop))
            top += th + gutter
    return out


def _placeholder(cell: Rect, typical: tuple[float, float], down: bool) -> Rect:
    """A typical tile's box in an empty cell, against the hour band like the tiles around it."""
    x, y, w, h = cell
    pw, ph = max(1, min(w, round(typical[0]))), max(1, min(h, round(typical[1])))
    return (x + (w - pw) // 2, y + h - ph if down else y, pw, ph)


def _label_px(px: int, room: int) -> int:
    """The largest size from `px` down to 70 % of it at which "00:00" is at most `room` wide."""
    floor = max(6, round(px * 0.7))
    while px > floor and font(px, "bold").getlength("00:00") > room:
        px -= 1
    return px


def lane_colour(role: str, accent: RGB) -> RGB:
    """Customers get the project's brand colour, employees its opposite hue, so the rows never blur."""
    if role == ROLES[0]:
        return accent
    hue, light, sat = colorsys.rgb_to_hls(*(c / 255 for c in accent))
    r, g, b = colorsys.hls_to_rgb((hue + 0.5) % 1.0, light, sat)
    return (round(r * 255), round(g * 255), round(b * 255))


def draw_lanes(canvas: Image.Image, lanes: LanesAxis, palette: Palette) -> None:
    """Tinted rows with their named header strips, hour separators, empty-hour placeholders, hour
    labels and the footnote about moments without a role."""
    draw = ImageDraw.Draw(canvas)
    line_w = max(1, round(lanes.tick_font_px / 20))
    for row in lanes.rows:
        colour = lane_colour(row.role, palette.accent)
        x, y, w, h = row.area
        draw.rectangle((x, y, x + w - 1, y + h - 1), fill=mix(palette.background, colour, ROW_TINT))
        hx, hy, hw, hh = row.header
        draw.rectangle((hx, hy, hx + hw - 1, hy + hh - 1), fill=colour)
        if lanes.vertical:  # a wide strip on top of the lane: the name reads normally
            bold = font(lanes.header_font_px, "bold")
            draw.text((hx + hw / 2, hy + hh / 2), row.label, font=bold, fill=ink_on(colour), anchor="mm")
        else:
            _text_upward(canvas, row.header, row.label, lanes.header_font_px, ink_on(colour))
    first, last = lanes.rows[0].area, lanes.rows[-1].area
    separator = mix(palette.background, palette.ink, 0.22)
    for _, at, _ in lanes.columns[1:]:
        if lanes.vertical:
            draw.line((first[0], at, last[0] + last[2] - 1, at), fill=separator, width=line_w)
        else:
            draw.line((at, first[1], at, last[1] + last[3] - 1), fill=separator, width=line_w)
    hole = mix(palette.background, palette.ink, 0.1)
    rim = mix(palette.background, palette.ink, 0.3)
    for x, y, w, h in lanes.empty:
        draw.rectangle((x, y, x + w - 1, y + h - 1), fill=hole, outline=rim, width=line_w)
        dash = min(w, h) * 0.15  # a short dash in the middle: "nothing this hour"
        draw.line((x + w / 2 - dash, y + h / 2, x + w / 2 + dash, y + h / 2), fill=rim, width=line_w * 2)
    bx, by, bw, bh = lanes.band
    tick_font = font(lanes.tick_font_px, "bold")
    for at, text in lanes.ticks:
        spot = (bx + bw / 2, at) if lanes.vertical else (at, by + bh / 2)
        draw.text(spot, text, font=tick_font, fill=palette.ink, anchor="mm")
    if lanes.note_rect is not None:
        nx, ny, nw, nh = lanes.note_rect
        small = font(round(lanes.tick_font_px * 0.8))
        draw.text((nx + nw - lanes.tick_font_px, ny + nh / 2), lanes.note, font=small, fill=palette.muted, anchor="rm")


def _text_upward(canvas: Image.Image, rect: Rect, text: str, size: int, fill: RGB) -> None:
    """`text` centred in `rect`, turned a quarter to read from bottom to top (swimlane headers)."""
    x, y, w, h = rect
    layer = Image.new("L", (h, w), 0)
    ImageDraw.Draw(layer).text((h / 2, w / 2), text, font=font(size, "bold"), fill=255, anchor="mm")
    canvas.paste(fill, (x, y, x + w, y + h), layer.rotate(90, expand=True))
