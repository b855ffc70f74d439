"""Typography shared by cards and captions: one scale unit per output size, lines with a soft shadow."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageColor, ImageDraw, ImageFilter, ImageFont

from media_pipeline.fonts import Weight, displayable, font, has_glyph
from media_pipeline.text import fit_text

WHITE = (255, 255, 255, 255)
MIN_TEXT_PX = 6  # below this nothing is legible anyway; tiny test films still get every character


# The bundled Lato covers Latin-1 but not all of Latin Extended (Ğ, ő, ĳ would show as boxes). Unlike
# fonts.displayable, which drops such accents, cards and captions draw the base letter with Lato's own
# spacing accent over (or under) it: a name is shown as spelled (Ğ stays Ğ), in one typeface.
SPACING_ACCENTS = {
    "\u0300": "`", "\u0301": "\u00b4", "\u0302": "\u02c6", "\u0303": "\u02dc", "\u0304": "\u00af",
    "\u0306": "\u02d8", "\u0307": "\u02d9", "\u0308": "\u00a8", "\u030a": "\u02da", "\u030b": "\u02dd",
    "\u030c": "\u02c7", "\u0327": "\u00b8", "\u0328": "\u02db",
}
BELOW = {"\u0327", "\u0328"}


@lru_cache(maxsize=4096)
def _shape_char(ch: str, weight: Weight) -> tuple[str, tuple[str, ...]]:
    """(letters to draw, spacing accents to put over the last of them) for one character."""
    if has_glyph(ch, weight):
        return ch, ()
    parts = unicodedata.normalize("NFKD", ch)
    base = "".join(c for c in parts if not unicodedata.combining(c))
    marks = tuple(SPACING_ACCENTS[c] for c in parts if c in SPACING_ACCENTS)
    if base and all(has_glyph(c, weight) for c in base):
        if marks and base[-1] in "ij" and not any(m in (SPACING_ACCENTS[c] for c in BELOW) for m in marks):
            base = base[:-1] + ("\u0131" if base[-1] == "i" else "j")  # dotless i under an accent
        return base, marks
    return displayable(ch, weight), ()


def shape(text: str, weight: Weight) -> tuple[str, list[tuple[int, str]]]:
    """Text Lato can draw, and (index, spacing accent) marks to overlay on letters it lacks."""
    plain: list[str] = []
    marks: list[tuple[int, str]] = []
    length = 0
    for ch in unicodedata.normalize("NFC", text):
        letters, accents = _shape_char(ch, weight)
        plain.append(letters)
        length += len(letters)
        marks += [(length - 1, accent) for accent in accents]
    return "".join(plain), marks


class _Measure:
    """A font whose getlength measures text as it will be drawn (for the shared fit_text)."""

    def __init__(self, fnt: ImageFont.FreeTypeFont, weight: Weight) -> None:
        self.fnt, self.weight = fnt, weight

    def getlength(self, text: str) -> float:
        return self.fnt.getlength(shape(text, self.weight)[0])


def text_length(text: str, size_px: int, weight: Weight) -> float:
    return font(size_px, weight).getlength(shape(text, weight)[0])


def draw_text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, size_px: int, weight: Weight,
              fill: tuple[int, ...]) -> None:
    """Draw `text` at `xy` (left, top) in Lato, composing letters Lato lacks from base + accent."""
    fnt = font(size_px, weight)
    plain, marks = shape(text, weight)
    x, y = xy
    draw.text((x, y), plain, font=fnt, fill=fill)
    for index, accent in marks:
        base = plain[index]
        left = x + fnt.getlength(plain[:index]) + (fnt.getlength(base) - fnt.getlength(accent)) / 2
        lift = 0.0
        if accent not in (SPACING_ACCENTS[c] for c in BELOW) and base.isupper():
            # Lato's spacing accents sit over lowercase letters: raise them by the cap/x-height difference
            lift = fnt.getbbox(base)[1] - fnt.getbbox("o")[1]
        draw.text((left, y + lift), accent, font=fnt, fill=fill)


def unit(width: int, height: int) -> float:
    """Pixels per typographic unit: 1.0 at 1080 px on the short side, so type scales with the output."""
    return min(width, height) / 1080


def px(value: float, u: float) -> int:
    """A length in typographic units as whole pixels (at least 1)."""
    return max(1, round(value * u))


def type_px(value: float, u: float) -> int:
    """A type size in units as pixels, never below the smallest size that still draws every letter."""
    return max(MIN_TEXT_PX, round(value * u))


def rgb(colour: str, fallback: str = "#E4572E") -> tuple[int, int, int]:
    try:
        r, g, b = ImageColor.getrgb(colour)[:3]
    except ValueError:
        r, g, b = ImageColor.getrgb(fallback)[:3]
    return r, g, b


def legible_on_dark(colour: tuple[int, int, int], min_luminance: float = 0.42) -> tuple[int, int, int]:
    """`colour` lightened towards white until text in it reads on a near-black card (a dark brand colour)."""

    def luminance(c: tuple[float, ...]) -> float:
        return (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]) / 255

    mixed: tuple[float, ...] = colour
    for step in range(11):
        mixed = tuple(v + (255 - v) * step / 10 for v in colour)
        if luminance(mixed) >= min_luminance:
            break
    return (round(mixed[0]), round(mixed[1]), round(mixed[2]))


@dataclass(frozen=True)
class Block:
    """Lines of one size and weight, ready to draw."""

    lines: list[str]
    size_px: int
    weight: Weight
    fill: tuple[int, int, int, int] = WHITE

    @property
    def line_height(self) -> int:
        return round(self.size_px * 1.22)

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)

    def width(self) -> float:
        return max((text_length(line, self.size_px, self.weight) for line in self.lines), default=0.0)


def fitted(
    text: str, max_width_px: float, *, size_px: int, min_px: int, max_lines: int, weight: Weight,
    fill: tuple[int, int, int, int] = WHITE, floor_px: int = MIN_TEXT_PX,
) -> Block:
    """The largest size (down to `min_px`) at which `text` fits `max_lines`; below that, more lines: never cut.
    Lines break between words only: a word wider than the line (a title without spaces) makes the type
    smaller, down to `floor_px`, rather than being split (see media_pipeline.text.fit_text)."""
    if not text:
        return Block([], size_px, weight, fill)
    size, lines = fit_text(text, max_width_px, max_lines=max_lines, start_px=size_px, min_px=min_px,
                           measure=lambda px_: _Measure(font(px_, weight), weight), floor_px=max(MIN_TEXT_PX, floor_px))
    return Block(lines, size, weight, fill)


def draw_blocks(
    layer: Image.Image, blocks: list[Block], *, x: float, top: float, gap_px: int, align: str = "left",
    shadow_px: int = 0,
) -> float:
    """Draw `blocks` one under another from `top`; `x` is the left edge or, for align="center", the middle.

    With `shadow_px`, a blurred dark copy under the text keeps it legible on any picture. Returns the
    y just below the last block.
    """
    shadow = Image.new("RGBA", layer.size, (0, 0, 0, 0)) if shadow_px else None
    text_layer = Image.new("RGBA", layer.size, (0, 0, 0, 0))
    y = top
    for index, block in enumerate(blocks):
        if not block.lines:
            continue
        if index and y > top:
            y += gap_px
        for line in block.lines:
            left = x - text_length(line, block.size_px, block.weight) / 2 if align == "center" else x
            draw_text(ImageDraw.Draw(text_layer), (left, y), line, block.size_px, block.weight, block.fill)
            if shadow is not None:
                draw_text(ImageDraw.Draw(shadow), (left + shadow_px / 2, y + shadow_px / 2), line, block.size_px,
                          block.weight, (0, 0, 0, 200))
            y += block.line_height
    if shadow is not None:
        layer.alpha_composite(shadow.filter(ImageFilter.GaussianBlur(shadow_px)))
    layer.alpha_composite(text_layer)
    return y


def blocks_height(blocks: list[Block], gap_px: int) -> int:
    shown = [b for b in blocks if b.lines]
    return sum(b.height for b in shown) + gap_px * max(0, len(shown) - 1)
