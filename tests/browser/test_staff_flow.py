"""A staff member in a real browser: sign in, curate, correct a time, make a film, watch and seek it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import httpx
import pytest

from app.models import Render
from tests import factories
from tests.browser.conftest import LiveServer, wait_for_js
from tests.mediagen import make_photo
from tests.web.test_staff_pages import approve_all

pytestmark = pytest.mark.browser


def upload(server: LiveServer, invite: str, folder: Path, hour: int, caption: str, role: str, colour: str) -> int:
    path = make_photo(folder / f"{hour}.jpg", colour=colour, size=(160, 120), taken=datetime(2024, 7, 24, hour, 5))
    with path.open("rb") as fh:
        r = httpx.post(f"{server.url}/api/invites/{invite}/moments", files={"file": (path.name, fh)},
                       data={"consent": "true", "caption": caption, "role": role, "alias": "Sam", "mood": "4"},
                       timeout=30)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def sign_in(page, server: LiveServer, staff: factories.StaffUser) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/staff")
    page.fill("#email", staff.email)
    page.fill("#password", staff.password)
    with page.expect_navigation():  # /staff shows the form itself: wait for the answer to the post, not the URL
        page.click("main button[type=submit]")
    page.wait_for_selector("a.who[href='/staff/password']", state="attached")  # signed in: the header shows the account


def order(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all("article.tile", "els => els.map(e => e.id)")


def test_curate_correct_time_make_film_and_seek(
    live_server: LiveServer, desktop, browser, artifacts: Path, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    staff = factories.make_staff(live_server.ctx)
    project = factories.make_project(live_server.ctx, owner_email=staff.email)
    ids = [upload(live_server, project.invite_token, tmp_path, h, c, r, col) for h, c, r, col in (
        (7, "Koffie", "employee", "red"), (12, "Lunch", "customer", "green"), (18, "Naar huis", "customer", "blue"))]
    errors: list[str] = []
    desktop.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(desktop, live_server, staff)
    base = f"{live_server.url}/staff/projects/{project.id}"

    # coverage on the overview, with the ready-to-send message
    desktop.goto(base)
    assert desktop.locator(".hour.empty").count() == 21
    assert "Koffie" not in desktop.locator("#ask").input_value() and "/c/" in desktop.locator("#ask").input_value()
    desktop.screenshot(path=str(artifacts / "staff-overview-1440.png"), full_page=True)

    # approve all three with the bulk checkboxes
    desktop.goto(f"{base}/moments")
    desktop.check("#select-all")
    with desktop.expect_navigation():  # the bulk form posts and redirects back: wait for that page
        desktop.click("button[name=action][value=approve]")
    assert desktop.locator("article.tile[data-status=approved]").count() == 3
    assert order(desktop) == [f"m{i}" for i in ids]
    desktop.screenshot(path=str(artifacts / "staff-moments-1440.png"), full_page=True)

    # correct the 07:05 moment to 20:30: it moves to the end
    desktop.click(f"#m{ids[0]} a.thumb")
    desktop.fill("#local_time", "2024-07-24T20:30")
    desktop.click("form.card button[type=submit]")
    desktop.wait_for_selector("p.success")
    desktop.goto(f"{base}/moments")
    assert order(desktop) == [f"m{ids[1]}", f"m{ids[2]}", f"m{ids[0]}"]
    assert desktop.locator(f"#m{ids[0]} .badge.corrected").count() == 1

    # film: preview the plan, then make a tiny one; progress reaches 100 % and the player appears
    desktop.goto(f"{base}/film")
    desktop.fill("#size", "160x90")
    desktop.fill("#fps", "10")
    desktop.select_option("#quality", "preview")
    desktop.fill("#photo_s", "2")
    desktop.click("#preview-plan")
    desktop.wait_for_selector("#plan")
    assert "Evening" in desktop.inner_text("#plan")
    desktop.screenshot(path=str(artifacts / "staff-film-plan-1440.png"), full_page=True)
    desktop.click("#make-film")
    desktop.wait_for_selector("video#player", timeout=120000)
    render_id = desktop.url.rsplit("/", 1)[-1]
    status = httpx.get(f"{live_server.url}/api/renders/{render_id}", headers=staff.headers).json()
    assert (status["status"], status["progress"]) == ("done", 100.0)

    # seek: a Range request is answered with 206 and the player's time moves
    ranges: list[int] = []
    desktop.on("response", lambda r: ranges.append(r.status) if "/file" in r.url else None)
    desktop.reload()
    wait_for_js(desktop, "document.querySelector('#player').readyState >= 1", timeout_ms=30000)
    duration = desktop.evaluate("document.querySelector('#player').duration")
    assert duration > 2
    desktop.evaluate("""() => new Promise(done => { const v = document.querySelector('#player');
        v.addEventListener('seeked', () => done(), {once: true}); v.currentTime = v.duration / 2; })""")
    assert abs(desktop.evaluate("document.querySelector('#player').currentTime") - duration / 2) < 0.5
    assert 206 in ranges
    chapter = desktop.locator("[data-seek]").last
    chapter.click()
    wait_for_js(desktop, f"Math.abs(document.querySelector('#player').currentTime - "
                              f"{chapter.get_attribute('data-seek')}) < 1")
    desktop.screenshot(path=str(artifacts / "staff-watch-1440.png"), full_page=True)

    # the progress bar follows a render that is still running, shows the time left, and turns into the player
    with live_server.ctx.sessions() as s:
        done = s.get(Render, int(render_id))
        assert done is not None
        running = Render(project_id=project.id, kind="film", options=done.options, plan=done.plan,
                         status="running", progress=40.0, eta_s=12.0, moments_digest=done.moments_digest)
        s.add(running)
        s.commit()
        running_id, keys = running.id, (done.output_key, done.poster_key, done.captions_key)
    desktop.goto(f"{live_server.url}/staff/renders/{running_id}")
    wait_for_js(desktop, "document.querySelector('#eta').textContent.includes('12 s')")
    assert desktop.get_attribute(".progress", "aria-valuenow") == "40.0"
    desktop.screenshot(path=str(artifacts / "staff-progress-1440.png"))
    with live_server.ctx.sessions() as s:
        row = s.get(Render, running_id)
        assert row is not None
        row.progress, row.eta_s = 100.0, 0.0
        row.output_key, row.poster_key, row.captions_key = keys
        row.status = "done"
        s.commit()
    desktop.wait_for_selector("video#player", timeout=10000)

    # a collage: the small preview is queued alongside, other sizes can be made from the result
    desktop.goto(f"{base}/collage")
    desktop.check("input[name=layout][value=grid]")
    desktop.select_option("#size", "1920x1080")
    desktop.click("main form button[type=submit]")
    desktop.wait_for_selector("img.collage", timeout=60000)
    assert desktop.locator("select#format option").count() == 3
    desktop.screenshot(path=str(artifacts / "staff-collage-1440.png"), full_page=True)

    # the presentation shows the newest collage and film
    desktop.goto(f"{base}/present")
    desktop.keyboard.press("c")
    wait_for_js(desktop, "document.querySelector('#view-collage img').naturalWidth > 0")
    desktop.keyboard.press("v")
    assert desktop.is_visible("video#film")
    desktop.screenshot(path=str(artifacts / "present-film-1440.png"))
    assert errors == []


@pytest.mark.parametrize("width", [375, 3840])
def test_staff_pages_fit_phone_and_4k(
    live_server: LiveServer, browser, artifacts: Path, tmp_path: Path, width: int  # type: ignore[no-untyped-def]
) -> None:
    staff = factories.make_staff(live_server.ctx)
    project = factories.make_project(live_server.ctx, owner_email=staff.email)
    for h, c, r, col in ((8, "Ontbijt", "customer", "red"), (9, "Overdracht", "employee", "green")):
        upload(live_server, project.invite_token, tmp_path, h, c, r, col)
    approve_all(live_server.ctx, project.id)
    context = browser.new_context(viewport={"width": width, "height": 900 if width < 1000 else 2160})
    page = context.new_page()
    try:
        sign_in(page, live_server, staff)
        for name in ("", "/moments", "/lanes") + (("/settings", "/film") if width < 1000 else ()):
            page.goto(f"{live_server.url}/staff/projects/{project.id}{name}")
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{name or 'overview'} scrolls sideways at {width} px"
            page.screenshot(path=str(artifacts / f"staff{name.replace('/', '-') or '-overview'}-{width}.png"),
                            full_page=True)
    finally:
        context.close()
