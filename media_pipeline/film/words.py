"""The words on the film's cards, in English and Dutch."""

from __future__ import annotations

from datetime import date

MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"],
}
ROLES = {
    "en": {"customer": "customer", "employee": "staff"},
    "nl": {"customer": "klant", "employee": "medewerker"},
}

LANE_LABELS = {
    "en": {"customer": "Customer", "employee": "Employee"},
    "nl": {"customer": "Klant", "employee": "Medewerker"},
}
LANES_LINE = {"en": "customers and staff side by side", "nl": "klanten en medewerkers naast elkaar"}


def _lang(language: str) -> str:
    return language if language in MONTHS else "en"


def long_date(iso_date: str, language: str) -> str:
    """'2024-07-24' as '24 July 2024' / '24 juli 2024'; text that is not a date is returned as given."""
    try:
        day = date.fromisoformat(iso_date)
    except ValueError:
        return iso_date
    return f"{day.day} {MONTHS[_lang(language)][day.month - 1]} {day.year}"


def contributors_line(count: int, language: str) -> str:
    if _lang(language) == "nl":
        return f"{count} {'bijdrager' if count == 1 else 'bijdragers'}"
    return f"{count} {'contributor' if count == 1 else 'contributors'}"


def thanks(language: str) -> str:
    return "Dank je wel" if _lang(language) == "nl" else "Thank you"


def counts_line(moments: int, contributors: int, language: str) -> str:
    if _lang(language) == "nl":
        what = "moment" if moments == 1 else "momenten"
        return f"{moments} {what} van {contributors_line(contributors, language)}"
    what = "moment" if moments == 1 else "moments"
    return f"{moments} {what} from {contributors_line(contributors, language)}"


def role_word(role: str, language: str) -> str:
    return ROLES[_lang(language)].get(role, "")


def lane_label(role: str, language: str) -> str:
    """'Customer' / 'Klant': the label at the top of a lane."""
    return LANE_LABELS[_lang(language)][role]


def lanes_line(language: str) -> str:
    """What the opening card of a lanes film adds: that it sets the two roles side by side."""
    return LANES_LINE[_lang(language)]
