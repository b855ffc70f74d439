"""The interactive API docs at /docs, under a Content-Security-Policy of their own.

Swagger UI comes from its CDN (as FastAPI serves it) and starts with one inline script; the strict
policy of every other page would block both, so this page allows exactly that CDN and that script,
by its hash, and nothing else. ReDoc is not offered: one docs page is enough."""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

CDN = "https://cdn.jsdelivr.net"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def script_hashes(html: str) -> list[str]:
    """CSP source expressions for each inline script of a page."""
    return [f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"
            for body in _INLINE_SCRIPT.findall(html)]


def docs_page(app: FastAPI) -> HTMLResponse:
    html = bytes(get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json",
                                     title=f"{app.title} API").body).decode()
    policy = "; ".join([
        "default-src 'self'",
        f"script-src 'self' {CDN} {' '.join(script_hashes(html))}",
        f"style-src 'self' {CDN}",
        "img-src 'self' data: https://fastapi.tiangolo.com",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ])
    return HTMLResponse(html, headers={"Content-Security-Policy": policy})


def add_docs(app: FastAPI) -> None:
    """Serve /docs (create the app with docs_url=None and redoc_url=None)."""

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return docs_page(app)
