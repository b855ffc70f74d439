"""CORS for the API only (tus uploads from pages on other origins), for the origins in DAYREEL_CORS_ORIGINS.

Staff and contributor pages never answer cross-origin requests; no credentials are allowed across origins.
"""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

EXPOSE = ["Location", "Upload-Offset", "Upload-Length", "Upload-Expires", "Upload-Metadata", "Tus-Resumable",
          "Tus-Version", "Tus-Max-Size", "Tus-Extension", "Tus-Checksum-Algorithm"]
ALLOW_HEADERS = ["Tus-Resumable", "Upload-Length", "Upload-Metadata", "Upload-Offset", "Upload-Checksum",
                 "Upload-Defer-Length", "Upload-Concat", "Content-Type", "X-Requested-With", "X-HTTP-Method-Override"]


class ApiCORS:
    """Starlette's CORS middleware, applied to /api/ paths only."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app, allow_origins=origins, allow_methods=["GET", "POST", "PATCH", "HEAD", "DELETE", "OPTIONS"],
            allow_headers=ALLOW_HEADERS, expose_headers=EXPOSE, allow_credentials=False, max_age=3600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
