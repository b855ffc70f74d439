"""Presentation mode on a projector: keys step the slideshow, a new upload appears on the live wall, notes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.models import Project, WorkshopNote
from tests import factories
from tests.browser.conftest import LiveServer, wait_for_js
from tests.browser.test_staff_flow import sign_in, upload

pytestmark = pytest.mark.browser


def test_live_wall_shows_a_new_upload_and_notes_are_saved(
    live_server: LiveServer, browser, artifacts: Path, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    staff = factories.make_staff(live_server.ctx)
    project = factories.make_project(live_server.ctx, owner_email=staff.email, auto_approve=True)
    upload(live_server, project.invite_token, tmp_path, 8, "Ontbijt op de afdeling", "customer", "red")
    upload(live_server, project.invite_token, tmp_path, 16, "Overdracht", "employee", "green")
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        sign_in(page, live_server, staff)
        page.goto(f"{live_server.url}/staff/projects/{project.id}/present")
        assert page.inner_text("#slide-time") == "08:05" and page.inner_text("#slide-n") == "1 of 2"
        page.screenshot(path=str(artifacts / "present-slides-1920.png"))
        page.keyboard.press("ArrowRight")
        assert page.inner_text("#slide-time") == "16:05" and "Overdracht" in page.inner_text("#slide-caption")
        page.keyboard.press("ArrowLeft")
        assert page.inner_text("#slide-time") == "08:05"

        page.keyboard.press("w")
        assert page.is_visible("#view-wall") and not page.is_visible("#view-slides")
        assert page.locator("#wall li").count() == 2
        page.wait_for_timeout(1200)  # the event stream is connected
        new_id = upload(live_server, project.invite_token, tmp_path, 11, "Net binnen!", "customer", "blue")
        page.wait_for_selector(f"#wall-{new_id}.newest", timeout=10000)
        assert page.locator("#wall li").first.get_attribute("id") == f"wall-{new_id}"
        assert "Net binnen!" in (page.text_content("#wall-news") or "")  # told to screen readers, politely
        assert page.get_attribute("#wall-news", "aria-live") == "polite"
        page.wait_for_selector(f"#wall-{new_id} img", timeout=10000)
        wait_for_js(page, "!document.getAnimations().some(a => a.effect.target.closest('#wall'))")  # faded in
        page.screenshot(path=str(artifacts / "present-wall-1920.png"))

        page.keyboard.press("p")
        assert page.is_visible("#prompt") and "customer" in page.inner_text("#prompt-text")
        page.keyboard.press("Escape")  # leaves the note field
        page.keyboard.press("Escape")  # closes the prompt
        assert not page.is_visible("#prompt")
        page.keyboard.press("p")
        page.fill("#note-input", "Wachttijd bij de balie")
        page.keyboard.press("Enter")
        page.wait_for_selector("#notes li:has-text('Wachttijd bij de balie')")
        page.screenshot(path=str(artifacts / "present-prompt-1920.png"))
        with live_server.ctx.sessions() as s:
            note = s.scalar(select(WorkshopNote).where(WorkshopNote.project_id == project.id))
            assert note is not None and note.body == "Wachttijd bij de balie" and "customer" in note.prompt
        assert errors == []
    finally:
        context.close()


def test_present_link_at_4k_and_on_a_phone(
    live_server: LiveServer, browser, artifacts: Path, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    project = factories.make_project(live_server.ctx, auto_approve=True)
    for hour, caption, role, colour in ((7, "Eerste koffie", "employee", "red"), (9, "Wachtkamer", "customer", "blue"),
                                        (13, "Lunch met collega's", "employee", "green")):
        upload(live_server, project.invite_token, tmp_path, hour, caption, role, colour)
    with live_server.ctx.sessions() as s:
        token = s.get(Project, project.id).present_token  # type: ignore[union-attr]
    for width, height in ((3840, 2160), (375, 812)):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="nl-NL")
        page = context.new_page()
        try:
            for view in ("slides", "wall"):
                page.goto(f"{live_server.url}/p/{token}?view={view}")
                assert page.is_visible(f"#view-{view}")
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 1
                page.screenshot(path=str(artifacts / f"present-{view}-{width}.png"))
            page.goto(f"{live_server.url}/p/{token}?view=wall&prompt=1")
            assert "Anders kijken" in page.inner_text("#prompt-text") and page.locator("#note-input").count() == 0
            page.screenshot(path=str(artifacts / f"present-prompt-{width}.png"))
            if width > 1000:  # readable from the back of the room: large type on a 4K projector
                size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#prompt-text')).fontSize)")
                assert size >= 100
        finally:
            context.close()
