"""Staff own the themes: their edits survive extraction run again on new moments."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.context import Context
from app.db import session_scope
from app.models import Project
from app.services import themes
from app.services.errors import Invalid
from tests import factories
from tests.pipeline.themes_data import DUTCH
from tests.services.theme_day import add_moments


def _view(ctx: Context, project: factories.ProjectRef) -> themes.ThemesView:
    with session_scope(ctx.sessions) as session:
        view = themes.themes_view(session=session, project=session.get(Project, project.id))  # type: ignore[arg-type]
        session.expunge_all()
        return view


def _do(ctx: Context, project: factories.ProjectRef, fn, **kwargs):  # type: ignore[no-untyped-def]
    with session_scope(ctx.sessions) as session:
        return fn(session=session, project=session.get(Project, project.id), **kwargs)


def _names(view: themes.ThemesView) -> dict[str, list[int]]:
    return {t.name: [m.id for m in t.moments] for t in view.themes}


@pytest.fixture
def day(ctx: Context, project: factories.ProjectRef, tmp_path: Path) -> list[int]:
    """The Dutch day of known themes, extracted once."""
    ids = add_moments(ctx, project, DUTCH, tmp_path / "day", language="nl")
    assert _do(ctx, project, themes.run_extraction) == {"created": 5, "suggested": 0}
    return ids


def test_first_extraction_fills_the_themes(ctx: Context, project: factories.ProjectRef, day: list[int]) -> None:
    found = _names(_view(ctx, project))
    assert found["Wachtrij"] == day[0:3]
    assert found["Koffie"] == day[3:6]
    assert found["#service"] == day[11:13]
    theme = next(t for t in _view(ctx, project).themes if t.name == "Wachtrij")
    assert theme.figures.mean_mood == round(5 / 3, 2) and theme.figures.customers == 3


def test_staff_edits_survive_extraction_on_new_moments(ctx: Context, project: factories.ProjectRef, day: list[int],
                                                       tmp_path: Path) -> None:
    view = _view(ctx, project)
    ids = {t.name: t.id for t in view.themes}
    _do(ctx, project, themes.rename_theme, theme_id=ids["Wachtrij"], name="Wachten")
    _do(ctx, project, themes.merge_themes, theme_id=ids["Lunch"], into_id=ids["Koffie"])
    _do(ctx, project, themes.remove_theme, theme_id=ids["Parkeerplaats"])
    _do(ctx, project, themes.move_moment, moment_id=day[0], theme_id=ids["#service"])
    _do(ctx, project, themes.split_theme, theme_id=ids["Koffie"], moment_ids=[day[8], day[9]], name="Pauze")
    _do(ctx, project, themes.add_theme, name="Spelen", moment_ids=[day[13]])
    before = _names(_view(ctx, project))
    assert before == {
        "Wachten": day[1:3], "Koffie": day[3:6], "#service": [day[0], day[11], day[12]],
        "Pauze": day[8:10], "Spelen": [day[13]],
    }

    new = add_moments(ctx, project, [("18:00", "Weer een lange wachtrij", 1, "customer"),
                                     ("18:30", "Nog meer koffie", 4, "employee"),
                                     ("19:00", "Parkeerplaats vol", 2, "customer")],
                      tmp_path / "new", start=100)
    assert _do(ctx, project, themes.run_extraction) == {"created": 0, "suggested": 2}
    after = _view(ctx, project)
    assert _names(after) == before  # nothing staff decided moved; the removed theme did not come back
    suggested = {t.name: [m.id for m in t.suggested] for t in after.themes if t.suggested}
    assert suggested == {"Wachten": [new[0]], "Koffie": [new[1]]}
    assert new[2] in [m.id for m in after.unthemed]

    assert _do(ctx, project, themes.accept_suggestions) == 2
    assert _do(ctx, project, themes.run_extraction) == {"created": 0, "suggested": 0}  # idempotent
    final = _names(_view(ctx, project))
    assert final["Wachten"] == [*day[1:3], new[0]] and final["Koffie"] == [*day[3:6], new[1]]


def test_a_renamed_theme_matches_new_moments_by_its_new_name(ctx: Context, project: factories.ProjectRef,
                                                             day: list[int], tmp_path: Path) -> None:
    ids = {t.name: t.id for t in _view(ctx, project).themes}
    _do(ctx, project, themes.rename_theme, theme_id=ids["Lunch"], name="Pauze")
    new = add_moments(ctx, project, [("15:00", "Korte pauze buiten", 4, "employee")], tmp_path / "n", start=50)
    _do(ctx, project, themes.run_extraction)
    pauze = next(t for t in _view(ctx, project).themes if t.name == "Pauze")
    assert [m.id for m in pauze.suggested] == new


def test_a_moment_staff_took_out_is_never_suggested_again(ctx: Context, project: factories.ProjectRef,
                                                          day: list[int]) -> None:
    _do(ctx, project, themes.move_moment, moment_id=day[0], theme_id=None)
    _do(ctx, project, themes.run_extraction)
    view = _view(ctx, project)
    assert all(day[0] not in [m.id for m in t.moments + t.suggested] for t in view.themes)


def test_bad_edits_are_refused(ctx: Context, project: factories.ProjectRef, day: list[int]) -> None:
    ids = {t.name: t.id for t in _view(ctx, project).themes}
    with pytest.raises(Invalid):
        _do(ctx, project, themes.rename_theme, theme_id=ids["Koffie"], name="   ")
    with pytest.raises(Invalid):
        _do(ctx, project, themes.merge_themes, theme_id=ids["Koffie"], into_id=ids["Koffie"])
    with pytest.raises(Invalid):
        _do(ctx, project, themes.split_theme, theme_id=ids["Lunch"], moment_ids=day[8:10], name="Alles")


def test_consent_scope_narrows_what_is_shown(ctx: Context, project: factories.ProjectRef, tmp_path: Path) -> None:
    add_moments(ctx, project, DUTCH[:3], tmp_path / "w", scope="workshop", language="nl")
    public = add_moments(ctx, project, DUTCH[3:6], tmp_path / "p", scope="public", start=10)
    _do(ctx, project, themes.run_extraction)
    with session_scope(ctx.sessions) as session:
        view = themes.themes_view(session=session, project=session.get(Project, project.id),  # type: ignore[arg-type]
                                  scope="organisation")
        assert {t.name: [m.id for m in t.moments] for t in view.themes if t.moments} == {"Koffie": public}


def test_film_chapters_by_the_staffs_themes(ctx: Context, project: factories.ProjectRef, day: list[int]) -> None:
    from app.services import builder

    ids = {t.name: t.id for t in _view(ctx, project).themes}
    _do(ctx, project, themes.rename_theme, theme_id=ids["Wachtrij"], name="Wachten")
    preview = _do(ctx, project, builder.film_plan_preview, options={"chapters": "themes", "size": "320x180"})
    titles = [c["title"] for c in preview["chapters"]]
    assert titles[1:-1] == ["Koffie", "Wachten", "Lunch", "Parkeerplaats", "#service", "Overige momenten"]
