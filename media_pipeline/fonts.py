"""The bundled typeface (Lato, SIL Open Font License, from the font-lato package)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Literal

import font_lato
from PIL import ImageFont

Weight = Literal["light", "regular", "bold", "black", "italic"]
_FILES: dict[str, str] = {
    "light": "Lato-Light.ttf",
    "regular": "Lato-Regular.ttf",
    "bold": "Lato-Bold.ttf",
    "black": "Lato-Black.ttf",
    "italic": "Lato-Italic.ttf",  # quotes on the themes map and in the workshop report
}


def font_path(weight: Weight = "regular") -> Path:
    return Path(font_lato.__file__).parent / "files" / _FILES[weight]


@lru_cache(maxsize=64)
def font(size_px: int, weight: Weight = "regular") -> ImageFont.FreeTypeFont:
    """Lato at `size_px` pixels; covers Latin-1 and much of Latin Extended (é, ë, ł), but not ĳ or ő:
    pass text through `displayable` first."""
    return ImageFont.truetype(str(font_path(weight)), max(1, int(size_px)))


@lru_cache(maxsize=1024)
def has_glyph(char: str, weight: Weight = "regular") -> bool:
    """True when the bundled font draws `char` itself rather than its empty-box (.notdef) glyph."""
    probe = font(32, weight)
    return char.isspace() or bytes(probe.getmask(char)) != bytes(probe.getmask("\U0010ffff"))


def displayable(text: str, weight: Weight = "regular") -> str:
    """`text` with characters the font lacks replaced by their plain spelling, never by empty boxes.

    The Dutch ĳ/Ĳ ligature becomes "ij"/"IJ" (Unicode compatibility form, how most Dutch text spells
    it anyway); other missing accented letters lose only the accent (ő -> o); what has no plain
    spelling (emoji) is left out.
    """
    if all(has_glyph(c, weight) for c in text):
        return text
    out = []
    for char in text:
        if has_glyph(char, weight):
            out.append(char)
            continue
        plain = unicodedata.normalize("NFKC", char)
        if not all(has_glyph(c, weight) for c in plain):
            plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        out.append(plain if plain and all(has_glyph(c, weight) for c in plain) else "")
    return "".join(out)
