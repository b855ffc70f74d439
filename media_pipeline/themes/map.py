"""The themes map ("mind map") as a plan: the day in the centre, one branch per theme around it.

Branches sit in the cells of a ring around the centre (a grid whose middle is the day's), so nothing can
overlap whatever the number of themes; a branch's card is larger the more moments its theme has, its
colour is the theme's mean mood, it shows 2-4 photos and short quotes. `build_theme_map_plan` is pure
(text is only measured); `media_pipeline.themes.draw.render_theme_map` paints the plan.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from media_pipeline.collage.draw import LINE_HEIGHT, ink_on, mix, parse_colour
from media_pipeline.collage.geometry import Crop, Rect, centre_crop
from media_pipeline.collage.model import RGB, Point
from media_pipeline.collage.options import PlanError
from media_pipeline.collage.plan import _poster_second
from media_pipeline.collage.wording import date_text
from media_pipeline.fonts import Weight, displayable, font
from media_pipeline.text import fit_text, one_line
from media_pipeline.themes.extract import Theme
from media_pipeline.themes.options import ThemeMapOptions
from media_pipeline.themes.quotes import quote_text, spread, strongest_quotes
from media_pipeline.themes.wording import figures_lines, map_word
from media_pipeline.types import Moment, ProjectInfo

CARD_ASPECT = 1.25  # a branch's card reads best a little wider than tall
MOOD_STOPS: tuple[RGB, ...] = ((205, 64, 82), (232, 124, 70), (236, 174, 64), (135, 183, 88), (52, 152, 110))
NO_MOOD: RGB = (140, 140, 146)
QUOTES_PER_BRANCH = 2


@dataclass(frozen=True)
class TextBox:
    rect: Rect
    lines: tuple[str, ...]
    font_px: int
    weight: Weight  # regular | bold | italic
    colour: RGB
    align: str = "left"  # left | centre


@dataclass(frozen=True)
class MapPhoto:
    moment_id: str
    key: str
    preview_key: str | None
    kind: str
    rect: Rect
    crop: tuple[float, float, float, float]
    frame_at_s: float | None = None


@dataclass(frozen=True)
class Branch:
    key: str
    name: str
    moment_ids: tuple[str, ...]
    mean_mood: float | None
    colour: RGB  # of its mean mood
    card: Rect
    band: Rect  # the coloured top of the card holding the name
    texts: tuple[TextBox, ...]  # name, figures, quotes
    photos: tuple[MapPhoto, ...]
    line: tuple[Point, Point]  # from the day to the card
    line_px: int  # thicker for more moments


@dataclass(frozen=True)
class ThemeMapPlan:
    width: int
    height: int
    format: str
    dpi: int
    language: str
    seed: int
    background: RGB
    card: RGB
    ink: RGB
    muted: RGB
    centre: Rect
    centre_colour: RGB
    centre_texts: tuple[TextBox, ...]
    legend: tuple[tuple[Rect, RGB], ...]  # mood 1-5 swatches
    legend_texts: tuple[TextBox, ...]
    branches: tuple[Branch, ...]
    title: str = ""

    def boxes(self) -> list[tuple[str, Rect]]:
        """The blocks that must not touch: the day's node (with the legend inside) and each branch's card."""
        return [("centre", self.centre)] + [(f"branch {b.key}", b.card) for b in self.branches]

    def parts(self) -> list[tuple[str, Rect, list[Rect]]]:
        """Each block with what is drawn inside it (texts, photos, swatches): these must lie inside, apart."""
        centre = [t.rect for t in self.centre_texts + self.legend_texts] + [r for r, _ in self.legend]
        return [("centre", self.centre, centre)] + [
            (f"branch {b.key}", b.card, [t.rect for t in b.texts] + [p.rect for p in b.photos])
            for b in self.branches
        ]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ThemeMapPlan:
        def rect(v: Any) -> Rect:
            return (int(v[0]), int(v[1]), int(v[2]), int(v[3]))

        def rgb(v: Any) -> RGB:
            return (int(v[0]), int(v[1]), int(v[2]))

        def crop(v: Any) -> Crop:
            return (float(v[0]), float(v[1]), float(v[2]), float(v[3]))

        def text(d: Mapping[str, Any]) -> TextBox:
            return TextBox(rect(d["rect"]), tuple(d["lines"]), int(d["font_px"]), d["weight"], rgb(d["colour"]),
                           d.get("align", "left"))

        def photo(d: Mapping[str, Any]) -> MapPhoto:
            return MapPhoto(d["moment_id"], d["key"], d.get("preview_key"), d["kind"], rect(d["rect"]),
                            crop(d["crop"]), d.get("frame_at_s"))

        def branch(d: Mapping[str, Any]) -> Branch:
            (x0, y0), (x1, y1) = d["line"]
            return Branch(d["key"], d["name"], tuple(d["moment_ids"]), d.get("mean_mood"), rgb(d["colour"]),
                          rect(d["card"]), rect(d["band"]), tuple(text(t) for t in d["texts"]),
                          tuple(photo(p) for p in d["photos"]), ((float(x0), float(y0)), (float(x1), float(y1))),
                          int(d["line_px"]))

        return cls(
            width=data["width"], height=data["height"], format=data["format"], dpi=data["dpi"],
            language=data["language"], seed=data["seed"], background=rgb(data["background"]),
            card=rgb(data["card"]), ink=rgb(data["ink"]), muted=rgb(data["muted"]), centre=rect(data["centre"]),
            centre_colour=rgb(data["centre_colour"]), centre_texts=tuple(text(t) for t in data["centre_texts"]),
            legend=tuple((rect(r), rgb(c)) for r, c in data["legend"]),
            legend_texts=tuple(text(t) for t in data["legend_texts"]),
            branches=tuple(branch(b) for b in data["branches"]), title=data.get("title", ""),
        )


def mood_colour(mood: float | None) -> RGB:
    """Red (1) through amber (3) to green (5); grey when nobody gave a mood."""
    if mood is None:
        return NO_MOOD
    t = min(4.0, max(0.0, mood - 1))
    low = min(3, int(t))
    return mix(MOOD_STOPS[low], MOOD_STOPS[low + 1], t - low)


@dataclass(frozen=True)
class _Grid:
    cols: int
    rows: int
    reserved: tuple[int, int, int, int]  # c0, r0, c1, r1 (exclusive): the day's cells
    slots: tuple[tuple[int, int], ...]  # (col, row) of the cells branches may take


def ring_grid(count: int, width: int, height: int) -> _Grid:
    """The grid whose ring of cells holds `count` branches at the largest card size."""
    best: tuple[float, int, _Grid] | None = None
    for cols in range(2, 7):
        for rows in range(2, 7):
            if cols < 3 and rows < 3:
                continue
            c0, c1 = (1, cols - 1) if cols >= 3 else (0, cols)
            r0, r1 = (1, rows - 1) if rows >= 3 else (0, rows)
            slots = tuple((c, r) for r in range(rows) for c in range(cols) if not (c0 <= c < c1 and r0 <= r < r1))
            if len(slots) < count:
                continue
            cw, ch = width / cols, height / rows
            score = min(cw / CARD_ASPECT, ch)
            if best is None or (score, -len(slots)) > (best[0], -best[1]):
                best = (score, len(slots), _Grid(cols, rows, (c0, r0, c1, r1), slots))
    assert best is not None  # 6x6 has 20 slots; callers ask for at most 12
    return best[2]


def _pick_slots(grid: _Grid, count: int, width: int, height: int) -> list[tuple[int, int]]:
    """`count` of the ring's cells, spread evenly clockwise from the top."""
    c0, r0, c1, r1 = grid.reserved
    cx, cy = (c0 + c1) / 2 * width / grid.cols, (r0 + r1) / 2 * height / grid.rows

    def angle(slot: tuple[int, int]) -> float:
        x, y = (slot[0] + 0.5) * width / grid.cols, (slot[1] + 0.5) * height / grid.rows
        return (math.atan2(x - cx, cy - y) + 2 * math.pi + 1e-9) % (2 * math.pi)

    ring = sorted(grid.slots, key=lambda s: (angle(s), s))
    return [ring[i * len(ring) // count] for i in range(count)]


def _fit(text: str, width: float, lines: int, start_px: int, weight: Weight = "regular") -> tuple[int, list[str]]:
    """`text` at the largest size from `start_px` (down to 80 %) in `lines` lines; the last ends in "…"."""
    size, wrapped = fit_text(text, width, max_lines=lines, start_px=start_px, min_px=max(6, round(start_px * 0.8)),
                             measure=lambda px: font(px, weight))
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], one_line(" ".join(wrapped[lines - 1:]), font(size, weight), width)]
    return size, wrapped


def _line_h(px: int) -> int:
    return math.ceil(px * LINE_HEIGHT)


def build_theme_map_plan(themes: Sequence[Theme], moments: Sequence[Moment], project: ProjectInfo,
                         options: ThemeMapOptions) -> ThemeMapPlan:
    """Place the day and a branch per theme (in the order given, clockwise from the top).

    `moments` are the themes' moments (others are ignored). At most 12 themes are drawn. Raises PlanError
    when there is no theme with a moment.
    """
    by_id = {m.id: m for m in moments}
    shown = [t for t in themes if any(mid in by_id for mid in t.moment_ids)][:12]
    if not shown:
        raise PlanError("There are no themes with moments to put on the map yet.")
    language = options.language or project.language
    width, height = options.size_px
    light = options.light if options.light is not None else (options.format in ("pdf", "svg")
                                                             or options.paper is not None)
    background, card, ink, muted = (
        ((250, 249, 246), (255, 255, 255), (28, 28, 30), (105, 105, 108)) if light
        else ((18, 18, 20), (36, 36, 40), (240, 240, 236), (170, 170, 170))
    )
    base = max(8, round(min(width, height) / 54))
    grid = ring_grid(len(shown), width, height)
    cw, ch = width / grid.cols, height / grid.rows
    margin = max(3, round(min(cw, ch) * 0.045))
    c0, r0, c1, r1 = grid.reserved
    reserved = (round(c0 * cw) + margin, round(r0 * ch) + margin, round((c1 - c0) * cw) - 2 * margin,
                round((r1 - r0) * ch) - 2 * margin)
    total = len({mid for t in shown for mid in t.moment_ids if mid in by_id})
    centre, centre_colour, centre_texts, legend, legend_texts = _centre(
        reserved, project, language, total, len(shown), base)
    most = max(len([m for m in t.moment_ids if m in by_id]) for t in shown)
    branches = []
    for theme, (col, row) in zip(shown, _pick_slots(grid, len(shown), width, height), strict=True):
        members = [by_id[mid] for mid in theme.moment_ids if mid in by_id]
        scale = 0.72 + 0.28 * math.sqrt(len(members) / most)
        cell = (round(col * cw) + margin, round(row * ch) + margin, round(cw) - 2 * margin, round(ch) - 2 * margin)
        w, h = round(cell[2] * scale), round(cell[3] * scale)
        rect = (cell[0] + (cell[2] - w) // 2, cell[1] + (cell[3] - h) // 2, w, h)
        branches.append(_branch(theme, members, rect, centre, base * scale, options, language, ink, muted, most))
    return ThemeMapPlan(
        width=width, height=height, format=options.format, dpi=options.dpi, language=language, seed=options.seed,
        background=background, card=card, ink=ink, muted=muted, centre=centre, centre_colour=centre_colour,
        centre_texts=centre_texts, legend=legend, legend_texts=legend_texts, branches=tuple(branches),
        title=displayable(project.title, "bold"),
    )


def _centre(area: Rect, project: ProjectInfo, language: str, moments: int, themes: int,
            base: int) -> tuple[Rect, RGB, tuple[TextBox, ...], tuple[tuple[Rect, RGB], ...], tuple[TextBox, ...]]:
    """The day's node (title, date, counts) and under it the mood legend, centred in `area`."""
    x, y, w, h = area
    colour = parse_colour(project.brand_color)
    text_ink = ink_on(colour)
    node_w = round(w * 0.86)
    pad = max(4, round(base * 0.9))
    title_px, title_lines = _fit(displayable(project.title, "bold"), node_w - 2 * pad, 2, round(base * 1.7), "bold")
    sub_px = max(7, round(base * 0.85))
    subs = [date_text(project.date, language),
            f"{moments} {map_word('moments', language)} · {themes} {map_word('themes', language)}"]
    subs = [one_line(s, font(sub_px), node_w - 2 * pad) for s in subs]
    legend_px = max(6, round(base * 0.7))
    legend_h = _line_h(legend_px) * 2 + round(legend_px * 0.4)

    def node_height(title_px: int, title_lines: list[str]) -> int:
        return (2 * pad + _line_h(title_px) * len(title_lines) + round(sub_px * 0.4) + _line_h(sub_px) * len(subs)
                + round(sub_px * 0.6) + legend_h)

    while node_height(title_px, title_lines) > h and title_px > 7:  # a low centre: shrink the title
        title_px -= 1
        title_lines = _fit(displayable(project.title, "bold"), node_w - 2 * pad, 2, title_px, "bold")[1]
    node_h = min(h, node_height(title_px, title_lines))
    top = y + (h - node_h) // 2
    node = (x + (w - node_w) // 2, top, node_w, node_h)
    texts = [TextBox((node[0] + pad, top + pad, node_w - 2 * pad, _line_h(title_px) * len(title_lines)),
                     tuple(title_lines), title_px, "bold", text_ink, "centre")]
    sy = top + pad + _line_h(title_px) * len(title_lines) + round(sub_px * 0.4)
    texts.append(TextBox((node[0] + pad, sy, node_w - 2 * pad, _line_h(sub_px) * len(subs)), tuple(subs), sub_px,
                         "regular", text_ink, "centre"))
    # the mood legend, inside the node at its foot: "mean mood" over five numbered swatches
    ly = sy + _line_h(sub_px) * len(subs) + round(sub_px * 0.6)
    label = one_line(map_word("mood_legend", language), font(legend_px), node_w - 2 * pad)
    legend_texts = [TextBox((node[0] + pad, ly, node_w - 2 * pad, _line_h(legend_px)), (label,), legend_px,
                            "regular", text_ink, "centre")]
    sw = max(8, round(legend_px * 2.2))
    step = sw + max(2, sw // 5)
    sx = x + (w - (5 * step - (step - sw))) // 2
    swatches = tuple(((sx + i * step, ly + _line_h(legend_px) + round(legend_px * 0.4), sw, _line_h(legend_px)),
                      mood_colour(i + 1)) for i in range(5))
    return node, colour, tuple(texts), swatches, tuple(legend_texts)


def _branch(theme: Theme, members: list[Moment], rect: Rect, centre: Rect, base: float,
            options: ThemeMapOptions, language: str, ink: RGB, muted: RGB, most: int) -> Branch:
    x, y, w, h = rect
    colour = mood_colour(theme.mean_mood)
    pad = max(3, round(min(w, h) * 0.045))
    inner = w - 2 * pad
    name_px, name_lines = _fit(displayable(theme.name, "bold"), inner, 2, max(8, round(base * 1.3)), "bold")
    band_h = 2 * round(name_px * 0.4) + _line_h(name_px) * len(name_lines)
    texts = [TextBox((x + pad, y + round(name_px * 0.4), inner, _line_h(name_px) * len(name_lines)),
                     tuple(name_lines), name_px, "bold", ink_on(colour))]
    fig_px = max(7, round(base * 0.78))
    figs = [one_line(line, font(fig_px), inner) for line in figures_lines(theme, len(members), language)]
    fy = y + band_h + pad // 2
    texts.append(TextBox((x + pad, fy, inner, _line_h(fig_px) * len(figs)), tuple(figs), fig_px, "regular", muted))
    top = fy + _line_h(fig_px) * len(figs) + pad // 2
    room = y + h - pad - top
    gap = max(2, pad // 2)
    # quotes are measured first: the photos take what they leave (a second quote goes when photos would be tiny)
    quotes: list[tuple[int, list[str]]] = []
    if options.quotes:
        quote_px = max(7, round(base * 0.82))
        quotes = [_fit(f"“{quote_text(m.caption)}”", inner, 2, quote_px, "italic")
                  for m in strongest_quotes(members, QUOTES_PER_BRANCH)]
    count = min(options.photos, len(members))
    tile_w = (inner - (count - 1) * gap) / max(1, count)

    def quotes_h() -> int:
        return sum(_line_h(px) * len(lines) + gap for px, lines in quotes)

    while quotes and room - quotes_h() < min(tile_w * 0.6, room * 0.45):
        quotes.pop()
    tile_h = min(room - quotes_h() - (gap if quotes else 0), tile_w * 0.85)
    photos: list[MapPhoto] = []
    if tile_h >= 12 and tile_w >= 12:
        for i, m in enumerate(spread(members, count)):
            r = (round(x + pad + i * (tile_w + gap)), top, math.floor(tile_w), math.floor(tile_h))
            aspect = m.width / max(1, m.height) if m.width and m.height else r[2] / r[3]
            photos.append(MapPhoto(m.id, m.key, m.preview_key, m.kind, r, centre_crop(aspect, r[2] / r[3]),
                                   _poster_second(m) if m.kind == "clip" else None))
        top += math.floor(tile_h) + gap
    for px, lines in quotes:
        block = _line_h(px) * len(lines)
        if top + block > y + h - pad:
            break
        texts.append(TextBox((x + pad, top, inner, block), tuple(lines), px, "italic", ink))
        top += block + gap
    # the card is as tall as what it holds, centred where its cell gave it room
    used = min(h, top - gap + pad - y)
    dy = (h - used) // 2
    texts = [replace(t, rect=_down(t.rect, dy)) for t in texts]
    photos = [replace(p, rect=_down(p.rect, dy)) for p in photos]
    y, h = y + dy, used
    end = (min(max(centre[0] + centre[2] / 2, x), x + w), min(max(centre[1] + centre[3] / 2, y), y + h))
    start = (min(max(end[0], centre[0]), centre[0] + centre[2]), min(max(end[1], centre[1]), centre[1] + centre[3]))
    line_px = max(2, round(base * (0.25 + 0.55 * len(members) / most)))
    return Branch(theme.key, theme.name, tuple(m.id for m in members), theme.mean_mood, colour, (x, y, w, h),
                  (x, y, w, band_h), tuple(texts), tuple(photos), (start, end), line_px)


def _down(rect: Rect, dy: int) -> Rect:
    return (rect[0], rect[1] + dy, rect[2], rect[3])
