"""Text layout shared by film cards, captions and collage labels: wrap to a width, never cut a word."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # fonts is imported where a font is made (fit_font_size)
    from media_pipeline.fonts import Weight

_JOINED = re.compile(r"[^_\-/.]+[_\-/.]*|[_\-/.]+")  # a joined word's parts, each with the marks after it
MIN_FIT_PX = 6  # the smallest type fit_text shrinks to: below it nothing is legible anyway


class Measurer(Protocol):
    def getlength(self, text: str) -> float: ...


def text_width(text: str, fnt: Measurer) -> float:
    return fnt.getlength(text)


def wrap_text(text: str, fnt: Measurer, max_width_px: float, max_lines: int | None = None) -> list[str]:
    """Greedy word wrap to `max_width_px`; a word longer than a line is broken by characters.

    With `max_lines`, the last line ends in an ellipsis when text is left over (callers that must
    show everything pass None and shrink the font instead).
    """
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if text_width(candidate, fnt) <= max_width_px:
                line = candidate
                continue
            if line:
                lines.append(line)
            while text_width(word, fnt) > max_width_px and len(word) > 1:
                cut = len(word)
                while cut > 1 and text_width(word[:cut], fnt) > max_width_px:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    if max_lines is not None and len(lines) > max_lines:
        kept = lines[:max_lines]
        last = kept[-1]
        while last and text_width(last + "…", fnt) > max_width_px:
            last = last[:-1].rstrip()
        kept[-1] = last + "…"
        return kept
    return lines


def wrap_words(text: str, fnt: Measurer, max_width_px: float) -> list[str]:
    """Greedy wrap at spaces (and line breaks): a word is never split. Only a word wider than a whole line that
    is joined by "_", "-", "/" or "." (a folder name: bakkerij_de_vries_2026) may break after those marks;
    a word still too wide stands alone on its line, and the caller shrinks the type."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            parts = [word]
            if fnt.getlength(word) > max_width_px:
                parts = _JOINED.findall(word) or [word]
            for index, part in enumerate(parts):
                glue = "" if index else " "
                candidate = f"{line}{glue}{part}" if line else part
                if line and fnt.getlength(candidate) > max_width_px:
                    lines.append(line)
                    line = part
                else:
                    line = candidate
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def lines_at(text: str, fnt: Measurer, max_width_px: float) -> list[str]:
    """`text` wrapped at words to `max_width_px` in `fnt`; only a word wider than the line even in the smallest
    type fit_text allows is broken by characters (a last resort, so nothing is drawn outside its box)."""
    lines = wrap_words(text, fnt, max_width_px)
    if all(fnt.getlength(line) <= max_width_px for line in lines):
        return lines
    return wrap_text(text, fnt, max_width_px)


def one_line(text: str, fnt: Measurer, max_width_px: float) -> str:
    """`text` on one line of `max_width_px`: whole words, then "…" when some are left over (a single word too
    long even so is broken by characters)."""
    words = text.split()
    for count in range(len(words), 0, -1):
        line = " ".join(words[:count]) + ("" if count == len(words) else "…")
        if fnt.getlength(line) <= max_width_px:
            return line
    return (lines_at(text, fnt, max_width_px) or [""])[0]


def fit_text(
    text: str, max_width_px: float, *, max_lines: int, start_px: int, min_px: int,
    measure: Callable[[int], Measurer], floor_px: int = MIN_FIT_PX,
) -> tuple[int, list[str]]:
    """The largest size from `start_px` at which `text`, wrapped at words, fits `max_width_px` in `max_lines`.

    Down to `min_px` the type shrinks to save lines; below that (to `floor_px`) only while a word is still
    wider than the line, so a long title without spaces gets smaller, never split. At `min_px` a text that
    needs more lines gets them: nothing is cut. `measure(size)` gives the font (anything with getlength)
    as the caller will draw it. Returns (size px, lines).
    """
    size = max(start_px, floor_px)
    min_px = max(floor_px, min(min_px, size))
    while True:
        fnt = measure(size)
        lines = wrap_words(text, fnt, max_width_px)
        inside = all(fnt.getlength(line) <= max_width_px for line in lines)
        if inside and (len(lines) <= max_lines or size <= min_px):
            return size, lines
        if size <= floor_px:
            return size, lines_at(text, fnt, max_width_px)
        lower = min_px if size > min_px else floor_px
        size = max(lower, min(size - 1, int(size * 0.92)))


def fit_font_size(
    text: str, max_width_px: float, max_lines: int, start_px: int, min_px: int, weight: Weight = "regular"
) -> tuple[int, list[str]]:
    """fit_text in the bundled font of `weight`."""
    from media_pipeline.fonts import font

    return fit_text(text, max_width_px, max_lines=max_lines, start_px=start_px, min_px=min_px,
                    measure=lambda size: font(size, weight))
