"""The report's words in English and Dutch; the word for a contributor comes from media_pipeline.words."""

from __future__ import annotations

from collections.abc import Sequence

from media_pipeline.words import contributor_word

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "report": "Workshop report", "moments": "moments", "contributors": contributor_word("en", plural=True),
        "scope": "Made for: {scope}. Only approved moments whose contributors consented to this use appear.",
        "scope.workshop": "the workshop", "scope.organisation": "use within the organisation",
        "scope.public": "public use",
        "mood": "The day's mood", "mood_intro": "Mean mood per hour (1 low – 5 high) as contributors gave it.",
        "high": "High points", "low": "Low points", "mood_word": "mood", "no_mood": "No moods were given.",
        "themes": "Themes of the day", "theme_line": "{count} moments · mood {mood} · {span} · {roles}",
        "no_themes": "No themes were found.", "quotes": "In their words",
        "coverage": "Coverage", "span": "Moments from {first} to {last}.",
        "missing_hours": "Hours without any moment: {hours}.", "missing_none": "Every hour in between has moments.",
        "missing_customers": "Hours without a customer's moment: {hours}.",
        "missing_employees": "Hours without an employee's moment: {hours}.",
        "no_customers": "No customer contributed a moment.", "no_employees": "No employee contributed a moment.",
        "notes": "What the room said", "no_notes": "No notes were typed.", "other_notes": "Other notes",
        "actions": "Actions", "action": "Action", "owner": "Owner", "due": "Date", "no_actions": "No actions yet.",
        "and": "and", "page": "page",
    },
    "nl": {
        "report": "Workshopverslag", "moments": "momenten", "contributors": contributor_word("nl", plural=True),
        "scope": "Gemaakt voor: {scope}. Alleen goedgekeurde momenten waarvoor de deelnemers daarvoor toestemming "
                 "gaven staan erin.",
        "scope.workshop": "de workshop", "scope.organisation": "gebruik binnen de organisatie",
        "scope.public": "openbaar gebruik",
        "mood": "De stemming van de dag",
        "mood_intro": "Gemiddelde stemming per uur (1 laag – 5 hoog), zoals de deelnemers die gaven.",
        "high": "Hoogtepunten", "low": "Dieptepunten", "mood_word": "stemming",
        "no_mood": "Er is geen stemming opgegeven.",
        "themes": "Thema's van de dag", "theme_line": "{count} momenten · stemming {mood} · {span} · {roles}",
        "no_themes": "Er zijn geen thema's gevonden.", "quotes": "In hun woorden",
        "coverage": "Dekking", "span": "Momenten van {first} tot {last}.",
        "missing_hours": "Uren zonder enig moment: {hours}.", "missing_none": "Elk uur daartussen heeft momenten.",
        "missing_customers": "Uren zonder moment van een klant: {hours}.",
        "missing_employees": "Uren zonder moment van een medewerker: {hours}.",
        "no_customers": "Geen enkele klant deelde een moment.",
        "no_employees": "Geen enkele medewerker deelde een moment.",
        "notes": "Wat de zaal zei", "no_notes": "Er zijn geen notities getypt.", "other_notes": "Overige notities",
        "actions": "Acties", "action": "Actie", "owner": "Eigenaar", "due": "Datum", "no_actions": "Nog geen acties.",
        "and": "en", "page": "pagina",
    },
}


def rw(name: str, language: str, **values: object) -> str:
    text = _WORDS.get(language, _WORDS["en"])[name]
    return text.format(**values) if values else text


def hours_text(ranges: Sequence[tuple[int, int]], language: str) -> str:
    """'07:00–09:00, 12:00–13:00 and 20:00–21:00'."""
    parts = [f"{a:02d}:00–{b:02d}:00" for a, b in ranges]
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {rw('and', language)} {parts[-1]}"


def mood_text(mood: float | None, language: str) -> str:
    if mood is None:
        return "–"
    text = f"{mood:.1f}"
    return text.replace(".", ",") if language == "nl" else text
