"""Every staff and contributor page fits a phone, a laptop, a 1080p projector and a 4K screen, in English and Dutch,
on a demo project: no text sticks out of its box, the page never scrolls sideways, nothing hides under a fixed
bar. Each page is loaded once per language and then looked at in every size (set_viewport_size); a viewport
screenshot of each lands in test-artifacts/pages-fit/ for people to look at."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from app import demo, jobs
from app.config import Settings
from app.context import build_context
from app.db import session_scope
from app.demo import DEMO_DAY, DEMO_EMAIL, DEMO_PASSWORD
from app.models import Project
from app.services import rendering
from app.services.ingest import UploadFields, ingest_upload
from tests.browser.conftest import LiveServer, serve
from tests.mediagen import make_clip, make_photo

pytestmark = pytest.mark.browser

SIZES = ((390, 844), (1440, 900), (1920, 1080), (3840, 2160))
# a caption with a word longer than a phone's line and a Dutch compound: wraps, never sticks out
LONG_CAPTION = ("Klanttevredenheidsonderzoeksresultatenpresentatie bij de koffieautomaat, met taart voor "
                "iedereen die vandaag heeft meegeholpen")
# horizontal scroll boxes that are meant to scroll (wide tables, the tab row on a phone); any other must fit
SCROLL_BOXES = (".scroll", ".tabs")

# What counts as a failure, measured in the page (one round trip per page and size).
CHECK = (Path(__file__).with_name("pages_fit.js")).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Site:
    server: LiveServer
    project_id: int
    invite: str
    moment_id: int
    film_id: int
    other_contributor: str


def _add_long_caption_moment(ctx, project_id: int, folder: Path) -> str:  # type: ignore[no-untyped-def]
    """One more moment from a second phone, with a long caption; its contributor token (for the switch page)."""
    photo = make_photo(folder / "long.jpg", size=(480, 640))
    with session_scope(ctx.sessions) as session, photo.open("rb") as fh:
        project = session.get(Project, project_id)
        result = ingest_upload(session=session, storage=ctx.storage, settings=ctx.settings, project=project,
                               source=fh, fields=UploadFields(caption=LONG_CAPTION, alias="Wilhelmina", consent=True,
                                                              role="customer", original_name="long.jpg",
                                                              captured_at=datetime(2026, 7, 24, 13, 5)))
        assert result.contributor_token
        return result.contributor_token


def _small_clip(path: Path, hhmm: str, seed: int) -> None:
    """The demo's clip in miniature (1 s, 320x180, the same local time): pages look the same, setup is quick."""
    utc = datetime.combine(DEMO_DAY, time(int(hhmm[:2]), int(hhmm[3:]))) - timedelta(hours=2)  # Amsterdam, July
    make_clip(path, size=(320, 180) if seed % 2 else (180, 320), duration_s=1.0, fps=5,
              creation_time=f"{utc:%Y-%m-%dT%H:%M:%S}Z")


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    """The English demo project (its moments and captions, small clips, one long caption), a tiny film and a
    collage."""
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        patch.setattr(demo, "write_clip", _small_clip)
        settings = Settings(data_dir=Path(tmp) / "data", queue_backend="immediate", environment="test",
                            secret_key="test-secret-0123456789", public_base_url="http://testserver",
                            render_workers=1)
        ctx = build_context(settings)
        jobs.configure(ctx)
        for _ in demo.create_demo(ctx, render=False, language="en"):
            pass
        with session_scope(ctx.sessions) as session:
            project = session.query(Project).one()
            project_id, invite = project.id, project.invite_token
        other = _add_long_caption_moment(ctx, project_id, Path(tmp))
        with session_scope(ctx.sessions) as session:
            project = session.get(Project, project_id)
            for m in project.moments:
                m.status = "approved"
            moment_id = max(m.id for m in project.moments)
            film = rendering.request_render(session=session, project=project, kind="film", user=None, options={
                "size": "160x90", "fps": 2, "quality": "preview", "target_length_s": 12})
            collage = rendering.request_render(session=session, project=project, kind="collage", user=None,
                                               options={"layout": "grid", "width": 320, "height": 180})
            film_id, collage_id = film.id, collage.id
        rendering.run_render(film_id, ctx=ctx)
        rendering.run_render(collage_id, ctx=ctx)
        with serve(ctx) as server:
            yield Site(server, project_id, invite, moment_id, film_id, other)
        ctx.engine.dispose()


@pytest.fixture(scope="module")
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": SIZES[0][0], "height": SIZES[0][1]})
    yield context.new_page()
    context.close()


def _look(page, label: str, lang: str, shots: Path) -> list[str]:  # type: ignore[no-untyped-def]
    """The page as loaded, in every size: what does not fit, and a screenshot of each."""
    problems = []
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        found = page.evaluate(CHECK, [list(SCROLL_BOXES)])
        problems += [f"{label} {lang} {width}x{height}: {p}" for p in found]
        page.screenshot(path=str(shots / f"{label}-{lang}-{width}x{height}.jpg"), type="jpeg", quality=80)
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
    return problems


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_every_page_fits_every_screen(site: Site, page, lang: str, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    shots = artifacts / "pages-fit"
    shots.mkdir(exist_ok=True)
    url, pid = site.server.url, site.project_id
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "lang", "value": lang, "url": url}])
    problems: list[str] = []

    def visit(label: str, path: str) -> None:
        response = page.goto(url + path)
        assert response is not None and response.status < 500, f"{label}: {response and response.status}"
        problems.extend(_look(page, label, lang, shots))

    # contributor pages: a stranger's link, the invite, the plain form's thanks, my moments, another's link
    visit("invalid", "/c/abcd-efgh-jkmn-pqrs")
    visit("invite", f"/c/{site.invite}")
    with tempfile.TemporaryDirectory() as tmp:
        page.set_input_files("#file", str(make_photo(Path(tmp) / "mine.jpg", size=(320, 240))))
        with page.expect_navigation():  # the form for phones without JavaScript (hidden when the uploader runs)
            page.evaluate("""([caption]) => { const form = document.getElementById('simple');
                form.caption.value = caption; form.consent.checked = true; form.submit(); }""", [LONG_CAPTION])
    assert page.locator("h1").count() == 1
    problems += _look(page, "thanks", lang, shots)
    visit("me", f"/c/{site.invite}/me")
    visit("switch", f"/c/{site.invite}/me/{site.other_contributor}")
    # staff pages
    visit("login", "/staff/login")
    page.fill("#email", DEMO_EMAIL)
    page.fill("#password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    for label, path in (("home", "/staff"), ("project", f"/staff/projects/{pid}"),
                        ("moments", f"/staff/projects/{pid}/moments"), ("moment", f"/staff/moments/{site.moment_id}"),
                        ("film", f"/staff/projects/{pid}/film"), ("collage", f"/staff/projects/{pid}/collage"),
                        ("lanes", f"/staff/projects/{pid}/lanes"), ("settings", f"/staff/projects/{pid}/settings"),
                        ("users", "/staff/users"), ("watch", f"/staff/renders/{site.film_id}"),
                        ("password", "/staff/password")):
        visit(label, path)
    assert page.locator("html").get_attribute("lang") == lang
    assert not problems, "\n".join(problems)


def test_the_check_sees_text_that_sticks_out(site: Site, page) -> None:  # type: ignore[no-untyped-def]
    """The measuring script itself: a caption forced onto one line in a narrow box is reported."""
    page.goto(f"{site.server.url}/staff/login")
    page.evaluate("""() => { const p = document.createElement('p');
        p.style.cssText = 'width:120px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis';
        p.textContent = 'Klanttevredenheidsonderzoeksresultatenpresentatie';
        document.querySelector('main').append(p); }""")
    found = page.evaluate(CHECK, [list(SCROLL_BOXES)])
    assert any("p overflows" in p and "Klanttevredenheid" in p for p in found), found
