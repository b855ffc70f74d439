"""English and Dutch UI text. Each audience keeps its messages in app/locales/<area>.py."""

from __future__ import annotations

from functools import lru_cache
from importlib import import_module

from starlette.requests import Request

LANGUAGES = ("en", "nl")
AREAS = ("common", "contribute", "staff", "present")


@lru_cache
def messages() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for area in AREAS:
        try:
            module = import_module(f"app.locales.{area}")
        except ModuleNotFoundError:
            continue
        merged.update(module.MESSAGES)
    return merged


def translate(key: str, lang: str, **values: object) -> str:
    entry = messages().get(key)
    text = (entry.get(lang) or entry.get("en") or key) if entry else key
    return text.format(**values) if values else text


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
