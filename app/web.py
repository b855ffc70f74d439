"""Jinja2 templates with translations; pages get plain values, never sessions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import jinja2
from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import HTMLResponse

from app import i18n
from app.i18n import pick_language, translate, translate_plural

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

# The template being rendered now, or None: a database query while it is set came from a template touching an
# ORM row (a lazy relationship, an expired column), which page tests refuse (tests/template_guard.py).
RENDERING: ContextVar[str | None] = ContextVar("rendering_template", default=None)


@contextmanager
def rendering(name: str) -> Iterator[None]:
    """Mark the time `name` is being rendered (a context variable: threads and tasks each see their own)."""
    token = RENDERING.set(name)
    try:
        yield
    finally:
        RENDERING.reset(token)


def _in_page_language(write: Callable[..., str]) -> Callable[..., str]:
    """A filter that writes its value the way the page's language does (the page's `lang`)."""

    @jinja2.pass_context
    def locale_filter(context: jinja2.runtime.Context, value: Any, *args: Any) -> str:
        return "" if value is None else write(value, context.get("lang", "en"), *args)

    return locale_filter


# {{ project.day|date }} → '5 Dec 2026' / '5 dec 2026'; |date('long'); |time → '13:05'; |datetime; |number
LOCALE_FILTERS = {"date": _in_page_language(i18n.day), "time": _in_page_language(i18n.clock),
                  "datetime": _in_page_language(i18n.moment), "number": _in_page_language(i18n.number)}


def make_templates() -> Jinja2Templates:
    # Starlette 1.x takes a ready Environment; extra keyword arguments raise
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(LOCALE_FILTERS)
    return Jinja2Templates(env=env)


templates = make_templates()


def page(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200, default_lang: str = "en"
) -> HTMLResponse:
    """Render a template with `lang`, `_` (translate) and `_n` (plural forms) set from the request."""
    lang = context.get("lang") or pick_language(request, default_lang)

    def _(key: str, **values: object) -> str:
        return translate(key, lang, **values)

    def _n(key: str, n: int, **values: object) -> str:
        return translate_plural(key, n, lang, **values)

    with rendering(name):  # Starlette renders the template here, when the response is made
        response = templates.TemplateResponse(
            request, name, {"lang": lang, "_": _, "_n": _n, **context}, status_code=status_code
        )
    if request.query_params.get("lang") in ("en", "nl"):
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax")
    return response
