"""The words on the film's cards, in English and Dutch; dates, role and contributor words come from
media_pipeline.words."""

from __future__ import annotations

from media_pipeline.words import ROLES, contributor_count, language_of, role_label, role_word


def thanks(language: str) -> str:
    return "Dank je wel" if language_of(language) == "nl" else "Thank you"


def counts_line(moments: int, contributors: int, language: str) -> str:
    if language_of(language) == "nl":
        what = "moment" if moments == 1 else "momenten"
        return f"{moments} {what} van {contributor_count(contributors, language)}"
    what = "moment" if moments == 1 else "moments"
    return f"{moments} {what} from {contributor_count(contributors, language)}"


def lane_label(role: str, language: str) -> str:
    """'Customer' / 'Klant': the label at the top of a lane."""
    return role_label(role, language)


def lanes_line(language: str) -> str:
    """What the opening card of a lanes film adds: that it sets the two roles side by side."""
    customers, employees = (role_word(role, language, plural=True) for role in ROLES)
    if language_of(language) == "nl":
        return f"{customers} en {employees} naast elkaar"
    return f"{customers} and {employees} side by side"

