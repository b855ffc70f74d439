"""ThemeMapPlan -> PNG / JPEG / PDF (Pillow) or SVG (with the bundled Lato and the photos embedded).

The one step with side effects. Photos are decoded at the size they are shown (the collage's tile
decoder: preview first, JPEG draft, clip frame); one that cannot be decoded is a placeholder.
"""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw

from media_pipeline.collage.draw import LINE_HEIGHT, draw_placeholder, draw_play_mark
from media_pipeline.collage.model import RGB, Palette
from media_pipeline.collage.render import TileJob, decode_tile, save_image
from media_pipeline.fonts import Weight, font, font_path
from media_pipeline.themes.map import MapPhoto, TextBox, ThemeMapPlan
from media_pipeline.types import Resolver

JPEG_QUALITY = 88


def render_theme_map(plan: ThemeMapPlan, out_path: Path, *, resolve: Resolver) -> Path:
    """Paint `plan` into `out_path` (atomically: temp file + os.replace) in `plan.format`; returns `out_path`."""
    photos = dict(_decoded(plan, resolve))
    if plan.format != "svg":
        return save_image(map_image(plan, photos), out_path, fmt=plan.format, dpi=plan.dpi,
                          title=plan.title or "themes")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(map_svg(plan, photos), encoding="utf-8")
        os.replace(tmp, out_path)
    finally:
        tmp.unlink(missing_ok=True)
    return out_path


def _decoded(plan: ThemeMapPlan, resolve: Resolver) -> Iterator[tuple[str, Image.Image | None]]:
    def path_of(key: str | None) -> str | None:
        if not key:
            return None
        try:
            return str(resolve(key))
        except Exception:  # a missing file is a placeholder, never a failed map
            return None

    for branch in plan.branches:
        for p in branch.photos:
            job = TileJob(p.moment_id, p.kind, path_of(p.key), path_of(p.preview_key), (p.rect[2], p.rect[3]),
                          p.crop, p.frame_at_s if p.frame_at_s is not None else 1.0)
            pixels = decode_tile(job)
            yield _photo_id(p), Image.frombytes("RGB", (p.rect[2], p.rect[3]), pixels) if pixels else None


def _photo_id(p: MapPhoto) -> str:
    return f"{p.moment_id}@{p.rect[0]},{p.rect[1]}"


def map_image(plan: ThemeMapPlan, photos: dict[str, Image.Image | None]) -> Image.Image:
    canvas = Image.new("RGB", (plan.width, plan.height), plan.background)
    draw = ImageDraw.Draw(canvas)
    for b in plan.branches:  # branches first: the cards and the day lie on their ends
        (x0, y0), (x1, y1) = b.line
        draw.line((x0, y0, x1, y1), fill=b.colour, width=b.line_px)
        for x, y in b.line:
            end_r = b.line_px / 2
            draw.ellipse((x - end_r, y - end_r, x + end_r, y + end_r), fill=b.colour)
    radius = max(2, round(min(plan.width, plan.height) / 120))
    x, y, w, h = plan.centre
    draw.rounded_rectangle((x, y, x + w - 1, y + h - 1), radius=radius * 2, fill=plan.centre_colour)
    palette = Palette(plan.background, plan.ink, plan.muted, plan.centre_colour, plan.ink, (90, 90, 96))
    for b in plan.branches:
        x, y, w, h = b.card
        draw.rounded_rectangle((x, y, x + w - 1, y + h - 1), radius=radius, fill=plan.card, outline=b.colour,
                               width=max(1, b.line_px // 2))
        bx, by, bw, bh = b.band
        draw.rounded_rectangle((bx, by, bx + bw - 1, by + bh - 1), radius=radius, fill=b.colour)
        draw.rectangle((bx, by + bh - radius, bx + bw - 1, by + bh - 1), fill=b.colour)  # square lower corners
        for p in b.photos:
            img = photos.get(_photo_id(p))
            if img is None:
                draw_placeholder(canvas, p.rect, palette)
            else:
                canvas.paste(img, p.rect[:2])
            if p.kind == "clip":
                draw_play_mark(canvas, p.rect, max(8, p.rect[3] // 6))
        for t in b.texts:
            _text(draw, t)
    for t in plan.centre_texts + plan.legend_texts:
        _text(draw, t)
    for r, colour in plan.legend:
        draw.rectangle((r[0], r[1], r[0] + r[2] - 1, r[1] + r[3] - 1), fill=colour)
    for i, (r, _) in enumerate(plan.legend):
        label = str(i + 1)
        px = max(6, round(r[3] * 0.7))
        draw.text((r[0] + r[2] / 2, r[1] + r[3] / 2), label, font=font(px, "bold"), fill=(255, 255, 255), anchor="mm")
    return canvas


def _text(draw: ImageDraw.ImageDraw, t: TextBox) -> None:
    fnt = font(t.font_px, t.weight)
    line_h = t.font_px * LINE_HEIGHT
    for i, line in enumerate(t.lines):
        ty = t.rect[1] + i * line_h
        if t.align == "centre":
            draw.text((t.rect[0] + t.rect[2] / 2, ty), line, font=fnt, fill=t.colour, anchor="ma")
        else:
            draw.text((t.rect[0], ty), line, font=fnt, fill=t.colour)


# --- SVG ----------------------------------------------------------------------------------------------

def _hex(c: RGB) -> str:
    return f"#{c[0]:02x}{c[1]:02x}{c[2]:02x}"


def _font_faces() -> str:
    """The bundled Lato, embedded: the SVG shows the same letters wherever it is opened."""
    faces = []
    weights: tuple[tuple[Weight, int, str], ...] = (("regular", 400, "normal"), ("bold", 700, "normal"),
                                                    ("italic", 400, "italic"))
    for weight, css_weight, style in weights:
        data = base64.b64encode(font_path(weight).read_bytes()).decode()
        faces.append(f"@font-face{{font-family:'Lato';font-weight:{css_weight};font-style:{style};"
                     f"src:url(data:font/ttf;base64,{data}) format('truetype');}}")
    return "".join(faces)


def _svg_text(t: TextBox) -> str:
    weight = 700 if t.weight == "bold" else 400
    style = "italic" if t.weight == "italic" else "normal"
    anchor, x = ("middle", t.rect[0] + t.rect[2] / 2) if t.align == "centre" else ("start", t.rect[0])
    out = []
    for i, line in enumerate(t.lines):
        y = t.rect[1] + i * t.font_px * LINE_HEIGHT + t.font_px * 0.98  # Pillow draws from the top, SVG from the base
        out.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{t.font_px}" font-weight="{weight}" '
                   f'font-style="{style}" text-anchor="{anchor}" fill="{_hex(t.colour)}">{escape(line)}</text>')
    return "".join(out)


def map_svg(plan: ThemeMapPlan, photos: dict[str, Image.Image | None]) -> str:
    radius = max(2, round(min(plan.width, plan.height) / 120))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{plan.width}" height="{plan.height}" '
             f'viewBox="0 0 {plan.width} {plan.height}" font-family="Lato, sans-serif">',
             f"<title>{escape(plan.title)}</title><style>{_font_faces()}</style>",
             f'<rect width="100%" height="100%" fill="{_hex(plan.background)}"/>']
    for b in plan.branches:
        (x0, y0), (x1, y1) = b.line
        parts.append(f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="{_hex(b.colour)}" '
                     f'stroke-width="{b.line_px}" stroke-linecap="round"/>')
    x, y, w, h = plan.centre
    parts.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{radius * 2}" '
                 f'fill="{_hex(plan.centre_colour)}"/>')
    for b in plan.branches:
        x, y, w, h = b.card
        parts.append(f'<g><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{radius}" fill="{_hex(plan.card)}" '
                     f'stroke="{_hex(b.colour)}" stroke-width="{max(1, b.line_px // 2)}"/>')
        bx, by, bw, bh = b.band
        parts.append(f'<rect x="{bx}" y="{by}" width="{bw}" height="{bh}" fill="{_hex(b.colour)}"/>')
        for p in b.photos:
            img = photos.get(_photo_id(p))
            px, py, pw, ph = p.rect
            if img is None:
                parts.append(f'<rect x="{px}" y="{py}" width="{pw}" height="{ph}" fill="#5a5a60"/>')
                continue
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=JPEG_QUALITY)
            data = base64.b64encode(buf.getvalue()).decode()
            parts.append(f'<image x="{px}" y="{py}" width="{pw}" height="{ph}" '
                         f'href="data:image/jpeg;base64,{data}"/>')
        parts += [_svg_text(t) for t in b.texts]
        parts.append("</g>")
    parts += [_svg_text(t) for t in plan.centre_texts + plan.legend_texts]
    for i, (r, colour) in enumerate(plan.legend):
        parts.append(f'<rect x="{r[0]}" y="{r[1]}" width="{r[2]}" height="{r[3]}" fill="{_hex(colour)}"/>')
        parts.append(f'<text x="{r[0] + r[2] / 2:.1f}" y="{r[1] + r[3] * 0.72:.1f}" '
                     f'font-size="{max(6, round(r[3] * 0.7))}" font-weight="700" text-anchor="middle" '
                     f'fill="#ffffff">{i + 1}</text>')
    parts.append("</svg>")
    return "".join(parts)
