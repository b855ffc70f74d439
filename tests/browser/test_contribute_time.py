"""The phone's "When was this?": empty until the server has read the file (never today's date), then shown in
the project's zone whatever zone the phone is in, the same on the upload page and on "my moments"; and the page
for a bad invite link, in English and Dutch, at phone size."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.models import Moment
from tests import factories
from tests.browser.conftest import LiveServer, wait_for_js
from tests.mediagen import make_photo

pytestmark = pytest.mark.browser

DONE_MS = 30_000
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def new_york_phone(browser):  # type: ignore[no-untyped-def]
    """A 390x844 phone whose clock is in New York; the projects below are in Amsterdam on 24 July 2024."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="en-GB", timezone_id="America/New_York")
    page = context.new_page()
    yield page
    context.close()


def by_name(live: LiveServer) -> dict[str, Moment]:
    with live.ctx.sessions() as s:
        return {m.original_name: m for m in s.scalars(select(Moment))}


def test_time_starts_empty_and_shows_the_files_time_in_the_project_zone(
    live_server: LiveServer, new_york_phone: Any, artifacts: Path, tmp_path: Path
) -> None:
    phone = new_york_phone
    project = factories.make_project(live_server.ctx)  # Europe/Amsterdam, 24-07-2024: a past day
    errors: list[str] = []
    phone.on("pageerror", lambda e: errors.append(str(e)))
    phone.goto(f"{live_server.url}/c/{project.invite_token}")
    assert phone.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "America/New_York"
    exif = make_photo(tmp_path / "IMG_0715.jpg", size=(320, 240), colour="blue",
                      taken=datetime(2024, 7, 24, 7, 15, 30), offset="+02:00")
    typed = make_photo(tmp_path / "scan.jpg", size=(320, 240), colour="orange")  # no time inside
    phone.set_input_files("#u-files", [str(exif), str(typed)])
    rows = phone.locator("li.upload")
    # nothing is guessed: not today's date, not the file's copy date
    assert [rows.nth(i).locator("input[type=datetime-local]").input_value() for i in range(2)] == ["", ""]
    assert "Europe/Amsterdam" in rows.nth(0).locator(".when-hint").inner_text()
    # a time typed before sending is wall-clock time in Amsterdam, not in New York
    rows.nth(1).locator("input[type=datetime-local]").fill("2024-07-24T09:30")
    phone.screenshot(path=str(artifacts / "contribute-time-waiting-en.png"), full_page=True)
    phone.check("#u-consent")
    wait_for_js(phone, "document.querySelectorAll('li.upload[data-state=done]').length === 2", timeout_ms=DONE_MS)
    # the time the server read from the EXIF, in Amsterdam wall-clock time (New York would say 01:15)
    assert rows.nth(0).locator("input[type=datetime-local]").input_value() == "2024-07-24T07:15"
    assert rows.nth(1).locator("input[type=datetime-local]").input_value() == "2024-07-24T09:30"
    phone.screenshot(path=str(artifacts / "contribute-time-done-en.png"), full_page=True)
    stored = by_name(live_server)
    assert (stored["IMG_0715.jpg"].captured_local, stored["IMG_0715.jpg"].utc_offset_min) == (
        datetime(2024, 7, 24, 7, 15, 30), 120)
    assert (stored["scan.jpg"].captured_local, stored["scan.jpg"].utc_offset_min) == (
        datetime(2024, 7, 24, 9, 30), 120)

    # changed after sending: saved as Amsterdam time too
    rows.nth(0).locator("input[type=datetime-local]").fill("2024-07-24T07:45")
    phone.wait_for_selector("li.upload:nth-child(1) .saved:not([hidden])")
    assert by_name(live_server)["IMG_0715.jpg"].captured_local == datetime(2024, 7, 24, 7, 45)

    shown = {rows.nth(i).locator(".name").inner_text().split(" ")[0]:
             rows.nth(i).locator("input[type=datetime-local]").input_value() for i in range(2)}
    phone.goto(f"{live_server.url}/c/{project.invite_token}/me")
    cards = phone.locator("li.moment")
    on_me = {cards.nth(i).locator(".name").inner_text():
             cards.nth(i).locator("input[type=datetime-local]").input_value() for i in range(cards.count())}
    assert on_me == shown == {"IMG_0715.jpg": "2024-07-24T07:45", "scan.jpg": "2024-07-24T09:30"}
    assert errors == []


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_upload_page_and_invalid_link_page_at_phone_size(
    live_server: LiveServer, new_york_phone: Any, artifacts: Path, tmp_path: Path, lang: str
) -> None:
    phone = new_york_phone
    project = factories.make_project(live_server.ctx)
    phone.goto(f"{live_server.url}/c/{project.invite_token}?lang={lang}")
    phone.set_input_files("#u-files", str(make_photo(tmp_path / "a.jpg", colour="yellow",
                                                      taken=datetime(2024, 7, 24, 12, 0), offset="+02:00")))
    phone.check("#u-consent")
    phone.wait_for_selector("li.upload[data-state=done]", timeout=DONE_MS)
    assert phone.locator("li.upload input[type=datetime-local]").input_value() == "2024-07-24T12:00"
    phone.screenshot(path=str(artifacts / f"contribute-upload-390-{lang}.png"), full_page=True)
    r = phone.goto(f"{live_server.url}/c/no-such-invite?lang={lang}")
    assert r is not None and r.status == 404
    assert phone.locator("h1").count() == 1
    title = {"en": "This link does not work", "nl": "Deze link werkt niet"}[lang]
    assert phone.locator("h1").inner_text() == title
    # nothing wider than the phone
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=str(artifacts / f"contribute-invalid-390-{lang}.png"), full_page=True)
