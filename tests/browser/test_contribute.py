"""The contributor's phone: several files at once, resuming after a lost connection or a reload,
checking a guessed time, editing and deleting in "my moments", and the page in Dutch."""

from __future__ import annotations

import hashlib
import io
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from app.models import Moment
from tests import factories
from tests.browser.conftest import LiveServer, wait_for_js
from tests.mediagen import make_clip, make_photo

pytestmark = pytest.mark.browser

DONE_S = 30_000  # ms


def moments(live: LiveServer) -> list[Moment]:
    with live.ctx.sessions() as s:
        return list(s.scalars(select(Moment).order_by(Moment.id)))


def noisy_png(path: Path, side: int = 300) -> Path:
    """A PNG of random pixels: ~270 KB that do not compress, so it takes several small chunks."""
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(path, format="PNG")
    return path


def track_patches(page: Any, abort: Any) -> list[int]:
    """Offsets of the PATCHes the page sends; `abort(n)` says whether to cut the n-th one."""
    offsets: list[int] = []

    def handle(route: Any) -> None:
        request = route.request
        if request.method == "PATCH":
            offsets.append(int(request.headers["upload-offset"]))
            if abort(len(offsets)):
                route.abort("connectionreset")
                return
        route.continue_()

    page.route("**/api/uploads/**", handle)
    return offsets


def test_phone_sends_two_files_with_progress_and_keeps_the_original_bytes(
    live_server: LiveServer, phone: Any, artifacts: Path, tmp_path: Path
) -> None:
    project = factories.make_project(live_server.ctx)
    errors: list[str] = []
    phone.on("pageerror", lambda e: errors.append(str(e)))
    phone.goto(f"{live_server.url}/c/{project.invite_token}")
    assert phone.locator("#simple").is_hidden() and phone.locator("#uploader").is_visible()
    photo = make_photo(tmp_path / "IMG_0001.jpg", size=(640, 480), colour="blue", top_colour="yellow",
                       taken=datetime(2024, 7, 24, 7, 15, 30), offset="+02:00")
    clip = make_clip(tmp_path / "clip.mp4", size=(160, 120), colour="green", duration_s=1.0)
    phone.set_input_files("#u-files", [str(photo), str(clip)])
    rows = phone.locator("li.upload")
    assert rows.count() == 2
    # nothing is sent before consent: the rows wait and the page says why
    assert phone.locator("#u-hint").is_visible()
    assert [rows.nth(i).get_attribute("data-state") for i in range(2)] == ["waiting", "waiting"]
    assert rows.nth(0).locator(".thumb img").count() == 1 and rows.nth(1).locator(".thumb video").count() == 1
    phone.screenshot(path=str(artifacts / "contribute-phone-waiting.png"), full_page=True)
    rows.nth(0).locator("textarea").fill("Ontbijt op de afdeling")
    good = rows.nth(0).get_by_role("radio", name="Good", exact=True)  # its label names it, not the emoji
    phone.locator(f"label[for={good.get_attribute('id')}]").click()
    assert good.is_checked()
    phone.check("#u-consent")
    wait_for_js(phone, "document.querySelectorAll('li.upload[data-state=done]').length === 2", timeout_ms=DONE_S)
    assert rows.nth(0).locator(".progress").get_attribute("aria-valuenow") == "100"
    assert phone.locator("#u-done").is_visible()
    phone.screenshot(path=str(artifacts / "contribute-phone-done.png"), full_page=True)

    stored = moments(live_server)
    by_name = {m.original_name: m for m in stored}
    assert by_name["IMG_0001.jpg"].sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert by_name["clip.mp4"].sha256 == hashlib.sha256(clip.read_bytes()).hexdigest()
    assert (by_name["IMG_0001.jpg"].caption, by_name["IMG_0001.jpg"].mood) == ("Ontbijt op de afdeling", 4)
    assert by_name["IMG_0001.jpg"].time_source == "exif" and by_name["IMG_0001.jpg"].time_confirmed
    # the EXIF time is shown in the project's zone (Amsterdam), though the test browser runs in UTC
    assert rows.nth(0).locator("input[type=datetime-local]").input_value() == "2024-07-24T07:15"
    assert rows.nth(0).locator(".timecheck").is_hidden()
    # the clip has no time inside: the page asks, and "yes" confirms the time it guessed
    assert not by_name["clip.mp4"].time_confirmed
    check = rows.nth(1).locator(".timecheck")
    assert check.is_visible()
    check.get_by_role("button", name="Yes, that's right").click()
    wait_for_js(phone, "!document.querySelectorAll('li.upload')[1].querySelector('.timecheck').offsetParent")
    assert all(m.time_confirmed for m in moments(live_server))
    # a caption typed after the upload is saved on its own
    rows.nth(1).locator("textarea").fill("Wandeling")
    phone.wait_for_selector("li.upload:nth-child(2) .saved:not([hidden])")
    assert {m.original_name: m.caption for m in moments(live_server)}["clip.mp4"] == "Wandeling"
    assert errors == []


def test_lost_connection_resumes_where_it_stopped(
    live_server: LiveServer, phone: Any, tmp_path: Path, artifacts: Path
) -> None:
    project = factories.make_project(live_server.ctx)
    phone.add_init_script("window.dayreelChunkBytes = 65536")
    offsets = track_patches(phone, abort=lambda n: n == 2)  # the second chunk never arrives
    phone.goto(f"{live_server.url}/c/{project.invite_token}")
    picture = noisy_png(tmp_path / "noise.png")
    phone.check("#u-consent")
    phone.set_input_files("#u-files", str(picture))
    phone.wait_for_selector("li.upload[data-state=done]", timeout=DONE_S)
    assert offsets[:3] == [0, 65536, 65536]  # after the break it asked, and went on from 64 KiB
    assert offsets == sorted(offsets) and offsets.count(0) == 1
    assert moments(live_server)[0].sha256 == hashlib.sha256(picture.read_bytes()).hexdigest()


def test_reloaded_page_resumes_the_upload_instead_of_restarting(
    live_server: LiveServer, phone: Any, tmp_path: Path, artifacts: Path
) -> None:
    project = factories.make_project(live_server.ctx)
    phone.add_init_script("window.dayreelChunkBytes = 65536")
    offsets = track_patches(phone, abort=lambda n: n >= 3)  # the network dies after two chunks
    phone.goto(f"{live_server.url}/c/{project.invite_token}")
    picture = noisy_png(tmp_path / "noise.png")
    phone.check("#u-consent")
    phone.set_input_files("#u-files", str(picture))
    phone.wait_for_selector("li.upload[data-state=retrying]", timeout=DONE_S)
    phone.screenshot(path=str(artifacts / "contribute-phone-retrying.png"), full_page=True)
    phone.unroute("**/api/uploads/**")
    # the tab is reloaded (or closed and opened again); the contributor picks the same file again
    phone.reload()
    after = track_patches(phone, abort=lambda n: False)
    phone.check("#u-consent")
    phone.set_input_files("#u-files", str(picture))
    phone.wait_for_selector("li.upload[data-state=done]", timeout=DONE_S)
    assert offsets[:2] == [0, 65536]
    assert after[0] == 131072  # the server kept two chunks: the upload went on from there
    assert moments(live_server)[0].sha256 == hashlib.sha256(picture.read_bytes()).hexdigest()


def test_server_error_is_shown_next_to_the_file_in_plain_words(
    live_server: LiveServer, phone: Any, tmp_path: Path, artifacts: Path
) -> None:
    project = factories.make_project(live_server.ctx)
    phone.goto(f"{live_server.url}/c/{project.invite_token}?lang=nl")
    broken = tmp_path / "kapot.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(2000))
    good = make_photo(tmp_path / "goed.jpg", colour="red")
    phone.check("#u-consent")
    phone.set_input_files("#u-files", [str(broken), str(good)])
    phone.wait_for_selector("li.upload[data-state=failed] .why:not([hidden])", timeout=DONE_S)
    phone.wait_for_selector("li.upload[data-state=done]", timeout=DONE_S)
    why = phone.locator("li.upload[data-state=failed] .why").inner_text()
    assert why.startswith("We konden dit bestand niet lezen") or why.startswith("Dit is geen foto of clip"), why
    phone.screenshot(path=str(artifacts / "contribute-phone-error-nl.png"), full_page=True)


def test_my_moments_edit_caption_and_delete(
    live_server: LiveServer, phone: Any, tmp_path: Path, artifacts: Path
) -> None:
    project = factories.make_project(live_server.ctx)
    phone.goto(f"{live_server.url}/c/{project.invite_token}")
    phone.check("#u-consent")
    phone.set_input_files("#u-files", [str(make_photo(tmp_path / "a.jpg", size=(320, 240), colour="magenta")),
                                       str(make_photo(tmp_path / "b.jpg", size=(320, 240), colour="cyan"))])
    wait_for_js(phone, "document.querySelectorAll('li.upload[data-state=done]').length === 2", timeout_ms=DONE_S)
    phone.get_by_role("link", name="See and edit my moments").click()
    phone.wait_for_url("**/me")
    cards = phone.locator("li.moment")
    assert cards.count() == 2
    assert cards.nth(0).locator("img.thumb").evaluate("img => img.complete && img.naturalWidth > 0")
    phone.screenshot(path=str(artifacts / "contribute-phone-me.png"), full_page=True)
    first_id = int(cards.nth(0).get_attribute("id").split("-")[1])
    cards.nth(0).locator("textarea").fill("Zonsopkomst boven de parkeerplaats")
    cards.nth(0).get_by_role("button", name="Save").click()
    phone.wait_for_selector("text=Your changes are saved.")
    assert {m.id: m.caption for m in moments(live_server)}[first_id] == "Zonsopkomst boven de parkeerplaats"
    phone.once("dialog", lambda d: d.accept())
    phone.locator("li.moment").nth(1).get_by_role("button", name="Delete").click()
    phone.wait_for_selector("text=The moment was deleted.")
    assert phone.locator("li.moment").count() == 1
    assert [m.id for m in moments(live_server)] == [first_id]


def test_without_javascript_the_plain_form_sends_one_file(
    live_server: LiveServer, browser: Any, tmp_path: Path, artifacts: Path
) -> None:
    project = factories.make_project(live_server.ctx)
    context = browser.new_context(viewport={"width": 375, "height": 812}, java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/c/{project.invite_token}")
        assert page.locator("#uploader").is_hidden() and page.locator("#simple").is_visible()
        photo = make_photo(tmp_path / "zonder-js.jpg", size=(320, 240), colour="green")
        page.set_input_files("#file", str(photo))
        page.fill("#caption", "Zonder JavaScript")
        page.check("#simple input[name=consent]")
        page.click("#simple button[type=submit]")
        page.wait_for_selector("p.success[role=status]")
        page.screenshot(path=str(artifacts / "contribute-phone-nojs-thanks.png"), full_page=True)
        page.click(".private-link a")
        assert page.locator("li.moment textarea").input_value() == "Zonder JavaScript"
    finally:
        context.close()
    assert moments(live_server)[0].sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()


def test_page_in_dutch_on_a_phone_and_on_a_desktop(
    live_server: LiveServer, phone: Any, desktop: Any, artifacts: Path, tmp_path: Path
) -> None:
    project = factories.make_project(live_server.ctx)
    phone.goto(f"{live_server.url}/c/{project.invite_token}")
    phone.get_by_role("link", name="Nederlands").click()
    phone.wait_for_selector("html[lang=nl]")
    assert phone.get_by_text("Kies foto's en clips").is_visible()
    phone.set_input_files("#u-files", str(make_photo(tmp_path / "a.jpg", colour="yellow")))
    assert phone.locator("li.upload .state").inner_text().startswith("Wacht")
    assert phone.get_by_role("group", name="Hoe voelde het?").get_by_role("radio").count() == 5
    assert phone.get_by_role("radio", name="Heel goed", exact=True).count() == 1
    phone.screenshot(path=str(artifacts / "contribute-phone-nl.png"), full_page=True)
    desktop.goto(f"{live_server.url}/c/{project.invite_token}?lang=nl")
    desktop.set_input_files("#u-files", str(make_photo(tmp_path / "b.jpg", colour="orange")))
    desktop.screenshot(path=str(artifacts / "contribute-desktop-nl.png"), full_page=True)
    desktop.check("#u-consent")
    desktop.wait_for_selector("li.upload[data-state=done]", timeout=DONE_S)
    desktop.get_by_role("link", name="Mijn momenten bekijken en aanpassen").click()
    desktop.wait_for_selector("li.moment img.thumb")
    desktop.screenshot(path=str(artifacts / "contribute-desktop-me-nl.png"), full_page=True)
    # the QR code of the page is an image a projector can show
    png = desktop.request.get(f"{live_server.url}/c/{project.invite_token}/qr.png").body()
    assert Image.open(io.BytesIO(png)).format == "PNG"
