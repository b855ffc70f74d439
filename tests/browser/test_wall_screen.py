"""The live wall on a projector: it fills 1080p and 4K screens in English and Dutch with 10 or 500 moments,
keeps only what is on screen (and the next page) in the DOM and on the wire, and its QR code scans small."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from app.models import Project
from app.services.projects import invite_url
from tests import factories
from tests.browser.conftest import LiveServer, wait_for_js

pytestmark = pytest.mark.browser

SCREENS = ((1920, 1080), (3840, 2160))

# every tile, the control bar, the join card and every caption's box, measured in the page
MEASURE = """() => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const shown = [...document.querySelectorAll('#wall .wall-page:not(.waiting) .tile')];
  return {
    tiles: shown.map(box),
    domTiles: document.querySelectorAll('#wall .tile').length,
    bar: box(document.querySelector('.bar')),
    card: box(document.getElementById('join')),
    head: [...document.querySelectorAll('.wall-head h2, .wall-head .live')].map(box),
    overflowing: [...document.querySelectorAll('#wall figcaption span, .join p, .join p *, .wall-head h2, .live')]
      .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent),
    clamped: shown.map(t => t.querySelector('figcaption span')).filter(c => c && c.textContent.length > 60)
      .map(c => [c.clientHeight, parseFloat(getComputedStyle(c).lineHeight)]),
    pages: Number(document.getElementById('wall').dataset.pages || 0),
    width: innerWidth, height: innerHeight,
  };
}"""


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


@contextmanager
def _opened(browser: Any, url: str, width: int, height: int, locale: str, reduced: bool = False,
            ready: str = "document.querySelectorAll('#wall .tile').length > 0") -> Iterator[tuple[Any, list[str]]]:
    """The page at `url` once `ready` holds, and the picture requests it has made (the list grows)."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale,
                                  reduced_motion="reduce" if reduced else "no-preference")
    try:
        page = context.new_page()
        pictures: list[str] = []
        page.on("request", lambda r: pictures.append(r.url) if "/media/" in r.url else None)
        page.goto(url, wait_until="load")
        wait_for_js(page, ready)
        yield page, pictures
    finally:
        context.close()


def _wall_project(live_server: LiveServer, count: int, tmp: Path,
                  project: factories.ProjectRef | None = None) -> Callable[[str], tuple[str, str]]:
    """A project with `count` approved moments; gives, per language, its wall's URL and its invite link."""
    project = project or factories.make_project(live_server.ctx)
    factories.add_shown_moments(live_server.ctx, project, count, tmp)
    with live_server.ctx.sessions() as s:
        row = s.get(Project, project.id)
        assert row is not None
        token, invite = row.present_token, invite_url(live_server.ctx.settings.public_base_url, row)
    return lambda lang: (f"{live_server.url}/p/{token}?view=wall&lang={lang}", invite)


@pytest.mark.parametrize("count", [10, 500])
def test_wall_fills_the_screen_and_keeps_only_what_it_shows(
    live_server: LiveServer, browser, artifacts: Path, tmp_path: Path, count: int  # type: ignore[no-untyped-def]
) -> None:
    wall = _wall_project(live_server, count, tmp_path)
    for lang, locale in (("en", "en-GB"), ("nl", "nl-NL")):
        for width, height in SCREENS:
            with _opened(browser, wall(lang)[0], width, height, locale) as (page, pictures):
                page.wait_for_load_state("networkidle")
                m = page.evaluate(MEASURE)
                shot = artifacts / f"wall-{count}-{lang}-{width}.png"
                page.screenshot(path=str(shot))
                left = min(t[0] for t in m["tiles"])
                right = max(t[2] for t in m["tiles"])
                if count == 500:  # a full screen of moments: the tiles span the width, the card's column too
                    assert (right - left) / width >= 0.9, (shot.name, left, right)
                    below_card = [t for t in m["tiles"] if t[1] >= m["card"][3]]
                    assert below_card and max(t[2] for t in below_card) > m["card"][0], "empty column under the QR"
                    bottom = max(t[3] for t in m["tiles"])
                    assert m["bar"][1] - bottom < 0.06 * height, "the last row leaves the screen's bottom empty"
                else:  # ten moments still span the screen's width (beside the card)
                    assert (right - left) / (m["card"][0] - left) >= 0.9, (shot.name, left, right)
                for t in m["tiles"]:
                    assert not _overlap(t, m["bar"]), (shot.name, "a tile under the control bar", t)
                    assert not _overlap(t, m["card"]), (shot.name, "a tile under the QR card", t)
                    assert t[3] <= m["bar"][1] + 0.5 and t[0] >= -0.5 and t[2] <= width + 0.5
                assert not any(_overlap(h, m["card"]) for h in m["head"])
                assert m["overflowing"] == [], (shot.name, m["overflowing"])
                assert m["clamped"], "the long captions are on screen"
                for shown_h, line_h in m["clamped"]:  # long captions: two lines, then the ellipsis
                    assert 1.5 * line_h < shown_h <= 2 * line_h + 1, (shown_h, line_h)
                portraits = page.evaluate("[...document.querySelectorAll('#wall .tile')].filter("
                                          "t => t.offsetHeight > t.offsetWidth * 1.15).length")
                assert portraits > 0, "portrait photos are shown portrait"
                if count == 500:
                    on_page = len(m["tiles"])
                    assert m["pages"] > 2
                    assert m["domTiles"] <= 2 * on_page + 2, (m["domTiles"], on_page)  # this page and the next
                    assert len(set(pictures)) <= m["domTiles"], (len(set(pictures)), m["domTiles"])
                    assert len(pictures) < count / 5
                if width == 1920:  # tiles of ~300 px: the 480 px thumbnails, not the 1920 px previews
                    assert pictures and all(u.split("?")[0].endswith("/thumb") for u in pictures), pictures[:3]


SHOWN_IDS = "[...document.querySelectorAll('#wall .wall-page:not(.waiting) .tile')].map(t => t.id)"


def test_wall_page_rotation_fetches_only_the_next_page_and_calms_down_for_reduced_motion(
    live_server: LiveServer, browser, artifacts: Path, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    url = _wall_project(live_server, 500, tmp_path)("en")[0]
    for reduced in (False, True):
        with _opened(browser, url, 1920, 1080, "en-GB", reduced=reduced) as (page, pictures):
            first = page.evaluate(SHOWN_IDS)
            fade = page.evaluate("getComputedStyle(document.querySelector('#wall .wall-page')).transitionDuration")
            assert (fade == "0s") == reduced, fade  # reduced motion: pages change without a cross-fade
            before = len(pictures)
            page.evaluate("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight'}))")
            wait_for_js(page, "document.querySelectorAll('#wall .wall-page').length === 2 && "
                              "!document.querySelector('#wall .leaving')")
            shown = page.evaluate(SHOWN_IDS)
            assert shown and not set(shown) & set(first), "the next page shows other moments"
            page.wait_for_load_state("networkidle")
            assert len(pictures) - before <= len(shown) + 2  # only the page after this one was fetched now
            page.screenshot(path=str(artifacts / f"wall-page2-{'reduced' if reduced else 'motion'}.png"))


def test_a_new_moment_on_a_big_wall_comes_to_the_first_page_highlighted_and_announced(
    live_server: LiveServer, browser, artifacts: Path, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    project = factories.make_project(live_server.ctx)
    url = _wall_project(live_server, 500, tmp_path, project)("nl")[0]
    with _opened(browser, url, 1920, 1080, "nl-NL") as (page, _):
        for _ in range(2):  # two pages on: the room is looking at older moments
            page.keyboard.press("ArrowRight")
            wait_for_js(page, "!document.querySelector('#wall .leaving')")
        dom_before = page.evaluate("document.querySelectorAll('#wall .tile').length")
        (new_id,) = factories.add_shown_moments(live_server.ctx, project, 1, tmp_path, first=500)
        wait_for_js(page, f"!!document.querySelector('#wall .wall-page:not(.waiting) #wall-{new_id}.newest')",
                    timeout_ms=15000)
        assert page.evaluate(SHOWN_IDS)[0] == f"wall-{new_id}"  # top left of the first page
        assert page.text_content("#wall-news").startswith("Nieuw: ")  # type: ignore[union-attr]
        assert page.evaluate("document.querySelectorAll('#wall .tile').length") <= dom_before + 2
        assert page.inner_text("#wall-count") == "501"
        wait_for_js(page, "!document.getAnimations().some(a => a.effect.target.closest('#wall'))")
        page.screenshot(path=str(artifacts / "wall-500-new-arrival-nl.png"))


SLIDE_READY = "document.getElementById('slide-img').complete"


def test_the_qr_code_scans_from_a_quarter_size_screenshot(
    live_server: LiveServer, browser, artifacts: Path, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    wall = _wall_project(live_server, 40, tmp_path)
    for lang, locale in (("en", "en-GB"), ("nl", "nl-NL")):
        url, invite = wall(lang)
        for view in ("wall", "slides"):
            ready = SLIDE_READY if view == "slides" else "true"
            with _opened(browser, url.replace("view=wall", f"view={view}"), 1920, 1080, locale, ready=ready) as (
                    page, _):
                page.wait_for_load_state("networkidle")
                shot = Image.open(io.BytesIO(page.screenshot())).convert("L")
                small = shot.resize((shot.width // 4, shot.height // 4), Image.Resampling.BILINEAR)
                small.save(artifacts / f"wall-qr-25pct-{view}-{lang}.png")
                decoded = [r.text for r in zxingcpp.read_barcodes(small)]
                assert decoded == [invite], decoded
                printed = page.inner_text(".join p").replace("\n", " ")
                assert invite.split("://", 1)[1] in printed.replace(" ", "").replace("\u200b", "")


def test_the_questions_panel_hides_the_slide_caption(
    live_server: LiveServer, browser, artifacts: Path, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    url = _wall_project(live_server, 10, tmp_path)("nl")[0]
    with _opened(browser, url.replace("view=wall", "view=slides&prompt=1"), 1920, 1080, "nl-NL",
                 ready=SLIDE_READY) as (page, _):
        assert page.is_visible("#prompt")
        background = page.evaluate("getComputedStyle(document.getElementById('prompt')).backgroundColor")
        assert background.startswith("rgb("), background  # opaque: rgba(...) would let the slide through
        assert not page.is_visible("#slide-caption") and not page.is_visible("#slide-time")
        page.screenshot(path=str(artifacts / "present-prompt-over-slide-1920-nl.png"))
        page.keyboard.press("Escape")
        assert page.is_visible("#slide-caption")
