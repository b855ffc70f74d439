"""The contributor side: invite page in two languages, QR codes, consent scopes, and "my moments"."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from PIL import Image

from app.context import Context
from app.db import session_scope
from app.main import create_app
from app.models import Moment, Project, Render
from app.services import rendering
from tests import factories
from tests.mediagen import make_photo


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def csrf_of(html: str) -> str:
    found = soup(html).select_one("input[name=csrf]")
    assert found is not None
    return str(found["value"])


def set_project(ctx: Context, project_id: int, **values: object) -> None:
    with session_scope(ctx.sessions) as s:
        p = s.get(Project, project_id)
        for k, v in values.items():
            setattr(p, k, v)


def upload(client: TestClient, token: str, path: Path, **fields: object) -> dict[str, object]:
    data = {"consent": "true", **{k: str(v) for k, v in fields.items()}}
    with path.open("rb") as fh:
        r = client.post(f"/api/invites/{token}/moments", files={"file": (path.name, fh)}, data=data)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    """A JPEG with an EXIF time."""
    return make_photo(tmp_path / "ontbijt.jpg", size=(200, 150), taken=datetime(2024, 7, 24, 7, 15), offset="+02:00")


# --- invite page -------------------------------------------------------------------------------------


def test_invite_page_shows_title_date_welcome_and_consent_in_english_and_dutch(
    client: TestClient, project: factories.ProjectRef, ctx: Context
) -> None:
    set_project(ctx, project.id, welcome_text="Laat zien hoe jouw dag eruitziet.", consent_text="Ik doe mee.")
    en = soup(client.get(f"/c/{project.invite_token}", headers={"Accept-Language": "en-GB,en;q=0.9"}).text)
    assert en.select_one("html")["lang"] == "en"  # type: ignore[index]
    assert en.select_one("h1").get_text() == "Een dag in het ziekenhuis"  # type: ignore[union-attr]
    assert "24 July 2024" in en.text and "Laat zien hoe jouw dag eruitziet." in en.text
    assert "Ik doe mee." in en.select_one("#uploader").text  # type: ignore[union-attr]
    assert "up to 2048 MB each; clips up to 10 minutes" in en.select_one("#u-limits").text  # type: ignore[union-attr]
    nl = soup(client.get(f"/c/{project.invite_token}", headers={"Accept-Language": "nl-NL,nl;q=0.9"}).text)
    assert nl.select_one("html")["lang"] == "nl"  # type: ignore[index]
    assert "Kies foto's en clips" in nl.text and "24 juli 2024" in nl.text
    assert "Ik doe mee." in nl.select_one("#uploader").text  # type: ignore[union-attr]
    config = json.loads(nl.select_one("#dayreel-config").text)  # type: ignore[union-attr]
    assert config["text"]["state.done"] == "Klaar"
    assert dict(config["errors"])["larger than the limit"] == "Dit bestand is groter dan de grens van 2048 MB."
    # the switch: ?lang= wins over Accept-Language and is remembered
    switched = client.get(f"/c/{project.invite_token}?lang=en", headers={"Accept-Language": "nl"})
    assert soup(switched.text).select_one("html")["lang"] == "en"  # type: ignore[index]


def test_our_default_consent_text_follows_the_contributors_language(
    client: TestClient, project: factories.ProjectRef
) -> None:
    nl = soup(client.get(f"/c/{project.invite_token}?lang=nl").text).select_one("#u-consent + span")
    assert nl is not None and nl.text.startswith("Ik geef toestemming dat dayreel")
    en = soup(client.get(f"/c/{project.invite_token}?lang=en").text).select_one("#u-consent + span")
    assert en is not None and en.text.startswith("I agree that dayreel keeps")


def test_file_inputs_ask_for_explicit_types_so_phones_send_originals(
    client: TestClient, project: factories.ProjectRef
) -> None:
    page = soup(client.get(f"/c/{project.invite_token}").text)
    for field in page.select("input[type=file]"):
        accept = str(field["accept"])
        assert accept.startswith("image/heic,image/heif") and "image/*" not in accept and "video/quicktime" in accept
    assert page.select_one("#u-files").has_attr("multiple")  # type: ignore[union-attr]


def test_closed_project_says_so_and_refuses_the_plain_form(
    client: TestClient, project: factories.ProjectRef, ctx: Context, photo: Path
) -> None:
    page = client.get(f"/c/{project.invite_token}").text
    token = csrf_of(page)
    set_project(ctx, project.id, contributions_open=False)
    closed = soup(client.get(f"/c/{project.invite_token}").text)
    assert "does not take new moments any more" in closed.select_one("[role=status]").text  # type: ignore[union-attr]
    assert closed.select_one("input[type=file]") is None
    # what was shared can still be seen, changed or withdrawn
    assert closed.select_one(f"a[href='/c/{project.invite_token}/me']") is not None
    with photo.open("rb") as fh:
        r = client.post(f"/c/{project.invite_token}", files={"file": ("a.jpg", fh)},
                        data={"consent": "true", "csrf": token})
    assert r.status_code == 403 and "does not take new moments" in r.text


def test_plain_form_needs_its_csrf_token_and_then_links_to_my_moments(
    client: TestClient, project: factories.ProjectRef, photo: Path
) -> None:
    token = csrf_of(client.get(f"/c/{project.invite_token}").text)  # the page gives this browser its session
    with photo.open("rb") as fh:
        r = client.post(f"/c/{project.invite_token}", files={"file": ("a.jpg", fh)}, data={"consent": "true"})
    assert r.status_code == 403  # a browser with our cookie must send the page's token
    with photo.open("rb") as fh:
        r = client.post(f"/c/{project.invite_token}", files={"file": ("a.jpg", fh)},
                        data={"consent": "true", "csrf": token, "caption": "Koffie"})
    assert r.status_code == 200
    link = soup(r.text).select_one(".private-link a")
    assert link is not None and re.fullmatch(rf"/c/{project.invite_token}/me/[\w-]+", str(link["href"]))
    assert link.text.startswith("http://testserver/c/")


def test_consent_scope_choice_only_when_the_project_allows_several(
    client: TestClient, project: factories.ProjectRef, ctx: Context, photo: Path
) -> None:
    page = soup(client.get(f"/c/{project.invite_token}").text)
    assert page.select("#uploader input[type=radio][name=consent_scope]") == []
    set_project(ctx, project.id, settings={"consent_scopes": ["workshop", "organisation"]})
    page = soup(client.get(f"/c/{project.invite_token}").text)
    values = [r["value"] for r in page.select("#uploader input[type=radio][name=consent_scope]")]
    assert values == ["workshop", "organisation"]
    token = csrf_of(str(page))
    with photo.open("rb") as fh:
        r = client.post(f"/c/{project.invite_token}", files={"file": ("a.jpg", fh)},
                        data={"consent": "true", "csrf": token, "consent_scope": "public"})
    assert r.status_code == 422 and "consent scope" in r.text
    with photo.open("rb") as fh:
        r = client.post(f"/c/{project.invite_token}", files={"file": ("a.jpg", fh)},
                        data={"consent": "true", "csrf": token, "consent_scope": "organisation"})
    assert r.status_code == 200
    with ctx.sessions() as s:
        moment = s.query(Moment).one()
        assert (moment.consent_scope, moment.consent_version) == ("organisation", 1)


# --- QR codes ----------------------------------------------------------------------------------------


def test_qr_codes_for_the_invite_link_and_none_after_rotation(
    client: TestClient, project: factories.ProjectRef, ctx: Context
) -> None:
    png = client.get(f"/c/{project.invite_token}/qr.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert Image.open(io.BytesIO(png.content)).size[0] >= 300  # big enough for a slide
    svg = client.get(f"/c/{project.invite_token}/qr.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml") and "<path" in svg.text
    assert 'filename="dayreel-invite.svg"' in svg.headers["content-disposition"]
    set_project(ctx, project.id, invite_token="rotated-token")
    assert client.get(f"/c/{project.invite_token}/qr.png").status_code == 404
    assert client.get(f"/c/{project.invite_token}").status_code == 404


# --- my moments --------------------------------------------------------------------------------------


@pytest.fixture
def second(ctx: Context) -> TestClient:
    """Another phone: the same app, its own cookies."""
    return TestClient(create_app(ctx=ctx))


def test_private_link_sets_the_cookie_and_shows_only_ones_own_moments(
    client: TestClient, second: TestClient, project: factories.ProjectRef, photo: Path, tmp_path: Path
) -> None:
    mine = upload(client, project.invite_token, photo, caption="Mijn ontbijt")
    cookie = client.cookies.get(f"dayreel_contributor_{project.id}")
    other_photo = make_photo(tmp_path / "b.jpg", colour="green")
    theirs = upload(second, project.invite_token, other_photo, caption="Van een ander")
    # a third device opens my private link: it sees my moment, not theirs
    third = TestClient(create_app(ctx=client.app.state.ctx))  # type: ignore[attr-defined]
    r = third.get(f"/c/{project.invite_token}/me/{cookie}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/c/{project.invite_token}/me"
    page = soup(third.get(f"/c/{project.invite_token}/me").text)
    assert [li["id"] for li in page.select("li.moment")] == [f"moment-{mine['id']}"]
    assert "Van een ander" not in page.text
    # thumbnails come through the checked media route: mine yes, theirs no
    assert third.get(str(mine["original_url"])).status_code == 200
    assert third.get(str(theirs["original_url"])).status_code == 404
    # a made-up private link opens nothing
    assert third.get(f"/c/{project.invite_token}/me/not-a-token").status_code == 404


def test_other_contributor_cannot_edit_or_delete_my_moment(
    client: TestClient, second: TestClient, project: factories.ProjectRef, photo: Path, tmp_path: Path, ctx: Context
) -> None:
    mine = upload(client, project.invite_token, photo, caption="Van mij")
    upload(second, project.invite_token, make_photo(tmp_path / "b.jpg", colour="green"))
    api = f"/api/invites/{project.invite_token}/me/moments/{mine['id']}"
    assert second.patch(api, json={"caption": "gekaapt"}).status_code == 404
    assert second.delete(api).status_code == 404
    assert [m["id"] for m in second.get(f"/api/invites/{project.invite_token}/me/moments").json()] != [mine["id"]]
    token = csrf_of(second.get(f"/c/{project.invite_token}/me").text)
    r = second.post(f"/c/{project.invite_token}/me/moments/{mine['id']}/delete", data={"csrf": token})
    assert r.status_code == 404
    with ctx.sessions() as s:
        assert s.get(Moment, mine["id"]).caption == "Van mij"  # type: ignore[union-attr]


def test_contributor_edits_caption_mood_and_time_and_confirms_a_guessed_time(
    client: TestClient, project: factories.ProjectRef, tmp_path: Path
) -> None:
    no_exif = make_photo(tmp_path / "scan.jpg", colour="orange")
    moment = upload(client, project.invite_token, no_exif, captured_at="2024-07-24T10:05:00+02:00")
    assert moment["time_confirmed"] is False
    api = f"/api/invites/{project.invite_token}/me/moments/{moment['id']}"
    r = client.patch(api, json={"confirm_time": True})
    assert r.status_code == 200 and r.json()["time_confirmed"] is True
    assert r.json()["captured_local"] == "2024-07-24T10:05:00"
    r = client.patch(api, json={"caption": "Koffie om tien", "mood": 5, "captured_local": "2024-07-24T10:20:00+02:00"})
    body = r.json()
    assert (body["caption"], body["mood"], body["captured_local"], body["utc_offset"], body["time_source"]) == (
        "Koffie om tien", 5, "2024-07-24T10:20:00", "+02:00", "corrected")
    assert client.patch(api, json={"mood": 9}).status_code == 422
    assert client.patch(api, json={"status": "approved"}).json()["status"] == "pending"  # not theirs to decide


def test_my_moments_form_saves_and_deletes(client: TestClient, project: factories.ProjectRef, photo: Path) -> None:
    moment = upload(client, project.invite_token, photo)
    page = client.get(f"/c/{project.invite_token}/me")
    assert page.headers["cache-control"] == "no-store"
    token = csrf_of(page.text)
    base = f"/c/{project.invite_token}/me/moments/{moment['id']}"
    r = client.post(base, data={"csrf": token, "caption": "Nieuw", "captured_local": "2024-07-24T08:00", "mood": "3"})
    assert r.status_code == 200 and "Your changes are saved." in r.text
    edited = soup(r.text).select_one(f"#moment-{moment['id']}")
    assert edited.select_one("textarea").text == "Nieuw"  # type: ignore[union-attr]
    assert edited.select_one("input[type=datetime-local]")["value"] == "2024-07-24T08:00"  # type: ignore[index,union-attr]
    assert edited.select_one("input[name=mood][checked]")["value"] == "3"  # type: ignore[index,union-attr]
    assert "24 Jul 2024, 08:00" in edited.text  # shown in the project's zone (Amsterdam), as it was typed
    nl = soup(client.get(f"/c/{project.invite_token}/me?lang=nl").text).select_one(f"#moment-{moment['id']}")
    assert nl is not None and "24 jul 2024, 08:00" in nl.text  # written the page language's way
    client.cookies.delete("lang")  # ?lang= is remembered; the rest of the test reads English
    r = client.post(f"{base}/delete", data={"csrf": token})
    assert r.status_code == 200 and "The moment was deleted." in r.text
    assert soup(r.text).select("li.moment") == []


def test_delete_removes_unshared_files_keeps_shared_ones_and_outdates_renders(
    client: TestClient, project: factories.ProjectRef, ctx: Context, photo: Path, tmp_path: Path
) -> None:
    shared = upload(client, project.invite_token, photo)
    alone = upload(client, project.invite_token, make_photo(tmp_path / "solo.jpg", colour="cyan"))
    other_project = factories.make_project(ctx)
    other = TestClient(create_app(ctx=ctx))
    upload(other, other_project.invite_token, photo)  # the same bytes in another project
    with session_scope(ctx.sessions) as s:
        for m in s.query(Moment).filter(Moment.project_id == project.id):
            m.status = "approved"
        s.flush()
        p = s.get(Project, project.id)
        s.add(Render(project_id=project.id, kind="film", status="done",
                     moments_digest=rendering.moments_digest(s, p)))  # type: ignore[arg-type]
    with ctx.sessions() as s:
        keys = {m.id: [m.storage_key, m.thumb_key, m.preview_key] for m in s.query(Moment)}
    assert all(ctx.storage.exists(k) for k in keys[alone["id"]] if k)  # type: ignore[index]

    for m in (shared, alone):
        r = client.delete(f"/api/invites/{project.invite_token}/me/moments/{m['id']}")
        assert r.status_code == 204
    assert not any(ctx.storage.exists(k) for k in keys[alone["id"]] if k)  # type: ignore[index]
    assert all(ctx.storage.exists(k) for k in keys[shared["id"]] if k)  # type: ignore[index]
    with ctx.sessions() as s:
        render = s.query(Render).one()
        assert rendering.is_outdated(session=s, render=render)
        assert s.get(Moment, shared["id"]) is None  # type: ignore[arg-type]


def test_saving_the_form_with_the_time_unchanged_confirms_it_without_correcting_it(
    client: TestClient, project: factories.ProjectRef, tmp_path: Path, ctx: Context
) -> None:
    photo = make_photo(tmp_path / "x.jpg")
    moment = upload(client, project.invite_token, photo, captured_at="2024-07-24T10:05:42+02:00")
    token = csrf_of(client.get(f"/c/{project.invite_token}/me").text)
    client.post(f"/c/{project.invite_token}/me/moments/{moment['id']}",
                data={"csrf": token, "caption": "Koffie", "captured_local": "2024-07-24T10:05"})
    with ctx.sessions() as s:
        saved = s.get(Moment, moment["id"])
        assert saved is not None
        assert (saved.caption, saved.time_confirmed, saved.time_source) == ("Koffie", True, "client")
        assert saved.captured_local == datetime(2024, 7, 24, 10, 5, 42)
