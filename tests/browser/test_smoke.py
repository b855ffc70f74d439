"""The pages people open first render in a real browser: invite page on a phone, staff sign-in and film."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import factories
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_invite_page_on_a_phone_uploads_without_javascript_errors(
    live_server: LiveServer, phone, artifacts: Path, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    from tests.mediagen import make_photo

    project = factories.make_project(live_server.ctx)
    errors: list[str] = []
    phone.on("pageerror", lambda e: errors.append(str(e)))
    phone.goto(f"{live_server.url}/c/{project.invite_token}")
    assert phone.locator("h1").inner_text() == "Een dag in het ziekenhuis"
    phone.screenshot(path=str(artifacts / "invite-phone.png"), full_page=True)
    photo = make_photo(tmp_path / "p.jpg", size=(320, 240))
    # with JavaScript the multi-file uploader replaces the plain form (tests/browser/test_contribute.py)
    phone.check("#u-consent")
    phone.set_input_files("#u-files", str(photo))
    phone.wait_for_selector("li.upload[data-state=done]", timeout=30000)
    assert errors == []


def test_staff_sign_in_lists_projects(live_server: LiveServer, desktop, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    staff = factories.make_staff(live_server.ctx)
    factories.make_project(live_server.ctx, owner_email=staff.email)
    desktop.goto(f"{live_server.url}/staff")
    desktop.fill("#email", staff.email)
    desktop.fill("#password", staff.password)
    with desktop.expect_navigation():  # /staff shows the form itself: wait for the answer to the post
        desktop.click("button[type=submit]")
    desktop.wait_for_selector("a.who[href='/staff/password']", state="attached")  # signed in: header shows who
    assert "Een dag in het ziekenhuis" in desktop.content()
    desktop.screenshot(path=str(artifacts / "staff-home.png"), full_page=True)
