"""Jinja2 templates with translations; pages get plain values, never sessions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.i18n import pick_language, translate

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


def make_templates() -> Jinja2Templates:
    # Starlette 1.x takes a ready Environment; extra keyword arguments raise
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return Jinja2Templates(env=env)


templates = make_templates()


def page(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200, default_lang: str = "en"
) -> HTMLResponse:
    """Render a template with `lang` and `_` (translate) set from the request."""
    lang = context.get("lang") or pick_language(request, default_lang)

    def _(key: str, **values: object) -> str:
        return translate(key, lang, **values)

    response = templates.TemplateResponse(
        request, name, {"lang": lang, "_": _, **context}, status_code=status_code
    )
    if request.query_params.get("lang") in ("en", "nl"):
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax")
    return response
