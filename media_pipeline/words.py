"""The words films, collages, the themes map, the report and the pages share, in English and Dutch: month and
weekday names, and the names of the two contributor roles. This is the only table of them; the app reads it
too (app/i18n.py writes page dates with it and gives the catalogues their role entries), so a film card, a
collage label and a page never call the same person two different things."""

from __future__ import annotations

from datetime import date
from typing import Literal

RoleName = Literal["customer", "employee"]

LANGUAGES = ("en", "nl")
ROLES: tuple[RoleName, RoleName] = ("customer", "employee")  # the codes stored on a moment, in the lanes' order

MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"),
}
# the abbreviations CLDR gives en_GB and nl_NL ("Sept", "mrt"), so page dates read as they did with Babel
MONTHS_SHORT = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec"),
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
}
WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
}
# role code -> (one, many)
ROLE_WORDS = {
    "en": {"customer": ("customer", "customers"), "employee": ("employee", "employees")},
    "nl": {"customer": ("klant", "klanten"), "employee": ("medewerker", "medewerkers")},
}

# what the pages call someone who shared moments: "deelnemer", never "bijdrager" on one and the other elsewhere
CONTRIBUTOR_WORDS = {"en": ("contributor", "contributors"), "nl": ("deelnemer", "deelnemers")}

DateForm = Literal["medium", "long"]


def language_of(language: str) -> str:
    """The language itself when the table has it, else English."""
    return language if language in LANGUAGES else "en"


def role_word(role: str, language: str, *, plural: bool = False) -> str:
    """'employee' / 'medewerkers' (lower case, as inside a sentence); '' for a moment without a known role."""
    forms = ROLE_WORDS[language_of(language)].get(role)
    return "" if forms is None else forms[plural]


def role_label(role: str, language: str, *, plural: bool = False) -> str:
    """'Employee' / 'Medewerkers': the word as a heading or a label starts."""
    word = role_word(role, language, plural=plural)
    return word[:1].upper() + word[1:]


def contributor_word(language: str, *, plural: bool = False) -> str:
    return CONTRIBUTOR_WORDS[language_of(language)][plural]


def contributor_count(count: int, language: str) -> str:
    """'1 contributor' / '3 deelnemers'."""
    return f"{count} {contributor_word(language, plural=count != 1)}"


def role_count(count: int, role: str, language: str) -> str:
    """'1 customer' / '3 medewerkers'."""
    return f"{count} {role_word(role, language, plural=count != 1)}"


def day_text(day: date, language: str, form: DateForm = "long") -> str:
    """'24 July 2024' / '24 juli 2024'; the 'medium' form abbreviates the month: '24 Jul 2024'."""
    months = (MONTHS if form == "long" else MONTHS_SHORT)[language_of(language)]
    return f"{day.day} {months[day.month - 1]} {day.year}"


def weekday_day_text(day: date, language: str) -> str:
    """'Saturday 12 July 2025' / 'zaterdag 12 juli 2025'."""
    return f"{WEEKDAYS[language_of(language)][day.weekday()]} {day_text(day, language)}"


def written_date(iso_date: str, language: str, *, weekday: bool = False) -> str:
    """'2024-07-24' as '24 July 2024', or with `weekday` 'Wednesday 24 July 2024'; text that is not a date (a
    plan may carry anything) is returned as given."""
    try:
        day = date.fromisoformat(iso_date)
    except ValueError:
        return iso_date
    return weekday_day_text(day, language) if weekday else day_text(day, language)


def words_of_role(role: str) -> set[str]:
    """Every form of the role's name in every language: {'customer', 'customers', 'klant', 'klanten'}."""
    return {form for table in ROLE_WORDS.values() for form in table[role]}
