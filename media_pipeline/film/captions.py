"""Lower-third captions drawn with Pillow (bundled Lato, so é, ë, ĳ, Ğ render whole) and the WebVTT file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw

from media_pipeline.film.lettering import Block, blocks_height, draw_blocks, fitted, px, rgb, type_px, unit
from media_pipeline.film.plan import Caption

CAPTION_STYLE = 2  # bump when the look changes, so cached segments are made again (2: title-safe)
# The lower third keeps out of the bottom 14 % of the frame (broadcast "title safe" is 10 %): a browser's
# own video controls, a projector's overscan or a TV's edge never cover the words; the download and the
# player in dayreel show the same film, with nothing covered.
TITLE_SAFE_BOTTOM = 0.14


def caption_image(caption: Caption, width: int, height: int, brand_color: str) -> Image.Image:
    """A transparent full-frame RGBA layer: a darkening gradient at the bottom with name, time and words."""
    u = unit(width, height)
    margin = px(72, u)
    text_width = width - 2 * margin - px(22, u)
    header = fitted(caption.header(), text_width, size_px=type_px(44, u), min_px=type_px(30, u), max_lines=2,
                    weight="bold", floor_px=type_px(30, u))
    # a contributor's words keep a readable size: a word too long even so (a pasted link) breaks by letters
    words = fitted(caption.text, text_width, size_px=type_px(48, u), min_px=type_px(32, u), max_lines=3,
                   weight="regular", floor_px=type_px(32, u))
    gap = px(10, u)
    blocks: list[Block] = [header, words]
    block_h = blocks_height(blocks, gap)
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    if not block_h:
        return layer
    top = height - title_safe_bottom(height) - block_h
    # a gradient from clear to dark behind the text: legible on white snow and on a projector
    band_top = max(0, top - px(110, u))
    draw = ImageDraw.Draw(layer)
    span = max(1, height - band_top)
    for y in range(band_top, height):
        alpha = round(185 * min(1.0, (y - band_top) / (span * 0.6)))
        draw.line([(0, y), (width, y)], fill=(0, 0, 0, alpha))
    bar_w = max(2, px(7, u))
    inset = min(px(4, u), block_h // 4)
    draw.rectangle([margin, top + inset, margin + bar_w - 1, top + block_h - inset], fill=(*rgb(brand_color), 255))
    draw_blocks(layer, blocks, x=margin + px(22, u), top=top, gap_px=gap, shadow_px=max(1, px(3, u)))
    return layer


def title_safe_bottom(height: int) -> int:
    """Pixels at the bottom of a frame (or lane) of `height` px that a caption leaves free."""
    return round(height * TITLE_SAFE_BOTTOM)


def _vtt_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def write_vtt(path: Path, cues: Sequence[tuple[float, float, str]]) -> None:
    """A WebVTT file of (start s, end s, text) cues."""
    lines = ["WEBVTT", ""]
    for index, (start, end, text) in enumerate(cues, 1):
        lines += [str(index), f"{_vtt_time(start)} --> {_vtt_time(end)}", text.replace("-->", "→"), ""]
    path.write_text("\n".join(lines), encoding="utf-8")
