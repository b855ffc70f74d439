"""The faces panel in a real browser: boxes drawn over the face, consent and removal at phone and 4K widths,
and the contributor's own-face request on "my moments"."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.test_staff_flow import sign_in
from tests.facegen import face_photo
from tests.web.test_staff_pages import approve_all

pytestmark = pytest.mark.browser


def upload_face(server: LiveServer, invite: str, folder: Path) -> tuple[int, tuple[float, ...], httpx.Cookies]:
    truth = face_photo(folder / "face.jpg", size=(480, 320), person_px=240)
    with (folder / "face.jpg").open("rb") as fh:
        r = httpx.post(f"{server.url}/api/invites/{invite}/moments", files={"file": ("face.jpg", fh)},
                       data={"consent": "true", "caption": "wachtkamer", "alias": "Sam"}, timeout=60)
    assert r.status_code == 201, r.text
    return int(r.json()["id"]), truth, r.cookies


@pytest.mark.parametrize("width", [390, 3840])
def test_staff_see_the_box_over_the_face_and_mark_it_consented(
    live_server: LiveServer, browser, artifacts: Path, tmp_path: Path, width: int  # type: ignore[no-untyped-def]
) -> None:
    staff = factories.make_staff(live_server.ctx)
    project = factories.make_project(live_server.ctx, owner_email=staff.email)
    moment_id, truth, _ = upload_face(live_server, project.invite_token, tmp_path)
    approve_all(live_server.ctx, project.id)
    context = browser.new_context(viewport={"width": width, "height": 844 if width < 1000 else 2160})
    page = context.new_page()
    try:
        sign_in(page, live_server, staff)
        page.goto(f"{live_server.url}/staff/moments/{moment_id}#faces")
        page.wait_for_selector(".face-frame img")
        box = page.locator(".face-box").first.bounding_box()
        img = page.locator(".face-frame img").bounding_box()
        assert box is not None and img is not None and img["width"] > 0
        # the drawn box lies over the face (fractions of the shown picture)
        cx = (box["x"] + box["width"] / 2 - img["x"]) / img["width"]
        cy = (box["y"] + box["height"] / 2 - img["y"]) / img["height"]
        assert abs(cx - (truth[0] + truth[2] / 2)) < 0.05 and abs(cy - (truth[1] + truth[3] / 2)) < 0.05
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"the moment page scrolls sideways at {width} px"
        page.locator("#faces").screenshot(path=str(artifacts / f"staff-faces-{width}.png"))
        with page.expect_navigation():
            page.click("#faces li form[action$='/consent'] button")
        assert page.locator(".face-box.consented").count() == 1
    finally:
        context.close()


def test_the_contributor_asks_for_their_own_face_to_be_blurred(
    live_server: LiveServer, browser, artifacts: Path, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    project = factories.make_project(live_server.ctx)
    moment_id, _, cookies = upload_face(live_server, project.invite_token, tmp_path)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": name, "value": value, "url": live_server.url} for name, value in cookies.items()])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/c/{project.invite_token}/me")
        form = page.locator(f"#moment-{moment_id} form.own-face")
        with page.expect_navigation():
            form.locator("button").click()
        assert "Your face will be blurred." in page.locator(f"#moment-{moment_id}").inner_text()
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1
        page.screenshot(path=str(artifacts / "contributor-own-face-390.png"), full_page=True)
    finally:
        context.close()
