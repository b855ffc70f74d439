"""Drawing shared by every layout: title band, tile labels, play mark, placeholder, colours.

`layout_label` and `title_band` only measure text (no canvas), so the planner can put their
rectangles in the plan; the `draw_*` functions paint what the plan says.
"""

from __future__ import annotations

from PIL import Image, ImageDraw

from media_pipeline.collage.geometry import Rect
from media_pipeline.collage.model import RGB, MoreNote, Palette, TileLabel, TitleBand
from media_pipeline.fonts import font
from media_pipeline.text import fit_font_size, fit_text, lines_at, one_line

LINE_HEIGHT = 1.22  # times the font size
DISC_TITLE_WIDTH = 0.82  # of the clock's centre square: the title's line length
LABEL_SHADE = 175  # darkest alpha of the strip behind a label: white text stays readable on a white photo


def parse_colour(text: str, default: RGB = (228, 87, 46)) -> RGB:
    """'#E4572E' or 'E4572E' -> (228, 87, 46); anything else gives `default`."""
    value = text.strip().lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    try:
        return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)) if len(value) == 6 else default
    except ValueError:
        return default


def ink_on(colour: RGB) -> RGB:
    """Near-black or white, whichever reads better on `colour` (relative luminance)."""
    r, g, b = (c / 255 for c in colour)
    return (24, 24, 24) if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.6 else (255, 255, 255)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def layout_label(
    rect: Rect, time_text: str, caption: str, font_px: int, min_px: int, *, band_lines: int | None = None
) -> TileLabel | None:
    """The label strip for a tile: time, then the caption wrapped at words in up to two lines.

    The font shrinks with small tiles down to `min_px`; below that the tile gets no label. A caption
    that needs more lines shrinks (fit_text) and, at the smallest size, ends its second line in "…"
    after a whole word: a word is never cut. `band_lines` reserves that many caption lines whatever
    the caption needs, so strips line up across a grid.
    """
    x, y, w, h = rect
    size = min(font_px, int(h / 4.5), int(w / 4))
    if size < min_px:
        return None
    pad = max(2, round(size * 0.45))
    lines: list[str] = [time_text]
    line_h = round(size * LINE_HEIGHT)
    # caption lines that leave most of the picture visible; a caption keeps at least one line (with "…")
    room = int(min(2, max((h * 0.6 - 2 * pad) // line_h - 1, (2 * line_h + 2 * pad) <= h * 0.8)))
    if caption.strip() and room >= 1:
        width = w - 2 * pad
        # shrink a little to keep the words (never far below the collage's label size: then "…")
        least = max(min_px, round(size * 0.8))
        size, wrapped = fit_text(caption.strip(), width, max_lines=room, start_px=size, min_px=least, measure=font)
        if len(wrapped) > room:  # still too long at the smallest size: whole words, then an ellipsis
            wrapped = [*wrapped[: room - 1], one_line(" ".join(wrapped[room - 1 :]), font(size), width)]
        words = set(caption.split())
        if all(part.removesuffix("…") in words for line in wrapped for part in line.split()):
            lines += wrapped  # else a word wider than the tile even in the smallest type: the time alone
    pad = max(2, round(size * 0.45))
    line_h = round(size * LINE_HEIGHT)
    shown = max(len(lines), 1 + band_lines) if band_lines is not None else len(lines)
    strip_h = min(h, 2 * pad + line_h * shown + round(size * 0.6))  # a little fade above the text
    return TileLabel(rect=(x, y + h - strip_h, w, strip_h), font_px=size, lines=tuple(lines))


def draw_label(canvas: Image.Image, label: TileLabel) -> None:
    """A dark fade from the top of the strip down, then white time (bold) and caption."""
    x, y, w, h = label.rect
    fade = Image.linear_gradient("L").resize((1, h)).point(lambda v: min(LABEL_SHADE, v * 2))
    canvas.paste((0, 0, 0), (x, y, x + w, y + h), fade.resize((w, h)))
    size = label.font_px
    pad = max(2, round(size * 0.45))
    line_h = round(size * LINE_HEIGHT)
    draw = ImageDraw.Draw(canvas)
    ty = y + h - pad - line_h * len(label.lines)
    for i, line in enumerate(label.lines):
        draw.text(
            (x + pad, ty + i * line_h),
            line,
            font=font(size, "bold" if i == 0 else "regular"),
            fill=(255, 255, 255),
        )


def draw_play_mark(canvas: Image.Image, rect: Rect, font_px: int) -> None:
    """A round play button in the tile's top-right corner: this moment is a clip."""
    x, y, w, h = rect
    d = max(8, min(round(min(w, h) * 0.2), round(font_px * 2.2)))
    inset = max(2, d // 4)
    box = (x + w - inset - d, y + inset, x + w - inset, y + inset + d)
    shade = Image.new("L", (d, d), 0)
    ImageDraw.Draw(shade).ellipse((0, 0, d - 1, d - 1), fill=150)
    canvas.paste((0, 0, 0), box, shade)
    draw = ImageDraw.Draw(canvas)
    draw.ellipse(box, outline=(255, 255, 255), width=max(1, d // 14))
    cx, cy, r = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2, d * 0.22
    draw.polygon([(cx - r * 0.7, cy - r), (cx - r * 0.7, cy + r), (cx + r * 1.05, cy)], fill=(255, 255, 255))


def draw_stack_count(canvas: Image.Image, rect: Rect, more: int, font_px: int) -> None:
    """A "+N" pill in the tile's top-left corner: N more moments of about this time are stacked here."""
    x, y, _, h = rect
    size = max(6, min(font_px, h // 4))
    fnt = font(size, "bold")
    text = f"+{more}"
    pad = max(2, round(size * 0.35))
    inset = max(2, size // 3)
    box = (x + inset, y + inset, x + inset + round(fnt.getlength(text)) + 2 * pad, y + inset + round(size * 1.3))
    draw = ImageDraw.Draw(canvas)
    draw.rounded_rectangle(box, radius=(box[3] - box[1]) // 2, fill=(255, 255, 255))
    draw.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), text, font=fnt, fill=(24, 24, 24), anchor="mm")


def draw_placeholder(canvas: Image.Image, rect: Rect, palette: Palette) -> None:
    """A neutral tile for a source that could not be decoded: a frame with a small sun-and-hill glyph."""
    x, y, w, h = rect
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((x, y, x + w - 1, y + h - 1), fill=palette.placeholder)
    line = mix(palette.placeholder, (255, 255, 255), 0.25)
    s = min(w, h) * 0.18
    cx, cy = x + w / 2, y + h / 2
    if s >= 4:
        draw.ellipse((cx - s * 0.9, cy - s, cx - s * 0.3, cy - s * 0.4), outline=line, width=max(1, round(s / 8)))
        draw.line(
            [
                (cx - s * 1.4, cy + s),
                (cx - s * 0.2, cy),
                (cx + s * 0.4, cy + s * 0.5),
                (cx + s, cy - s * 0.2),
                (cx + s * 1.6, cy + s),
            ],
            fill=line,
            width=max(1, round(s / 8)),
        )


def title_band(rect: Rect, shape: str, title: str, subtitle: str, *, with_logo: bool) -> TitleBand:
    """Measure the title band: sizes so the title fits its share of the band, and the logo's place."""
    x, y, w, h = rect
    if shape == "disc":
        title_px, _ = fit_font_size(title, w * DISC_TITLE_WIDTH, 2, round(h * 0.13), max(8, round(h * 0.05)), "bold")
        subtitle_px = max(6, round(title_px * 0.5))
        logo = None
        if with_logo:
            side = round(h * 0.16)
            logo = (x + (w - side * 2) // 2, y + round(h * 0.80) - side // 2, side * 2, side)
        return TitleBand(rect, shape, title, subtitle, title_px, subtitle_px, logo)
    pad = round(h * 0.28)
    logo = (x + w - pad - round(h * 1.8), y + round(h * 0.15), round(h * 1.8), round(h * 0.7)) if with_logo else None
    subtitle_px = round(h * 0.3)
    sub_w = font(subtitle_px).getlength(subtitle)
    room = w - 3 * pad - sub_w - (logo[2] + pad if logo else 0)
    title_px, _ = fit_font_size(title, max(room, w * 0.3), 1, round(h * 0.5), max(6, round(h * 0.25)), "bold")
    return TitleBand(rect, shape, title, subtitle, title_px, subtitle_px, logo)


def draw_title(canvas: Image.Image, band: TitleBand, palette: Palette, logo: Image.Image | None) -> None:
    """Paint the band (or the clock's centre disc) with title, subtitle and logo."""
    x, y, w, h = band.rect
    draw = ImageDraw.Draw(canvas)
    if band.shape == "disc":
        title_font = font(band.title_px, "bold")
        lines = lines_at(band.title, title_font, w * DISC_TITLE_WIDTH)  # the lines title_band fitted
        sub_font = font(band.subtitle_px)
        sub_lines = [part.strip() for part in band.subtitle.split("·")]
        line_t, line_s = band.title_px * LINE_HEIGHT, band.subtitle_px * LINE_HEIGHT
        total = line_t * len(lines) + band.subtitle_px * 0.6 + line_s * len(sub_lines)
        cy = y + h * 0.47 - total / 2
        for line in lines:
            draw.text((x + w / 2, cy), line, font=title_font, fill=palette.ink, anchor="mt")
            cy += line_t
        cy += band.subtitle_px * 0.6
        for line in sub_lines:
            draw.text((x + w / 2, cy), line, font=sub_font, fill=palette.muted, anchor="mt")
            cy += line_s
    else:
        draw.rectangle((x, y, x + w - 1, y + h - 1), fill=palette.accent)
        pad = round(h * 0.28)
        title_font = font(band.title_px, "bold")
        right = x + w - pad - (band.logo_rect[2] + pad if band.logo_rect and logo is not None else 0)
        sub_font = font(band.subtitle_px)
        sub_w = sub_font.getlength(band.subtitle)
        title_room = right - pad - sub_w - pad - x
        draw.text(
            (x + pad, y + h / 2),
            one_line(band.title, title_font, max(title_room, 1)),
            font=title_font,
            fill=palette.accent_ink,
            anchor="lm",
        )
        draw.text((right, y + h / 2), band.subtitle, font=sub_font, fill=palette.accent_ink, anchor="rm")
    if band.logo_rect and logo is not None:
        lx, ly, lw, lh = band.logo_rect
        logo = logo.copy()
        logo.thumbnail((lw, lh), Image.Resampling.LANCZOS)
        pos = (
            lx + (lw - logo.width) // 2 if band.shape == "disc" else lx + lw - logo.width,
            ly + (lh - logo.height) // 2,
        )
        canvas.paste(logo, pos, logo if logo.mode == "RGBA" else None)


def draw_more(canvas: Image.Image, note: MoreNote, palette: Palette) -> None:
    """'+ 4,213 more moments' at the right of its strip along the bottom (the strip is kept free of tiles)."""
    x, y, w, h = note.rect
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((x, y, x + w - 1, y + h - 1), fill=palette.background)
    draw.text((x + w - h * 0.5, y + h / 2), note.text, font=font(note.font_px, "bold"), fill=palette.ink, anchor="rm")
