"""The themes map: nothing overlaps whatever the number of themes (boxes from the plan), in every format."""

from __future__ import annotations

from datetime import datetime
from itertools import combinations
from pathlib import Path

import pytest
from PIL import Image

from media_pipeline.collage.geometry import inside, overlaps
from media_pipeline.fonts import font
from media_pipeline.themes.draw import render_theme_map
from media_pipeline.themes.extract import Theme, describe_theme, extract_themes
from media_pipeline.themes.map import ThemeMapPlan, build_theme_map_plan, mood_colour
from media_pipeline.themes.options import ThemeMapOptions
from media_pipeline.types import Moment, ProjectInfo
from tests.pipeline.themes_data import DUTCH, day_of

PROJECT = ProjectInfo(title="Een dag in het ziekenhuis: de patiënt centraal", date="2026-03-12", language="nl")


def _themes(count: int) -> tuple[list[Theme], list[Moment]]:
    """`count` themes of 1-11 moments each, with long names and long captions (the hard case for text)."""
    themes, moments = [], []
    for t in range(count):
        members = [
            Moment(id=f"t{t}m{j}", key=f"t{t}m{j}.jpg", kind="clip" if j == 2 else "photo",
                   width=400 if j % 2 else 300, height=300 if j % 2 else 400,
                   local_time=datetime(2026, 3, 12, 7 + (t + j) % 12, (j * 7) % 60),
                   caption=f"Een wat langere zin over onderwerp {t}, en dan nog iets meer over moment {j} erbij",
                   mood=1 + (t + j) % 5, role="customer" if j % 3 else "employee")
            for j in range(1 + (t * 5) % 11)
        ]
        moments += members
        name = f"Onderwerp {t} met een heel erg lange naam die niet past" if t % 4 == 0 else f"Onderwerp {t}"
        themes.append(describe_theme(f"k{t}", name, [], members))
    return themes, moments


def _check_layout(plan: ThemeMapPlan) -> None:
    canvas = (0, 0, plan.width, plan.height)
    boxes = plan.boxes()
    for name, box in boxes:
        assert inside(box, canvas), name
    for (a, ra), (b, rb) in combinations(boxes, 2):
        assert not overlaps(ra, rb), f"{a} overlaps {b}"
    for name, block, parts in plan.parts():
        for part in parts:
            assert inside(part, block), f"a part of {name} sticks out of it"
        for pa, pb in combinations(parts, 2):
            assert not overlaps(pa, pb), f"two parts of {name} overlap"
    for b in plan.branches:
        for t in b.texts:
            fnt = font(t.font_px, t.weight)  # type: ignore[arg-type]
            assert all(fnt.getlength(line) <= t.rect[2] + 1 for line in t.lines), f"text too wide in {b.key}"


@pytest.mark.parametrize("count", [3, 12])
@pytest.mark.parametrize("size", ["1920x1080", "3840x2160", "A3", "A2", "480x270"])
def test_nothing_overlaps(count: int, size: str) -> None:
    themes, moments = _themes(count)
    plan = build_theme_map_plan(themes, moments, PROJECT, ThemeMapOptions.from_dict({"size": size}))
    assert len(plan.branches) == count
    _check_layout(plan)


@pytest.mark.parametrize("count", [1, 2, 4, 5, 6, 7, 8, 9, 10, 11])
def test_nothing_overlaps_for_any_count(count: int) -> None:
    themes, moments = _themes(count)
    _check_layout(build_theme_map_plan(themes, moments, PROJECT, ThemeMapOptions(width=1920, height=1080)))
    _check_layout(build_theme_map_plan(themes, moments, PROJECT, ThemeMapOptions.from_dict(
        {"size": "A3", "landscape": False})))


def test_branches_grow_with_moments_and_take_their_mood_colour() -> None:
    themes, moments = _themes(8)
    plan = build_theme_map_plan(themes, moments, PROJECT, ThemeMapOptions(width=1920, height=1080))
    by_count = sorted(plan.branches, key=lambda b: len(b.moment_ids))
    assert by_count[0].line_px < by_count[-1].line_px
    assert by_count[0].card[2] < by_count[-1].card[2]
    for branch, theme in zip(plan.branches, themes, strict=True):
        assert branch.colour == mood_colour(theme.mean_mood)
        assert 1 <= len(branch.photos) <= 3 and len(branch.photos) == min(3, len(theme.moment_ids))
    assert mood_colour(1) != mood_colour(5) and mood_colour(None) == (140, 140, 146)


def test_quotes_are_short_captions_of_the_theme() -> None:
    moments = day_of(DUTCH)
    themes = extract_themes(moments, "nl").themes
    plan = build_theme_map_plan(themes, moments, PROJECT, ThemeMapOptions(width=1920, height=1080))
    wachtrij = next(b for b in plan.branches if b.name == "Wachtrij")
    quotes = [" ".join(t.lines) for t in wachtrij.texts if t.weight == "italic"]
    assert quotes == ["“De wachtrij staat tot buiten”", "“Lange wachtrij bij de kassa”"]  # the lowest moods first


def test_plan_round_trips_through_json_data() -> None:
    themes, moments = _themes(5)
    plan = build_theme_map_plan(themes, moments, PROJECT, ThemeMapOptions(width=1280, height=720))
    assert ThemeMapPlan.from_dict(plan.to_dict()) == plan


@pytest.mark.parametrize("fmt", ["png", "jpg", "svg", "pdf"])
def test_renders_every_format(fmt: str, tmp_path: Path) -> None:
    themes, moments = _themes(4)
    for m in moments:
        Image.new("RGB", (m.width, m.height), (30, 140, 200)).save(tmp_path / m.key)
    plan = build_theme_map_plan(themes, moments, PROJECT, ThemeMapOptions(width=480, height=270, format=fmt))
    out = render_theme_map(plan, tmp_path / f"map.{fmt}", resolve=lambda key: tmp_path / key)
    data = out.read_bytes()
    if fmt == "svg":
        text = data.decode()
        assert text.startswith("<svg") and "font-family:'Lato'" in text and "data:image/jpeg;base64," in text
        assert "Onderwerp 1" in text
    elif fmt == "pdf":
        assert data.startswith(b"%PDF")
    else:
        with Image.open(out) as img:
            assert img.size == (480, 270)
            x, y, w, h = plan.branches[0].photos[0].rect
            assert img.convert("RGB").getpixel((x + w // 2, y + h // 2))[2] > 150  # the photo is there


def test_no_theme_no_map() -> None:
    from media_pipeline.collage.options import PlanError

    with pytest.raises(PlanError):
        build_theme_map_plan([], [], PROJECT, ThemeMapOptions())
