"""Security headers on every response: a strict Content-Security-Policy, no framing, no sniffing, no referrer leaks.

Pages load scripts only from /static (JSON config sits in non-executed `<script type="application/json">`
blocks); `style-src` allows inline style attributes, which templates use for computed bar widths and the
brand colour. No page is meant to be framed, the presentation included (it is opened full-screen on a
projector, and its link is a token): framing is refused everywhere, which also stops clickjacking.
Tokens live in invite, private and present URLs, so a page never sends its URL to another site.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class SecurityHeaders:
    """Adds HEADERS to every HTTP response, keeping any a route set itself (e.g. Referrer-Policy: no-referrer).

    Plain ASGI, so streamed responses (films, the live wall's events) pass through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
