"""The few words a collage prints, in English and Dutch (no system locale needed); month, weekday and role
names and the word for a contributor come from media_pipeline.words."""

from __future__ import annotations

from media_pipeline.words import contributor_word, written_date

_WORDS = {
    "en": {
        "contributor": contributor_word("en"),
        "contributors": contributor_word("en", plural=True),
        "moment": "moment",
        "moments": "moments",
        "highest": "highest",
        "lowest": "lowest",
        "mood": "mood",
        "without_role": "without a role not shown",
        "more_one": "more moment",
        "more_many": "more moments",
    },
    "nl": {
        "contributor": contributor_word("nl"),
        "contributors": contributor_word("nl", plural=True),
        "moment": "moment",
        "moments": "momenten",
        "highest": "hoogste",
        "lowest": "laagste",
        "mood": "stemming",
        "without_role": "zonder rol niet getoond",
        "more_one": "moment meer",
        "more_many": "momenten meer",
    },
}


def word(name: str, language: str) -> str:
    return _WORDS.get(language, _WORDS["en"])[name]


def date_text(iso_date: str, language: str) -> str:
    """'Saturday 12 July 2025' / 'zaterdag 12 juli 2025'; the input as given when it is not a date."""
    return written_date(iso_date, language, weekday=True)


def people_text(contributors: int, moments: int, language: str) -> str:
    """'14 contributors' when contributors are known, else '40 moments'."""
    if contributors <= 0:
        return f"{moments} {word('moments', language)}"
    noun = word("contributor" if contributors == 1 else "contributors", language)
    return f"{contributors} {noun}"


def left_out_text(count: int, language: str) -> str:
    """'3 moments without a role not shown' / '1 moment zonder rol niet getoond'; '' for none."""
    if count <= 0:
        return ""
    return f"{count} {word('moment' if count == 1 else 'moments', language)} {word('without_role', language)}"


def count_text(count: int, language: str) -> str:
    """4213 -> '4,213' (en) or '4.213' (nl)."""
    text = f"{count:,}"
    return text.replace(",", ".") if language == "nl" else text


def more_text(count: int, language: str) -> str:
    """'+ 4,213 more moments' / '+ 4.213 momenten meer': the moments a full collage could not show."""
    return f"+ {count_text(count, language)} {word('more_one' if count == 1 else 'more_many', language)}"
