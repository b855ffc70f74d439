"""What a split-screen (lanes) segment adds to its pictures: lane labels and the placeholder of an empty lane.

Drawn with Pillow in the cards' typography; the renderer overlays them with ffmpeg filters.
"""

from __future__ import annotations

from PIL import Image, ImageDraw

from media_pipeline.film.lettering import draw_blocks, fitted, px, rgb, type_px, unit

LANE_STYLE = 1  # bump when the look changes, so cached segments are made again
PLACEHOLDER_BRIGHTNESS = 0.28  # the brand colour dimmed: calm beside a picture, clearly not a picture
LABEL_BACKING = (0, 0, 0, 150)


def label_image(text: str, width: int, height: int, brand_color: str) -> Image.Image:
    """A lane's label for a lane of `width` x `height` px: small bold type on a dark pill with a brand mark.

    Returned cropped to the pill (RGBA); the caller places it in the lane's top-left corner.
    """
    u = unit(width, height)
    block = fitted(text, width / 2, size_px=type_px(44, u), min_px=type_px(30, u), max_lines=1, weight="bold")
    pad_x, pad_y, mark_w = px(18, u), px(10, u), max(2, px(6, u))
    inner_w = round(block.width())
    size = (mark_w + pad_x + inner_w + pad_x, block.height + 2 * pad_y)
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle([0, 0, size[0] - 1, size[1] - 1], radius=px(8, u), fill=LABEL_BACKING)
    draw.rectangle([0, 0, mark_w - 1, size[1] - 1], fill=(*rgb(brand_color), 255))
    draw_blocks(img, [block], x=mark_w + pad_x, top=pad_y, gap_px=0)
    return img


def placeholder_image(hour: str, width: int, height: int, brand_color: str) -> Image.Image:
    """An empty lane (RGB, `width` x `height` px): the brand colour dimmed, with the hour in light type.

    The lane's label sits over it like over any lane, so the placeholder itself says only when.
    """
    u = unit(width, height)
    base = rgb(brand_color)
    top = tuple(round(c * PLACEHOLDER_BRIGHTNESS) for c in base)
    bottom = tuple(round(c * PLACEHOLDER_BRIGHTNESS * 0.6) for c in base)
    img = Image.new("RGBA", (width, height))
    draw = ImageDraw.Draw(img)
    for y in range(height):  # the cards' quiet vertical gradient
        t = y / max(1, height - 1)
        draw.line([(0, y), (width, y)], fill=(*(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)), 255))
    block = fitted(hour, width - 2 * px(60, u), size_px=type_px(120, u), min_px=type_px(60, u), max_lines=1,
                   weight="light", fill=(255, 255, 255, 170))
    draw_blocks(img, [block], x=width / 2, top=(height - block.height) / 2, gap_px=0, align="center")
    return img.convert("RGB")
