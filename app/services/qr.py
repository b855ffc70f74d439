"""QR codes for invite links: PNG for slides and screens, SVG for print."""

from __future__ import annotations

import io

import segno


def qr_png(url: str, *, scale: int = 10, border: int = 2, dark: str = "#000000", light: str = "#ffffff") -> bytes:
    """A PNG of `url`; `scale` pixels per module (10 -> ~330 px for a short URL)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, border=border, dark=dark, light=light)
    return out.getvalue()


def qr_svg(url: str, *, border: int = 2, dark: str = "#000000", light: str | None = "#ffffff") -> str:
    """A scalable SVG of `url` (no fixed size: it fills its box)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", border=border, dark=dark, light=light, xmldecl=False,
                                    svgns=True, nl=False, omitsize=True)
    return out.getvalue().decode()
