"""Theme extraction on Dutch and English captions whose themes are known."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime

from media_pipeline.themes.extract import (
    caption_language,
    extract_themes,
    suggest_for_themes,
    theme_count_limit,
)
from media_pipeline.types import Moment
from tests.pipeline.themes_data import DUTCH, ENGLISH, day_of


def _by_name(moments: list[Moment], language: str) -> dict[str, tuple[str, ...]]:
    return {t.name: t.moment_ids for t in extract_themes(moments, language).themes}


def test_dutch_captions_give_their_themes() -> None:
    found = _by_name(day_of(DUTCH), "nl")
    assert found == {
        "Wachtrij": ("m01", "m02", "m03"),
        "Koffie": ("m04", "m05", "m06"),
        "Parkeerplaats": ("m07", "m08"),
        "Lunch": ("m09", "m10"),
        "#service": ("m12", "m13"),
    }


def test_english_captions_give_their_themes() -> None:
    found = _by_name(day_of(ENGLISH), "en")
    assert found == {
        "Queue": ("m01", "m02", "m03"),
        "Coffee": ("m04", "m05", "m06"),
        "Parking": ("m07", "m08"),
        "Lunch": ("m09", "m10"),
        "#service": ("m11", "m12"),
    }


def test_theme_figures_mood_hours_and_roles() -> None:
    theme = next(t for t in extract_themes(day_of(DUTCH), "nl").themes if t.name == "Koffie")
    assert theme.mean_mood == round((5 + 4 + 4) / 3, 2)
    assert theme.hours == (9, 10)
    assert (theme.first_time, theme.last_time) == ("09:00", "10:10")
    assert (theme.customers, theme.employees, theme.others) == (1, 2, 0)
    assert theme.from_tag is False


def test_same_moments_in_any_order_give_the_same_themes() -> None:
    moments = day_of(DUTCH)
    first = extract_themes(moments, "nl").to_dict()
    shuffled = moments[:]
    random.Random(7).shuffle(shuffled)
    assert extract_themes(shuffled, "nl").to_dict() == first


def test_plural_and_singular_are_one_theme() -> None:
    rows = [("08:00", "Wachtrijen overal", 2, ""), ("09:00", "Weer die wachtrij", 2, ""),
            ("10:00", "De wachtrijen bij de balie", 1, "")]
    themes = extract_themes(day_of(rows), "nl").themes
    assert [len(t.moment_ids) for t in themes] == [3]
    assert themes[0].key == "wachtrij"


def test_a_tag_used_once_is_a_candidate_theme() -> None:
    rows = [("08:00", "Zonsopgang boven de haven #ochtendrust", 4, ""), ("09:00", "Koffie", 3, ""),
            ("09:30", "Nog meer koffie", 3, ""), ("12:00", "Broodjes", 3, "")]
    names = {t.name for t in extract_themes(day_of(rows), "nl").themes}
    assert "#ochtendrust" in names and "Koffie" in names


def test_few_moments_few_themes_many_moments_at_most_twelve() -> None:
    assert theme_count_limit(4) == 2
    assert theme_count_limit(15) == 5
    assert theme_count_limit(300) == 12
    words = [f"onderwerp{chr(97 + i)}{chr(97 + j)}" for i in range(5) for j in range(4)]  # 20 distinct themes
    rows = [(f"{8 + k % 10:02d}:{k % 60:02d}", f"Het {w} opnieuw", 3, "") for k, w in enumerate(words * 3)]
    themes = extract_themes(day_of(rows), "nl").themes
    assert 5 <= len(themes) <= 12


def test_caption_language_is_read_from_its_stop_words() -> None:
    assert caption_language("De koffie is op en het is nog vroeg", "en") == "nl"
    assert caption_language("The coffee is gone and it is still early", "nl") == "en"
    assert caption_language("Koffie", "nl") == "nl"


def test_new_moments_are_suggested_for_existing_themes_only() -> None:
    themes = extract_themes(day_of(DUTCH), "nl").themes
    new = [replace(m, id=f"n{i}") for i, m in enumerate(day_of([
        ("18:00", "Nog steeds een wachtrij", 1, "customer"),
        ("18:30", "Koffie to go", 4, "customer"),
        ("19:00", "Zonsondergang aan zee", 5, ""),
    ]))]
    found = suggest_for_themes(new, [(t.key, t.key.split(), t.terms) for t in themes], "nl")
    assert found == {"n0": "wachtrij", "n1": "koffie"}


def test_moments_without_captions_stay_unthemed() -> None:
    silent = Moment(id="x1", key="x1.jpg", kind="photo", width=4, height=3, local_time=datetime(2026, 3, 12, 9, 0))
    moments = [*day_of(DUTCH), silent]
    assert "x1" in extract_themes(moments, "nl").unthemed
