"""Async routes do not run blocking database or file work on the event loop.

Route handlers and their dependencies are plain `def` (FastAPI runs them in the threadpool) unless they
must await the request body; the few that must are named below with their reason. Those are then shown,
request by request, to do no database statement and no file call on the event loop: everything blocking
they need runs in worker threads."""

from __future__ import annotations

import asyncio
import builtins
import fcntl
import inspect
import os
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.context import Context
from app.deps import get_session
from app.models import Project
from app.services.tus_store import RECORD_BYTES
from tests import factories
from tests.web.test_csrf_guard import all_routes
from tests.web.test_present import present_token
from tests.web.test_resumable import TUS, create, metadata, offset_of, patch

APP_DIR = Path(__file__).resolve().parent.parent.parent / "app"
OFFSET_TYPE = "application/offset+octet-stream"

# every async route handler, dependency and exception handler of the app, and why it is async
ASYNC_ALLOWED = {
    "app.csrf.csrf_guard": "awaits the form body for the token; reads only headers, cookies and the session",
    "app.routes.staff_renders.builder_form": "awaits the form body; the builder routes that take it are def",
    "app.routes.uploads.create_upload": "streams the body (tus); files and database in worker threads",
    "app.routes.uploads.patch_upload": "streams the body (tus); files and database in worker threads",
    "app.main.create_app.<locals>.validation_error": "builds a JSON answer from the error alone",
    "fastapi.exception_handlers.websocket_request_validation_exception_handler": "FastAPI's, for websockets "
    "(dayreel has none)",
}

# not dayreel's: FastAPI looks up an endpoint's source file once, on its first request, and caches it
LIBRARY_ONCE = {("_extract_endpoint_context", ("fastapi", "routing.py"))}


def _name(call: Callable[..., Any]) -> str:
    return f"{call.__module__}.{call.__qualname__}"


def _is_async(call: Callable[..., Any]) -> bool:
    if inspect.isclass(call):
        return False
    method = call if inspect.isfunction(call) or inspect.ismethod(call) else getattr(call, "__call__", call)  # noqa: B004
    return inspect.iscoroutinefunction(method) or inspect.isasyncgenfunction(method)


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def _route_calls(app: FastAPI) -> Iterator[tuple[str, Dependant]]:
    for path, route in all_routes(app.routes):
        for dependant in _dependants(route.dependant):
            if dependant.call is not None:
                yield path, dependant


def test_async_handlers_and_dependencies_are_the_named_few(client: TestClient) -> None:
    app: FastAPI = client.app  # type: ignore[assignment]
    found = {_name(d.call) for _path, d in _route_calls(app) if d.call is not None and _is_async(d.call)}
    found |= {_name(h) for h in app.exception_handlers.values() if _is_async(h)}
    assert found == set(ASYNC_ALLOWED)  # a new async one needs a reason here; a gone one leaves the list


def test_no_async_handler_or_dependency_is_given_a_database_session(client: TestClient) -> None:
    app: FastAPI = client.app  # type: ignore[assignment]
    with_session = [f"{path}: {_name(d.call)}" for path, d in _route_calls(app)
                    if d.call is not None and _is_async(d.call)
                    and any(sub.call is get_session for sub in _dependants(d))]
    assert with_session == []


def test_the_checks_see_async_code_and_sessions() -> None:
    async def endpoint() -> None: ...

    class Handler:
        async def __call__(self) -> None: ...

    assert _is_async(endpoint) and _is_async(Handler()) and not _is_async(get_session)


# --- the async ones, at work -------------------------------------------------------------------------


def _on_event_loop() -> bool:
    """The app's loop runs in TestClient's portal thread (and the loops below in threads of their own); the
    test's own thread is never it, though after the browser tests Playwright's loop still runs there."""
    if threading.current_thread() is threading.main_thread():
        return False
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False  # a worker thread
    return True


@contextmanager
def blocking_calls_on_the_loop(ctx: Context) -> Iterator[list[str]]:
    """Every database statement and file call made on the event loop's thread while inside, with where from."""
    found: list[str] = []

    def note(what: str) -> None:
        if not _on_event_loop():
            return
        frame: FrameType | None = sys._getframe(1)  # frames, not traceback: that reads source files itself
        ours: str | None = None
        while frame is not None:
            if (frame.f_code.co_name, Path(frame.f_code.co_filename).parts[-2:]) in LIBRARY_ONCE:
                return
            if ours is None and frame.f_code.co_filename.startswith(str(APP_DIR)):
                ours = f"{Path(frame.f_code.co_filename).name}:{frame.f_lineno} {frame.f_code.co_name}"
            frame = frame.f_back
        found.append(f"{what} from {ours or 'outside app/'}")

    def watched(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            note(name)
            return real(*args, **kwargs)
        return call

    def on_statement(*_args: Any) -> None:
        note("database statement")

    patches = [(os, n) for n in ("open", "close", "read", "write", "pread", "pwrite", "ftruncate", "fsync",
                                 "fdatasync", "fstat", "stat", "replace", "unlink", "scandir", "listdir")]
    patches += [(fcntl, "flock"), (builtins, "open")]
    saved = [(module, n, getattr(module, n)) for module, n in patches]
    for module, n, real in saved:
        setattr(module, n, watched(f"{module.__name__}.{n}", real))
    event.listen(ctx.engine, "before_cursor_execute", on_statement)
    try:
        yield found
    finally:
        event.remove(ctx.engine, "before_cursor_execute", on_statement)
        for module, n, real in saved:
            setattr(module, n, real)


def test_the_watch_sees_file_and_database_work_on_the_loop(ctx: Context) -> None:
    async def blocking() -> None:
        with ctx.sessions() as session:
            session.get(Project, 1)
        os.stat(APP_DIR)

    async def off_loop() -> None:
        await asyncio.to_thread(os.stat, APP_DIR)

    # each loop in a thread of its own: after the browser tests, Playwright's loop still runs in this one
    with blocking_calls_on_the_loop(ctx) as found, ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, off_loop()).result()
    assert found == [], "\n".join(found)
    with blocking_calls_on_the_loop(ctx) as found, ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, blocking()).result()
    assert any(f.startswith("database statement") for f in found) and any(f.startswith("os.stat") for f in found)


def _pieces(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    """A streamed (chunked) body: the app receives it piece by piece, as from a phone."""
    for start in range(0, len(data), size):
        yield data[start:start + size]


def test_tus_uploads_and_the_builder_forms_do_no_blocking_work_on_the_event_loop(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef
) -> None:
    data = os.urandom(3 * RECORD_BYTES + 12345)  # long enough for checkpoints inside each body
    first = RECORD_BYTES + 4321
    meta = metadata(filename="clip.mp4", filetype="video/mp4", invite=project.invite_token, consent="1")
    tus_body = {**TUS, "Content-Type": OFFSET_TYPE}
    with blocking_calls_on_the_loop(ctx) as found:
        r = client.post("/api/uploads", content=_pieces(data[:first]), headers={
            **tus_body, "Upload-Length": str(len(data)), "Upload-Metadata": meta})
        assert r.status_code == 201, r.text
        url = r.headers["location"]
        assert patch(client, url, 0, b"x").status_code == 409  # refused before the body, in a worker thread
        r = client.patch(url, content=_pieces(data[first:] + b"too long"), headers={
            **tus_body, "Upload-Offset": str(first)})
        assert r.status_code == 413  # a body past the declared length: refused and rolled back
        r = client.patch(url, content=_pieces(data[first:]), headers={**tus_body, "Upload-Offset": str(first)})
        assert r.status_code == 204, r.text
        assert create(client, "no-such-invite", 10).status_code == 404
        r = client.post(f"/staff/projects/{project.id}/film/preview", data={"target_length_s": "60"},
                        headers=staff.headers)
        assert r.status_code in (200, 422), r.text  # the plan, or why there is none yet (no moments)
        r = client.get("/staff/projects/999999", headers={**staff.headers, "Accept": "text/html"})
        assert r.status_code == 404 and "<html" in r.text  # an error page, rendered off the loop
        token = present_token(ctx, project.id)
        r = client.get(f"/p/{token}/events", params={"limit_s": 1, "after": 0})
        assert r.status_code == 200 and r.text.startswith("retry:")
    assert found == [], "\n".join(found)
    assert offset_of(client, url) == len(data)

