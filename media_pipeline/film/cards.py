"""Full-frame cards (opening, chapter, closing), drawn with Pillow in one consistent typographic scale."""

from __future__ import annotations

from PIL import Image, ImageDraw

from media_pipeline.film.lettering import (
    WHITE,
    Block,
    blocks_height,
    draw_blocks,
    fitted,
    legible_on_dark,
    px,
    rgb,
    type_px,
    unit,
)
from media_pipeline.film.plan import Card
from media_pipeline.fonts import Weight

CARD_STYLE = 3  # bump when the look changes, so cached segments are made again (3: words never split)
BACKGROUND_TOP = (22, 24, 30)
BACKGROUND_BOTTOM = (10, 11, 14)
SOFT = (205, 208, 215, 255)
BRAND = (0, 0, 0, 0)  # stands for the project's brand colour

# per card style, per line: (field, size in units, smallest size, most lines, weight, colour)
Line = tuple[str, int, int, int, Weight, tuple[int, int, int, int]]
STYLES: dict[str, list[Line]] = {
    "opening": [
        ("title", 120, 64, 3, "black", WHITE),
        ("subtitle", 56, 36, 2, "light", SOFT),
        ("detail", 46, 32, 2, "bold", BRAND),
    ],
    "chapter": [
        ("title", 150, 80, 2, "black", WHITE),
        ("subtitle", 50, 32, 2, "light", SOFT),
    ],
    "closing": [
        ("title", 120, 64, 2, "black", WHITE),
        ("subtitle", 50, 34, 2, "bold", BRAND),
        ("names", 42, 26, 5, "light", SOFT),
    ],
}


def card_image(card: Card, width: int, height: int, brand_color: str) -> Image.Image:
    """The card as an RGB image of the output size: a brand-coloured rule over centred lines of type."""
    u = unit(width, height)
    brand = (*rgb(brand_color), 255)
    brand_text = (*legible_on_dark(rgb(brand_color)), 255)
    img = Image.new("RGBA", (width, height))
    draw = ImageDraw.Draw(img)
    for y in range(height):  # a quiet vertical gradient: less flat than one colour
        t = y / max(1, height - 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(BACKGROUND_TOP, BACKGROUND_BOTTOM, strict=True))
        draw.line([(0, y), (width, y)], fill=(*colour, 255))
    text_w = width - 2 * px(120, u)
    blocks: list[Block] = []
    for name, size, smallest, lines, weight, fill in STYLES[card.style]:
        value = getattr(card, name)
        text = " · ".join(value) if isinstance(value, tuple) else value
        blocks.append(fitted(text, text_w, size_px=type_px(size, u), min_px=type_px(smallest, u), max_lines=lines,
                             weight=weight, fill=brand_text if fill == BRAND else fill))
    gap = px(28, u)
    rule_h, rule_gap, rule_w = max(2, px(8, u)), px(40, u), px(120, u)
    top = (height - blocks_height(blocks, gap) - rule_h - rule_gap) / 2
    draw.rectangle([(width - rule_w) / 2, top, (width + rule_w) / 2, top + rule_h - 1], fill=brand)
    draw_blocks(img, blocks, x=width / 2, top=top + rule_h + rule_gap, gap_px=gap, align="center")
    return img.convert("RGB")
