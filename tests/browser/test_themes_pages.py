"""The themes page beside its live map (phone and 4K), and the themes map in presentation mode (key T)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import factories
from tests.browser.conftest import LiveServer, wait_for_js
from tests.browser.test_staff_flow import sign_in
from tests.pipeline.themes_data import DUTCH
from tests.services.theme_day import add_moments

pytestmark = pytest.mark.browser


def test_themes_page_and_presentation(live_server: LiveServer, browser, artifacts: Path,  # type: ignore[no-untyped-def]
                                      tmp_path: Path) -> None:
    staff = factories.make_staff(live_server.ctx)
    project = factories.make_project(live_server.ctx, owner_email=staff.email)
    add_moments(live_server.ctx, project, DUTCH, tmp_path / "day", language="nl")
    errors: list[str] = []
    for width, height, name in ((390, 844, "phone"), (3840, 2160, "4k")):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="nl-NL")
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in(page, live_server, staff)
        page.goto(f"{live_server.url}/staff/projects/{project.id}/themes")
        wait_for_js(page, "document.querySelector('.themes-map img').complete"
                          " && document.querySelector('.themes-map img').naturalWidth === 1600")
        assert page.locator("details.theme").count() == 5
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page scrolls sideways at {width} px"
        page.screenshot(path=str(artifacts / f"themes-page-{name}.png"), full_page=name == "phone")
        context.close()

    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="en-GB")
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, live_server, staff)
    page.goto(f"{live_server.url}/staff/projects/{project.id}/present")
    page.keyboard.press("t")
    assert page.is_visible("#view-themes") and not page.is_visible("#view-slides")
    wait_for_js(page, "document.getElementById('themes-map').complete"
                      " && document.getElementById('themes-map').naturalWidth > 0")
    page.screenshot(path=str(artifacts / "present-themes-1920.png"))
    page.keyboard.press("1")  # the largest theme: Koffie, 3 moments
    assert page.is_visible("#theme-moment") and not page.is_visible("#themes-map")
    assert page.inner_text("#theme-name") == "Koffie" and page.inner_text("#theme-n") == "1 / 3"
    slide_before = page.inner_text("#slide-n")
    page.keyboard.press("ArrowRight")
    assert page.inner_text("#theme-n") == "2 / 3" and page.inner_text("#theme-time") == "09:30"
    assert page.inner_text("#slide-n") == slide_before  # the hidden slideshow did not move
    page.screenshot(path=str(artifacts / "present-theme-open-1920.png"))
    page.keyboard.press("Escape")
    assert page.is_visible("#themes-map") and not page.is_visible("#theme-moment")
    page.keyboard.press("s")
    assert page.is_visible("#view-slides") and not page.is_visible("#view-themes")

    page.keyboard.press("a")  # the room's actions, typed in presentation mode, land in the report
    assert page.is_visible("#actions-panel")
    page.fill("#action-text", "Tweede kassa open bij drukte")
    page.fill("#action-owner", "Sanne")
    page.fill("#action-due", "2026-04-01")
    page.keyboard.press("Enter")
    page.wait_for_selector("#actions-list li:has-text('Tweede kassa open bij drukte · Sanne · 2026-04-01')")
    page.screenshot(path=str(artifacts / "present-actions-1920.png"))
    page.keyboard.press("Escape")
    assert not page.is_visible("#actions-panel")
    context.close()

    for width, height, name in ((390, 844, "phone"), (3840, 2160, "4k")):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in(page, live_server, staff)
        page.goto(f"{live_server.url}/staff/projects/{project.id}/report?scope=workshop")
        assert "Tweede kassa open bij drukte" in page.inner_text("table.actions")
        wait_for_js(page, "document.querySelector('.report-map').complete"
                          " && document.querySelector('.report-map').naturalWidth === 1600")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the report page scrolls sideways at {width} px"
        page.screenshot(path=str(artifacts / f"report-page-{name}.png"), full_page=name == "phone")
        context.close()
    assert not errors
