"""Every interface text exists in English and Dutch: each key the code and templates use is in both gettext
catalogues, with a non-empty translation (every plural form), the same placeholders, and real plural forms
instead of "periode(s)"."""

from __future__ import annotations

import ast
import re
import string
import typing
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir

from app import i18n
from app.i18n import LANGUAGES
from app.routes.staff_account import _ERROR_KEYS
from app.services.contribute_view import MOODS
from app.services.curation import STATUSES
from app.services.ingest import SCOPES
from app.services.moment_time import TRANSLATION_KEY
from app.upload_errors import SERVER_ERRORS
from media_pipeline.collage.options import LAYOUTS
from media_pipeline.film.options import Chapters, Ordering, Quality
from media_pipeline.film.plan import Cut

ROOT = Path(__file__).resolve().parent.parent
TEXT_CALLS = {"_": None, "_n": None, "translate": None, "translate_plural": None}
PLURAL_CALLS = {"_n": None, "translate_plural": None}
METHODS = [("templates/**.html", "jinja2.ext:babel_extract"), ("app/**.py", "python")]
KEY = re.compile(r"^[a-z][a-z_]*\.[a-z0-9_.-]+$")
FILE_NAME = re.compile(r"\.(png|jpe?g|pdf|svg|json|mp4|txt|html)$")  # "report.pdf" is a file, not a key


CATALOGUES: dict[str, Catalog] = {lang: i18n.catalogue(lang) for lang in LANGUAGES}  # with media_pipeline.words


def _messages(lang: str) -> dict[str, Message]:
    return {m.id if isinstance(m.id, str) else m.id[0]: m for m in CATALOGUES[lang] if m.id}


def _forms(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _extracted(keywords: dict[str, None]) -> set[str]:
    found = set()
    for folder in ("templates", "app"):
        for _file, _line, msgid, _comments, _context in extract_from_dir(
                ROOT / folder, [(p.split("/", 1)[1], m) for p, m in METHODS if p.startswith(folder)],
                keywords=keywords, comment_tags=()):
            found.add(msgid if isinstance(msgid, str) else msgid[0])
    return found


def _key_constants() -> set[str]:
    """Plain string constants in routes and services that look like a catalogue key ("login.too_many", kept for a
    template to show); models are left out: their "users.id" is a column."""
    prefixes = {key.split(".", 1)[0] for key in _messages("en")}
    found = set()
    for path in [*(ROOT / "app" / "routes").rglob("*.py"), *(ROOT / "app" / "services").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_fstrings = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in in_fstrings
                    and KEY.match(node.value) and not FILE_NAME.search(node.value)
                    and node.value.split(".", 1)[0] in prefixes):
                found.add(node.value)
    return found


def _dynamic_keys() -> set[str]:
    """Keys templates build from a value ({{ _('status.' ~ m.status) }}), for every value the product has."""
    values: dict[str, typing.Iterable[str]] = {
        "status.": STATUSES, "render.": ("queued", "running", "done", "failed", "cancelled"),
        "kind.": ("photo", "clip"), "role.": ("customer", "employee"), "coverage.": ("customers", "employees"),
        "layout.": (*LAYOUTS, "film"), "scope.": SCOPES, "mood.": map(str, MOODS),
        "cut.": typing.get_args(typing.get_type_hints(Cut)["action"]),
        "film.chapters.": typing.get_args(Chapters), "film.ordering.": typing.get_args(Ordering),
        "film.quality.": typing.get_args(Quality), "collage.size.": ("3840x2160", "1920x1080", "A3", "A2"),
        "watch.back_": ("film", "collage"), "invalid.": ("invite", "private"),
        "source.": ("exif", "quicktime", "container-utc", "filename", "client", "upload", "corrected"),
        "cut.reason.": ("longest_clip", "budget", "no_role"),
    }
    keys = {prefix + value for prefix, names in values.items() for value in names}
    keys |= {f"layout.{layout}.hint" for layout in LAYOUTS}
    return keys


def test_the_text_dicts_have_been_moved_into_the_catalogues() -> None:
    left = [p.name for p in (ROOT / "app" / "locales").glob("*.py") if "MESSAGES" in p.read_text(encoding="utf-8")]
    assert not left, f"texts still in {left}: run `python -m app.i18n_import` to move them into the catalogues"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_has_a_translation_in_every_form(lang: str) -> None:
    other = "nl" if lang == "en" else "en"
    missing = sorted(set(_messages(other)) - set(_messages(lang)))
    empty = sorted(key for key, m in _messages(lang).items() if not all(_forms(m)) or m.fuzzy)
    assert not missing and not empty, f"{lang}: missing {missing}, empty or fuzzy {empty}"


def test_every_key_the_code_and_templates_use_is_in_both_catalogues() -> None:
    used = _extracted(TEXT_CALLS) | _key_constants() | _dynamic_keys()
    used |= {key for _, key in SERVER_ERRORS} | set(_ERROR_KEYS.values()) | {TRANSLATION_KEY}
    assert len(used) > 300  # the extraction found the templates' calls
    for lang in LANGUAGES:
        missing = sorted(used - set(_messages(lang)))
        assert not missing, f"not in the {lang} catalogue: {missing}"


def test_keys_read_with_a_count_have_plural_forms() -> None:
    plural = _extracted(PLURAL_CALLS)
    assert {"coverage.ask", "staff.moment_count"} <= plural
    for lang in LANGUAGES:
        messages = _messages(lang)
        singular = sorted(k for k in plural if not isinstance(messages[k].id, tuple))
        assert not singular, f"{lang}: _n() keys without msgid_plural: {singular}"
        assert all(len(_forms(messages[k])) == CATALOGUES[lang].num_plurals for k in plural)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_placeholders_match_between_languages() -> None:
    en, nl = _messages("en"), _messages("nl")
    for key in en.keys() & nl.keys():
        en_forms, nl_forms = _forms(en[key]), _forms(nl[key])
        assert len(en_forms) == len(nl_forms), key
        for a, b in zip(en_forms, nl_forms, strict=True):
            assert _placeholders(a) == _placeholders(b), f"{key}: {a!r} / {b!r}"
        # the plural form names everything any form names (the singular may leave the count out: "its only moment")
        assert set().union(*map(_placeholders, en_forms)) == _placeholders(en_forms[-1]), key


def test_no_text_writes_a_plural_in_brackets() -> None:
    bracketed = re.compile(r"\w\((s|es|en|n|'s)\)")
    for lang in LANGUAGES:
        found = [(k, f) for k, m in _messages(lang).items() for f in _forms(m) if bracketed.search(f)]
        assert not found, f"{lang}: use _n and a plural entry instead: {found}"


def test_plural_forms_pick_by_count_in_both_languages() -> None:
    assert i18n.translate_plural("coverage.ask", 1, "nl").startswith("1 periode zonder")
    assert i18n.translate_plural("coverage.ask", 7, "nl").startswith("7 periodes zonder")
    assert i18n.translate_plural("staff.moment_count", 1, "en") == "1 moment"
    assert i18n.translate_plural("staff.moment_count", 1234, "en") == "1,234 moments"
    assert i18n.translate_plural("staff.moment_count", 1234, "nl") == "1.234 momenten"
    assert i18n.translate("staff.moment_count", "nl", n=1) == "1 moment"  # _('key', n=…) still finds its form


def test_dates_and_times_are_written_the_locale_way() -> None:
    from datetime import date, datetime

    assert i18n.day(date(2024, 7, 24), "en", "long") == "24 July 2024"
    assert i18n.day(date(2024, 7, 24), "nl", "long") == "24 juli 2024"
    assert i18n.moment(datetime(2024, 7, 24, 16, 5), "nl") == "24 jul 2024, 16:05"
    assert i18n.clock(datetime(2024, 7, 24, 16, 5), "en") == "16:05"
