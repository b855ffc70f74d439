"""A live dayreel server on a free loopback port and headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
import uvicorn

from app.context import Context
from app.main import create_app
from tests.conftest import services_required
from tests.template_guard import templates_without_database

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


@dataclass
class LiveServer:
    url: str
    ctx: Context


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(autouse=True)
def _templates_get_view_data() -> Iterator[None]:
    """The live server's pages too: a template that touches an ORM row fails the test (tests/template_guard.py)."""
    with templates_without_database() as refused:
        yield
    assert not refused, "templates touched the database:\n" + "\n".join(refused)


@contextmanager
def serving(ctx: Context) -> Iterator[str]:
    """The real app on `ctx` served by uvicorn in a thread on a free loopback port; yields its base URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(ctx=ctx), host="127.0.0.1", port=port, log_level="warning"))
    server.install_signal_handlers = lambda: None  # type: ignore[attr-defined]  (not the main thread)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "live server did not start"
        time.sleep(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def serve(ctx: Context) -> Iterator[LiveServer]:
    """The real app on `ctx` served by uvicorn in a thread (jobs run inline) until the block ends."""
    with serving(ctx) as url:
        yield LiveServer(url=url, ctx=ctx)


@pytest.fixture
def live_server(ctx: Context) -> Iterator[LiveServer]:
    """The real app served by uvicorn in a thread (jobs run inline)."""
    with serve(ctx) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Chromium (Debian's package), skipped on a laptop without it, required in CI."""
    if not shutil.which(CHROMIUM):
        if services_required():
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs the Debian package 'chromium'")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def phone(browser):  # type: ignore[no-untyped-def]
    """A 375 px wide phone-sized page."""
    context = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop(browser):  # type: ignore[no-untyped-def]
    """A 1440 px wide desktop page."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


def wait_for_js(page, expression: str, *, timeout_ms: float = 30000) -> None:  # type: ignore[no-untyped-def]
    """Poll `expression` until it is truthy. Playwright's wait_for_function evaluates its predicate with eval()
    inside the page, which the pages' Content-Security-Policy (rightly) blocks; page.evaluate is not subject to it."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for: {expression}"
        page.wait_for_timeout(50)
