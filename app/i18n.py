"""English and Dutch UI text from gettext catalogues (app/locales/<lang>/LC_MESSAGES/messages.po; the msgid is a
key such as "staff.moment_count"), plural forms, and dates, times and numbers written the locale's way.

The .po files are the source of truth and are read when first needed (no compiled .mo to go stale). Role and month
names are not in them: they come from media_pipeline.words, the one table films, collages and pages share
(`catalogue` adds the role entries, `day` writes dates with its months)."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path

from babel.dates import format_time, get_datetime_format
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from starlette.requests import Request

from media_pipeline.words import ROLES, DateForm, day_text, role_label, role_word

LANGUAGES = ("en", "nl")
LOCALES_DIR = Path(__file__).resolve().parent / "locales"
# the locale dates and numbers are written in: British English keeps the 24-hour clock and day-month order
FORMAT_LOCALES = {"en": "en_GB", "nl": "nl_NL"}


def catalogue_path(lang: str, locales_dir: Path = LOCALES_DIR) -> Path:
    return locales_dir / lang / "LC_MESSAGES" / "messages.po"


def shared_words(lang: str) -> dict[str, str | tuple[str, str]]:
    """The pages' entries for the role names, from media_pipeline.words: 'role.employee' → 'employee',
    'coverage.employees' → 'Employees', 'count.employees' → ('{n} employee', '{n} employees')."""
    entries: dict[str, str | tuple[str, str]] = {}
    for role in ROLES:
        entries[f"role.{role}"] = role_word(role, lang)
        entries[f"coverage.{role}s"] = role_label(role, lang, plural=True)
        entries[f"count.{role}s"] = (f"{{n}} {role_word(role, lang)}", f"{{n}} {role_word(role, lang, plural=True)}")
    return entries


def catalogue(lang: str) -> Catalog:
    """The language's .po file with the shared words added; a .po entry under one of their keys is an error, so a
    second copy of a role name cannot creep back into the catalogues."""
    with catalogue_path(lang).open("rb") as f:
        found = read_po(f, locale=lang, domain="messages")
    for key, text in shared_words(lang).items():
        if key in found:
            raise ValueError(f"{catalogue_path(lang)}: {key} comes from media_pipeline.words, not the catalogue")
        found.add((key, key) if isinstance(text, tuple) else key, text)
    return found


@lru_cache
def translations(lang: str) -> Translations:
    """The language's catalogue; Dutch falls back to English for a text not translated yet, English to the key."""
    mo = io.BytesIO()
    write_mo(mo, catalogue(lang))
    mo.seek(0)
    found = Translations(mo, domain="messages")
    if lang != "en":
        found.add_fallback(translations("en"))
    return found


def _lang(lang: str) -> str:
    return lang if lang in LANGUAGES else "en"


def translate(key: str, lang: str, **values: object) -> str:
    text = translations(_lang(lang)).gettext(key)
    count = values.get("n")
    if text == key and isinstance(count, int):  # a plural entry read as _('key', n=…) (a template from before _n)
        return translate_plural(key, count, lang, **values)
    return text.format(**values) if values else text


def translate_plural(key: str, n: int, lang: str, **values: object) -> str:
    """The form for `n` ("1 moment" / "7 moments"); {n} in the text is the count written the locale's way."""
    text = translations(_lang(lang)).ngettext(key, key, n)
    return text.format(**{"n": number(n, lang), **values})


def number(value: float, lang: str) -> str:
    """1234 → '1,234' / '1.234'."""
    return format_decimal(value, locale=FORMAT_LOCALES[_lang(lang)])


def day(value: date, lang: str, form: DateForm = "medium") -> str:
    """A date: 'medium' → '5 Dec 2026' / '5 dec 2026'; 'long' → '5 December 2026' / '5 december 2026'; the
    month names are media_pipeline.words', the ones on film cards and collages."""
    return day_text(value, _lang(lang), form)


def clock(value: time | datetime, lang: str) -> str:
    """A time of day, '13:05' (both languages use the 24-hour clock)."""
    return format_time(value, "short", locale=FORMAT_LOCALES[_lang(lang)])


def moment(value: datetime, lang: str) -> str:
    """A date with its time: '5 Dec 2026, 13:05' / '5 dec 2026, 13:05'."""
    # "{1}, {0}": date, then time; a str at run time, though Babel annotates it as DateTimePattern
    glue = str(get_datetime_format("medium", locale=FORMAT_LOCALES[_lang(lang)]))
    return glue.replace("{1}", day(value, lang)).replace("{0}", clock(value, lang))


def pick_language(request: Request, default: str = "en") -> str:
    """?lang= wins, then the lang cookie, then Accept-Language, then the project's language."""
    asked = request.query_params.get("lang") or request.cookies.get("lang")
    if asked in LANGUAGES:
        return asked
    header = request.headers.get("accept-language", "")
    ranked: list[tuple[float, str]] = []
    for part in header.split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        ranked.append((weight, tag.split("-")[0].lower()))
    for _, tag in sorted(ranked, key=lambda x: -x[0]):
        if tag in LANGUAGES:
            return tag
    return default if default in LANGUAGES else "en"
