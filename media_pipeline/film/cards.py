"""Full-frame cards (opening, chapter, closing), drawn with Pillow in one consistent typographic scale."""

from __future__ import annotations

from PIL import Image, ImageDraw

from media_pipeline.film.lettering import Block, blocks_height, draw_blocks, fitted, px, rgb, unit
from media_pipeline.film.plan import Card

CARD_STYLE = 1  # bump when the look changes, so cached segments are made again
BACKGROUND_TOP = (22, 24, 30)
BACKGROUND_BOTTOM = (10, 11, 14)
SOFT = (205, 208, 215, 255)


def card_image(card: Card, width: int, height: int, brand_color: str) -> Image.Image:
    """The card as an RGB image of the output size."""
    u = unit(width, height)
    brand = (*rgb(brand_color), 255)
    img = Image.new("RGBA", (width, height))
    draw = ImageDraw.Draw(img)
    for y in range(height):  # a quiet vertical gradient: less flat than one colour, no banding at 8 bits
        t = y / max(1, height - 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(BACKGROUND_TOP, BACKGROUND_BOTTOM, strict=True))
        draw.line([(0, y), (width, y)], fill=(*colour, 255))
    text_w = width - 2 * px(120, u)
    gap = px(28, u)
    blocks: list[Block]
    if card.style == "chapter":
        blocks = [
            fitted(card.title, text_w, size_px=px(150, u), min_px=px(80, u), max_lines=2, weight="black"),
            fitted(card.subtitle, text_w, size_px=px(50, u), min_px=px(32, u), max_lines=2, weight="light", fill=SOFT),
        ]
    elif card.style == "opening":
        blocks = [
            fitted(card.title, text_w, size_px=px(120, u), min_px=px(64, u), max_lines=3, weight="black"),
            fitted(card.subtitle, text_w, size_px=px(56, u), min_px=px(36, u), max_lines=2, weight="light", fill=SOFT),
            fitted(card.detail, text_w, size_px=px(46, u), min_px=px(32, u), max_lines=2, weight="bold", fill=brand),
        ]
    else:
        blocks = [
            fitted(card.title, text_w, size_px=px(120, u), min_px=px(64, u), max_lines=2, weight="black"),
            fitted(card.subtitle, text_w, size_px=px(50, u), min_px=px(34, u), max_lines=2, weight="bold", fill=brand),
            fitted(
                " · ".join(card.names), text_w, size_px=px(38, u), min_px=px(24, u), max_lines=5, weight="light",
                fill=SOFT,
            ),
        ]
    total = blocks_height(blocks, gap)
    bar_h = max(2, px(8, u))
    bar_gap = px(40, u)
    top = (height - total - bar_h - bar_gap) / 2
    bar_w = px(120, u)
    draw.rectangle([(width - bar_w) / 2, top, (width + bar_w) / 2, top + bar_h - 1], fill=brand)
    draw_blocks(img, blocks, x=width / 2, top=top + bar_h + bar_gap, gap_px=gap, align="center")
    return img.convert("RGB")
