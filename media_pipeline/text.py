"""Text layout shared by film cards, captions and collage labels: wrap to a width, never cut a word."""

from __future__ import annotations

from PIL import ImageFont


def text_width(text: str, fnt: ImageFont.FreeTypeFont) -> float:
    return fnt.getlength(text)


def wrap_text(text: str, fnt: ImageFont.FreeTypeFont, max_width_px: float, max_lines: int | None = None) -> list[str]:
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


def fit_font_size(
    text: str, max_width_px: float, max_lines: int, start_px: int, min_px: int, weight: str = "regular"
) -> tuple[int, list[str]]:
    """The largest size from `start_px` down to `min_px` at which `text` wraps into `max_lines` lines."""
    from media_pipeline.fonts import font

    size = start_px
    while True:
        lines = wrap_text(text, font(size, weight), max_width_px)  # type: ignore[arg-type]
        if len(lines) <= max_lines or size <= min_px:
            return size, lines
        size = max(min_px, int(size * 0.9))
