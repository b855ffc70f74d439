"""The contributor's invalid-link page (friendly, one heading, in the page's language) and times on "my moments"
shown and typed in the project's zone, the same way the upload page shows them."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.context import Context
from app.db import session_scope
from app.models import Moment, Project
from app.services import projects
from tests import factories
from tests.mediagen import make_photo
from tests.web.test_contribute import csrf_of, soup, upload


@pytest.mark.parametrize(("how", "lang", "title", "sentence"), [
    ({"headers": {"Accept-Language": "nl-NL,nl;q=0.9"}}, "nl", "Deze link werkt niet",
     "Sorry, we kunnen deze uitnodiging niet vinden."),
    ({"params": {"lang": "nl"}}, "nl", "Deze link werkt niet", "Sorry, we kunnen deze uitnodiging niet vinden."),
    ({"headers": {"Accept-Language": "en-GB,en;q=0.9"}}, "en", "This link does not work",
     "Sorry, we cannot find this invitation."),
])
def test_an_unknown_invite_link_gets_a_friendly_page_in_the_page_language(
    client: TestClient, how: dict[str, dict[str, str]], lang: str, title: str, sentence: str
) -> None:
    r = client.get("/c/not-a-real-token", **how)  # type: ignore[arg-type]
    assert r.status_code == 404
    page = soup(r.text)
    assert page.select_one("html")["lang"] == lang  # type: ignore[index]
    assert [h.get_text() for h in page.select("h1")] == [title]
    assert sentence in page.select_one("main").get_text()  # type: ignore[union-attr]
    assert "not valid" not in r.text  # no English server sentence on a Dutch page (or any page)
    assert title in page.select_one("title").get_text()  # type: ignore[union-attr]


def test_a_rotated_invite_and_a_made_up_private_link_get_the_same_friendly_page(
    client: TestClient, project: factories.ProjectRef, ctx: Context
) -> None:
    with session_scope(ctx.sessions) as s:
        p = s.get(Project, project.id)
        assert p is not None
        old, new = p.invite_token, projects.rotate_invite(session=s, project=p).invite_token
    rotated = client.get(f"/c/{old}", headers={"Accept-Language": "nl-BE,nl;q=0.9,en;q=0.5"})
    assert rotated.status_code == 404 and old != new
    assert [h.get_text() for h in soup(rotated.text).select("h1")] == ["Deze link werkt niet"]
    assert "Sorry, we kunnen deze uitnodiging niet vinden." in rotated.text
    mine = client.get(f"/c/{new}/me/made-up", headers={"Accept-Language": "nl"})
    assert mine.status_code == 404
    page = soup(mine.text)
    assert [h.get_text() for h in page.select("h1")] == ["Deze link werkt niet"]
    assert "Sorry, we kunnen de momenten achter deze link niet vinden." in page.get_text()
    me = client.get("/c/gone/me", headers={"Accept-Language": "en"})
    assert me.status_code == 404 and [h.get_text() for h in soup(me.text).select("h1")] == ["This link does not work"]


def test_my_moments_shows_and_takes_times_in_the_project_zone(
    client: TestClient, project: factories.ProjectRef, ctx: Context, tmp_path: Path
) -> None:
    # taken in New York (EXIF offset -04:00); the project is in Amsterdam: 10:05 there is 16:05 here
    photo = make_photo(tmp_path / "ny.jpg", taken=datetime(2024, 7, 24, 10, 5), offset="-04:00")
    moment = upload(client, project.invite_token, photo)
    assert (moment["captured_local"], moment["utc_offset"]) == ("2024-07-24T10:05:00", "-04:00")
    page = client.get(f"/c/{project.invite_token}/me")
    card = soup(page.text).select_one(f"#moment-{moment['id']}")
    assert card.select_one("input[type=datetime-local]")["value"] == "2024-07-24T16:05"  # type: ignore[index,union-attr]
    assert "24 Jul 2024, 16:05" in card.get_text()  # type: ignore[union-attr]
    base = f"/c/{project.invite_token}/me/moments/{moment['id']}"
    # saving the time it showed leaves the moment's own time alone
    client.post(base, data={"csrf": csrf_of(page.text), "caption": "x", "captured_local": "2024-07-24T16:05"})
    with ctx.sessions() as s:
        m = s.get(Moment, moment["id"])
        assert m is not None and (m.captured_local, m.utc_offset_min) == (datetime(2024, 7, 24, 10, 5), -240)
    # a typed time is wall-clock time in the project's zone
    client.post(base, data={"csrf": csrf_of(page.text), "caption": "x", "captured_local": "2024-07-24T17:30"})
    with ctx.sessions() as s:
        m = s.get(Moment, moment["id"])
        assert m is not None and (m.captured_local, m.utc_offset_min) == (datetime(2024, 7, 24, 17, 30), 120)


def test_new_links_are_easy_to_type_and_old_links_keep_working(client: TestClient, ctx: Context) -> None:
    project = factories.make_project(ctx)
    token = project.invite_token
    assert re.fullmatch(r"[2-9a-hjkmnp-z]{4}(-[2-9a-hjkmnp-z]{4}){3}", token), token  # no 0/O, 1/l/I
    assert client.get(f"/c/{token}").status_code == 200
    assert client.get(f"/c/{token.upper()}").status_code == 200  # typed from a slide in capitals
    with ctx.sessions() as s:  # a link made before: mixed case, and it keeps working exactly as it is
        row = s.get(Project, project.id)
        assert row is not None
        row.invite_token = "etyfNBZ3LLrDNm8Y"
        s.commit()
    assert client.get("/c/etyfNBZ3LLrDNm8Y").status_code == 200
    assert client.get("/c/etyfnbz3llrdnm8y").status_code == 404
