"""The FastAPI application: create_app(settings) wires context, middleware, errors and routes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from app import jobs
from app.api_docs import add_docs
from app.client_address import parse_networks
from app.config import Settings, get_settings
from app.context import Context, build_context
from app.cookies import SESSION_COOKIE
from app.cors import ApiCORS
from app.csrf import csrf_guard
from app.error_models import safe_errors, use_error_bodies
from app.housekeeping import sweep_own_uploads
from app.routers import include_routes
from app.security_headers import SecurityHeaders
from app.services.errors import ServiceError
from app.services.signin_limit import build_limiter
from app.staff_pages import error_page, wants_page
from app.storage import sweep_staging

log = logging.getLogger("dayreel")
STATIC_DIR = Path(__file__).resolve().parent / "static"
FORM_OVERHEAD_BYTES = 1024 * 1024


class UploadSizeLimit:
    """Answers 413 before reading a body whose declared length is over the upload limit."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("POST", "PUT", "PATCH"):
            length = dict(scope["headers"]).get(b"content-length")
            if length and length.isdigit() and int(length) > self.max_bytes + FORM_OVERHEAD_BYTES:
                mb = self.max_bytes // (1024 * 1024)
                response = JSONResponse({"detail": f"this file is larger than the limit of {mb} MB"}, status_code=413)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _readable_validation(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "form"))
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg", "invalid")))
    return "; ".join(parts) or "the request is not valid"


def create_app(settings: Settings | None = None, *, ctx: Context | None = None) -> FastAPI:
    settings = settings or (ctx.settings if ctx else get_settings())
    ctx = ctx or build_context(settings)
    jobs.configure(ctx)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # staging files of a process that crashed mid-upload are never committed nor discarded: sweep them
        removed = sweep_staging(ctx.storage.temp_dir())
        if removed:
            log.info("removed %d stale staging file(s)", removed)
        sweeper = asyncio.create_task(sweep_own_uploads(ctx))
        try:
            yield
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper

    app = FastAPI(
        lifespan=lifespan,
        title="dayreel",
        summary="Collect one day of photos and clips; render Life in a Day films and collages.",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(csrf_guard)],  # every route, by construction: app/csrf.py
    )
    add_docs(app)
    app.state.ctx = ctx
    app.state.signin_limiter = build_limiter(redis_url=settings.shared_redis_url, namespace=settings.queue_name)
    app.state.trusted_proxies = parse_networks(settings.trusted_proxies)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_secret(),
        session_cookie=SESSION_COOKIE,
        same_site="lax",
        https_only=settings.environment == "production",
        max_age=14 * 86400,
    )
    app.add_middleware(UploadSizeLimit, max_bytes=settings.max_upload_bytes)
    app.add_middleware(SecurityHeaders)  # around everything but CORS: on every answer, errors and 413s included
    if settings.cors_origin_list:  # outermost, so refusals (413...) carry CORS headers too
        app.add_middleware(ApiCORS, origins=settings.cors_origin_list)

    # plain def (Starlette runs them in the threadpool): an error page renders a template, file work
    @app.exception_handler(ServiceError)
    def service_error(request: Request, exc: ServiceError) -> Response:
        if wants_page(request):
            return error_page(request, exc.message, exc.status)
        return JSONResponse({"detail": exc.message}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> Response:
        # never echo what was sent (raw bytes, secrets) or exception objects: location, message and type only
        return JSONResponse({"detail": _readable_validation(exc), "errors": safe_errors(exc.errors())},
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code in (301, 302, 303, 307) and exc.headers and "Location" in exc.headers:
            return RedirectResponse(exc.headers["Location"], status_code=exc.status_code)
        if exc.status_code in (403, 404) and wants_page(request):
            return error_page(request, str(exc.detail), exc.status_code)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness: the service answers and its database is reachable."""
        with ctx.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return {"status": "ok"}

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/staff", status_code=303)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    include_routes(app, settings)
    use_error_bodies(app)
    return app
