"""Which captions speak for a theme: short, strongly felt, spread over the day."""

from __future__ import annotations

from collections.abc import Sequence

from media_pipeline.daytime import seconds_of_day
from media_pipeline.fonts import displayable
from media_pipeline.themes.extract import TAG
from media_pipeline.types import Moment

MAX_QUOTE_CHARS = 90  # longer captions make poor quotes on a wall


def quote_text(caption: str) -> str:
    """The caption as quoted: #tags and extra spaces gone, characters the font lacks spelled plainly."""
    return displayable(" ".join(TAG.sub("", caption).split()))


def strongest_quotes(moments: Sequence[Moment], count: int) -> list[Moment]:
    """Up to `count` moments whose captions quote best: a mood far from neutral first, then shorter, then earlier.

    Captions longer than MAX_QUOTE_CHARS are used only when nothing shorter is left; the same words are
    never quoted twice.
    """
    def strength(m: Moment) -> tuple[int, float, int, float, str]:
        text = quote_text(m.caption)
        return (len(text) > MAX_QUOTE_CHARS, -abs((m.mood or 3) - 3), len(text), seconds_of_day(m.local_time), m.id)

    chosen: list[Moment] = []
    seen: set[str] = set()
    for m in sorted((m for m in moments if len(quote_text(m.caption).split()) >= 2), key=strength):
        text = quote_text(m.caption).casefold()
        if text not in seen:
            seen.add(text)
            chosen.append(m)
        if len(chosen) == count:
            break
    return chosen


def spread(moments: Sequence[Moment], count: int) -> list[Moment]:
    """`count` moments spread evenly over the sequence (its first and last included)."""
    if len(moments) <= count:
        return list(moments)
    if count == 1:
        return [moments[len(moments) // 2]]
    return [moments[round(i * (len(moments) - 1) / (count - 1))] for i in range(count)]
