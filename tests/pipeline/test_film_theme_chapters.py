"""Film chapters by theme: each chapter a theme, its moments in time order; the rest in a last chapter."""

from __future__ import annotations

from typing import Any

import pytest

from media_pipeline.film.options import FilmOptions, PlanError
from media_pipeline.film.plan import build_film_plan
from media_pipeline.themes.extract import extract_themes
from media_pipeline.types import ProjectInfo
from tests.pipeline.themes_data import DUTCH, day_of

PROJECT = ProjectInfo(title="Een dag", date="2026-03-12", language="nl")


def _moment_order(plan: dict[str, Any]) -> list[tuple[str, str]]:
    return [(s["chapter"], s["id"].removeprefix("m-")) for s in plan["segments"] if s["kind"] != "card"]


def test_each_theme_is_a_chapter_in_the_staffs_order() -> None:
    moments = day_of(DUTCH)
    found = extract_themes(moments, "nl")
    themes = [(t.name, t.moment_ids) for t in found.themes]
    plan = build_film_plan(moments, PROJECT, FilmOptions(width=160, height=90, fps=10, chapters="themes"),
                           themes).to_dict()
    titles = [c["title"] for c in plan["chapters"]]
    assert titles[1:-1] == ["Koffie", "Wachtrij", "Lunch", "Parkeerplaats", "#service", "Overige momenten"]
    order = _moment_order(plan)
    assert [mid for chapter, mid in order if chapter == "Wachtrij"] == ["m01", "m02", "m03"]  # time order inside
    assert [mid for chapter, mid in order if chapter == "Overige momenten"] == list(found.unthemed)
    cards = [s["card"] for s in plan["segments"] if s["kind"] == "card" and s["card"]["style"] == "chapter"]
    assert cards[0]["title"] == "Koffie" and cards[0]["subtitle"] == "09:00 – 10:10"


def test_chapters_by_theme_need_themes_and_no_lanes() -> None:
    moments = day_of(DUTCH)
    with pytest.raises(PlanError, match="no themes yet"):
        build_film_plan(moments, PROJECT, FilmOptions(width=160, height=90, chapters="themes"))
    with pytest.raises(PlanError, match="do not go together"):
        build_film_plan(moments, PROJECT, FilmOptions(width=160, height=90, chapters="themes", lanes=True),
                        [("Koffie", ("m04",))])
