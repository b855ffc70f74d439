"""The few words the themes map and the workshop report print, in English and Dutch."""

from __future__ import annotations

from media_pipeline.collage.wording import word
from media_pipeline.themes.extract import Theme
from media_pipeline.words import role_count

_WORDS = {
    "en": {"moments": "moments", "moment": "moment", "themes": "themes", "mood": "mood",
           "mood_legend": "mean mood  1 (low) – 5 (high)"},
    "nl": {"moments": "momenten", "moment": "moment", "themes": "thema's", "mood": "stemming",
           "mood_legend": "gemiddelde stemming  1 (laag) – 5 (hoog)"},
}


def map_word(name: str, language: str) -> str:
    return _WORDS.get(language, _WORDS["en"])[name]


def figures_lines(theme: Theme, count: int, language: str) -> list[str]:
    """'5 moments · mood 3.4' and '07:05–11:20 · 3 customers · 2 employees' (roles only when known)."""
    noun = map_word("moment" if count == 1 else "moments", language)
    first = f"{count} {noun}"
    if theme.mean_mood is not None:
        first += f" · {map_word('mood', language)} {theme.mean_mood:.1f}".replace(".", "," if language == "nl" else ".")
    span = theme.first_time if theme.first_time == theme.last_time else f"{theme.first_time}–{theme.last_time}"
    roles = [role_count(n, r, language) for n, r in ((theme.customers, "customer"), (theme.employees, "employee")) if n]
    return [first, " · ".join([span, *roles])]


__all__ = ["figures_lines", "map_word", "word"]
