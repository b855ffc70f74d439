"""The film's chapter buttons sit beside or below the picture, never on it, and the browser's own controls
get a strip under the picture (they never cover the burned-in captions): in presentation mode and on the
staff watch page, on a 1080p projector and on a phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.models import Project
from tests import factories
from tests.browser.conftest import LiveServer, wait_for_js
from tests.browser.test_staff_flow import sign_in, upload
from tests.web.test_staff_pages import approve_all

pytestmark = pytest.mark.browser

SIZES = ((1920, 1080), (390, 844))


def _overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


def _check_no_button_on_the_picture(page, video: str, buttons: str) -> int:  # type: ignore[no-untyped-def]
    wait_for_js(page, f"document.querySelector('{video}').readyState >= 1")
    box = page.locator(video).bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 50
    viewport = page.viewport_size
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 1  # the picture is on the screen
    # the picture (object-fit: contain, at the top) leaves a strip of at least 60 px under it for the controls
    # (Chromium's take about 60 px at any size): nothing of the lower third is under them
    picture_h = page.evaluate(f"""(() => {{ const v = document.querySelector('{video}');
        return Math.min(v.clientHeight, v.clientWidth * v.videoHeight / v.videoWidth); }})()""")
    assert box["height"] - picture_h >= 60, (box, picture_h)
    count = page.locator(buttons).count()
    assert count >= 3
    for index in range(count):
        button = page.locator(buttons).nth(index)
        other = button.bounding_box()
        if other is None:  # scrolled out of a list that scrolls: not on the picture either
            continue
        assert not _overlaps(box, other), (index, box, other)
    return count


def test_chapter_buttons_never_cover_the_film(
    live_server: LiveServer, browser, artifacts: Path, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    staff = factories.make_staff(live_server.ctx)
    project = factories.make_project(live_server.ctx, owner_email=staff.email)
    for hour, caption, role, colour in ((7, "Koffie", "employee", "red"), (12, "Lunch", "customer", "green"),
                                        (18, "Naar huis", "customer", "blue")):
        upload(live_server, project.invite_token, tmp_path, hour, caption, role, colour)
    approve_all(live_server.ctx, project.id)
    with live_server.ctx.sessions() as s:
        token = s.get(Project, project.id).present_token  # type: ignore[union-attr]

    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        sign_in(page, live_server, staff)
        page.goto(f"{live_server.url}/staff/projects/{project.id}/film")
        page.fill("#size", "320x180")
        page.fill("#fps", "10")
        page.select_option("#quality", "preview")
        page.fill("#photo_s", "2")
        page.click("#make-film")
        page.wait_for_selector("video#player", timeout=120000)
        watch_url = page.url
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{live_server.url}/p/{token}?view=film")
            assert page.is_visible("video#film")
            _check_no_button_on_the_picture(page, "video#film", ".film-chapters button")
            page.screenshot(path=str(artifacts / f"present-film-chapters-{width}.png"))
            page.goto(watch_url)
            _check_no_button_on_the_picture(page, "video#player", ".chapters button")
            page.screenshot(path=str(artifacts / f"staff-watch-chapters-{width}.png"), full_page=True)
        assert errors == []
    finally:
        context.close()
