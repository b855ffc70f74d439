"""Month and role names live once, in media_pipeline/words.py: a film card, a collage, the themes map, the report
and the pages call the same person the same thing and write the same month, in English and Dutch; a second copy
of those words anywhere in the code, templates or catalogues fails here."""

from __future__ import annotations

import ast
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from babel.dates import format_date
from babel.messages.pofile import read_po

from app import i18n
from app.cli import ROLE_FOLDERS
from media_pipeline import words
from media_pipeline.collage.options import CollageOptions
from media_pipeline.collage.plan import build_collage_plan
from media_pipeline.collage.wording import date_text
from media_pipeline.collage.wording import word as collage_word
from media_pipeline.film import FilmOptions, build_film_plan
from media_pipeline.film.words import lane_label, lanes_line
from media_pipeline.themes.extract import Theme
from media_pipeline.themes.wording import figures_lines
from media_pipeline.types import Moment, ProjectInfo

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "nl")
# role codes stored on a moment and field names ("customers" counts); the words themselves are checked below
CODES = {"customer", "employee", "customers", "employees"}


def _forms() -> set[str]:
    """Every month, weekday and role name of the table, as written and capitalised."""
    found: set[str] = set()
    for table in (words.MONTHS, words.MONTHS_SHORT, words.WEEKDAYS):
        for names in table.values():
            found |= set(names)
    for role in words.ROLES:
        found |= words.words_of_role(role)
    return found | {f[:1].upper() + f[1:] for f in found} | {f.lower() for f in found}


FORMS = _forms()


def _photo(mid: str, minute: int, role: words.RoleName) -> Moment:
    return Moment(id=mid, key=f"{mid}.jpg", kind="photo", width=800, height=600,
                  local_time=datetime(2024, 7, 24, 9, minute), utc_offset_min=120, alias="Sem", role=role)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("role", words.ROLES)
def test_a_film_card_names_the_role_as_the_pages_do(lang: str, role: words.RoleName) -> None:
    project = ProjectInfo(title="A day", date="2024-07-24", language=lang)
    plan = build_film_plan([_photo("m1", 5, role)], project, FilmOptions(chapters="none"))
    (caption,) = [s.caption for s in plan.segments if s.caption is not None]
    assert caption.detail == i18n.translate(f"role.{role}", lang)
    assert lane_label(role, lang) == i18n.translate(f"role.{role}", lang).capitalize()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_film_word_calls_an_employee_staff(lang: str) -> None:
    line = lanes_line(lang)
    assert "staff" not in line
    assert all(i18n.translate(f"coverage.{r}s", lang).lower() in line for r in words.ROLES)
    assert lanes_line("en") == "customers and employees side by side"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_collage_lanes_themes_map_and_report_use_the_pages_role_words(lang: str) -> None:
    project = ProjectInfo(title="A day", date="2024-07-24", language=lang)
    moments = [_photo("c", 1, "customer"), _photo("e", 2, "employee")]
    plan = build_collage_plan(moments, project, CollageOptions.from_dict({"layout": "lanes", "size": "480x270"}))
    assert plan.lanes is not None
    assert [row.label for row in plan.lanes.rows] == [i18n.translate(f"coverage.{r}s", lang) for r in words.ROLES]
    theme = Theme(key="koffie", name="Koffie", moment_ids=("c", "e", "e2"), terms=("koffie",), mean_mood=None,
                  hours=(9,), first_time="09:01", last_time="09:02", customers=1, employees=2, others=0)
    assert figures_lines(theme, 3, lang)[1] == (f"09:01–09:02 · {i18n.translate_plural('count.customers', 1, lang)}"
                                                f" · {i18n.translate_plural('count.employees', 2, lang)}")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("month", range(1, 13))
def test_page_film_and_collage_dates_use_the_same_month_names_as_before(lang: str, month: int) -> None:
    day = date(2024, month, 24)
    locale = i18n.FORMAT_LOCALES[lang]
    # page dates read exactly as Babel wrote them before they came from the table
    assert i18n.day(day, lang) == format_date(day, "medium", locale=locale)
    assert i18n.day(day, lang, "long") == format_date(day, "long", locale=locale)
    assert words.written_date(day.isoformat(), lang) == i18n.day(day, lang, "long")
    assert date_text(day.isoformat(), lang).endswith(" " + i18n.day(day, lang, "long"))
    assert i18n.day(datetime(2024, month, 24, 23, 59), lang) == i18n.day(day, lang)


def test_role_folders_of_the_cli_are_the_tables_words() -> None:
    assert ROLE_FOLDERS == {"customer": "customer", "customers": "customer", "klant": "customer",
                            "klanten": "customer", "employee": "employee", "employees": "employee",
                            "medewerker": "employee", "medewerkers": "employee"}


def python_copies(source: str) -> list[str]:
    """String constants of the code that are a month, weekday or role name (role codes aside)."""
    return [f"{node.lineno} {node.value!r}" for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip() in FORMS - CODES]


def _visible_text(html: str) -> str:
    """A template's own text: Jinja expressions, statements, comments and HTML tags taken out."""
    return re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|<[^>]*>", " ", html, flags=re.S)


WORD = re.compile(r"\b(" + "|".join(sorted(map(re.escape, FORMS), key=len, reverse=True)) + r")\b", re.IGNORECASE)


def template_copies(html: str) -> list[str]:
    return [m.group(0) for m in WORD.finditer(_visible_text(html))]


def test_no_copy_of_the_words_in_code_templates_or_catalogues() -> None:
    copies = []
    for path in [*(ROOT / "app").rglob("*.py"), *(ROOT / "media_pipeline").rglob("*.py")]:
        if path != ROOT / "media_pipeline" / "words.py":
            copies += [f"{path.relative_to(ROOT)}:{c}" for c in python_copies(path.read_text(encoding="utf-8"))]
    for path in (ROOT / "templates").rglob("*.html"):
        copies += [f"{path.relative_to(ROOT)} {c!r}" for c in template_copies(path.read_text(encoding="utf-8"))]
    for path in (ROOT / "app" / "static").rglob("*.js"):
        literals = re.findall(r"\"([^\"\n]*)\"|'([^'\n]*)'", path.read_text(encoding="utf-8"))
        copies += [f"{path.relative_to(ROOT)} {text!r}" for pair in literals for text in pair
                   if text.strip() in FORMS - CODES]
    for lang in LANGUAGES:
        with i18n.catalogue_path(lang).open("rb") as f:
            po = read_po(f, locale=lang)
        for message in po:
            for text in message.string if isinstance(message.string, tuple) else (message.string,):
                if str(text).replace("{n}", "").strip().lower() in {f.lower() for f in FORMS}:
                    copies.append(f"{lang} catalogue {message.id!r}: {text!r}")
    assert not copies, f"use media_pipeline/words.py instead of: {copies}"


def test_the_scan_finds_a_copy() -> None:
    """The check above is not blind: the old tables it replaced, or a role word typed into a page, are caught."""
    old_film_words = 'MONTHS = {"nl": ["januari", "februari"]}\nROLES = {"nl": {"employee": "medewerker"}}'
    assert python_copies(old_film_words) == ["1 'januari'", "1 'februari'", "2 'medewerker'"]
    assert python_copies('LANE_LABELS = {"en": {"customer": "Customer"}}') == ["1 'Customer'"]
    assert python_copies('if m.role == "employee": counts["customers"] += 1') == []  # codes and fields
    assert template_copies("<p class=\"customer\">Klanten · {{ _('coverage.customers') }} · 3 May</p>") == [
        "Klanten", "May"]


def test_a_role_entry_in_a_catalogue_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    po = tmp_path / "en" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n\nmsgid "role.employee"\nmsgstr "staff"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "catalogue_path", lambda lang: po)
    with pytest.raises(ValueError, match=re.escape("role.employee comes from media_pipeline.words")):
        i18n.catalogue("en")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_film_cards_and_collages_call_a_contributor_what_the_pages_do(lang: str) -> None:
    page_word = i18n.translate("report.contributors", lang)  # the pages' word, as in "12 deelnemers"
    project = ProjectInfo(title="A day", date="2024-07-24", language=lang)
    plan = build_film_plan([_photo("m1", 5, "customer"), _photo("m2", 6, "employee")], project, FilmOptions())
    closing = [s.card for s in plan.segments if s.card is not None and s.card.style == "closing"]
    assert closing and closing[0].subtitle.endswith(f" {words.contributor_count(1, lang)}")  # both moments are Sem's
    assert words.contributor_count(2, lang) == f"2 {page_word}"
    assert collage_word("contributors", lang) == page_word
