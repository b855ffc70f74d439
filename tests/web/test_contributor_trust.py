"""Contributors cannot reach past their own moments: an edit goes back to review, a private link asks
before it switches identity, and the same bytes from two people are two moments."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.context import Context
from app.main import create_app
from app.models import Moment, Project
from tests import factories
from tests.mediagen import make_photo


def upload(client: TestClient, token: str, path: Path, **fields: object) -> tuple[int, dict[str, object]]:
    data = {"consent": "true", **{k: str(v) for k, v in fields.items()}}
    with path.open("rb") as fh:
        r = client.post(f"/api/invites/{token}/moments", files={"file": (path.name, fh)}, data=data)
    assert r.status_code in (200, 201), r.text
    return r.status_code, r.json()


def cookie_of(client: TestClient, project: factories.ProjectRef) -> str | None:
    return client.cookies.get(f"dayreel_contributor_{project.id}")


def slide_ids(client: TestClient, ctx: Context, project_id: int) -> dict[int, str]:
    """What the presentation link shows: moment id -> caption."""
    with ctx.sessions() as s:
        token = s.get(Project, project_id).present_token  # type: ignore[union-attr]
    page = client.get(f"/p/{token}").text
    data = json.loads(re.search(r'id="present-data">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    return {int(m["id"]): str(m["caption"]) for m in data["slides"]}


def status_of(ctx: Context, moment_id: int) -> str:
    with ctx.sessions() as s:
        return s.get(Moment, moment_id).status  # type: ignore[union-attr]


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    return make_photo(tmp_path / "koffie.jpg", size=(120, 90), taken=datetime(2024, 7, 24, 10, 5), offset="+02:00")


@pytest.fixture
def second(client: TestClient) -> Iterator[TestClient]:
    """A second phone on the same server."""
    with TestClient(create_app(ctx=client.app.state.ctx)) as c:  # type: ignore[attr-defined]
        yield c


# --- an edit of an approved moment goes back to review ---------------------------------------------


def test_contributor_edit_of_an_approved_moment_goes_back_to_review(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, photo: Path
) -> None:
    _, moment = upload(client, project.invite_token, photo, caption="Koffie", alias="Anna")
    mid = int(moment["id"])  # type: ignore[call-overload]
    r = client.patch(f"/api/moments/{mid}", json={"status": "approved"}, headers=staff.headers)
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert slide_ids(client, ctx, project.id) == {mid: "Koffie"}
    own = f"/api/invites/{project.invite_token}/me/moments/{mid}"
    # confirming the time changes nothing shown: it stays approved
    assert client.patch(own, json={"confirm_time": True}).json()["status"] == "approved"
    # the API edit of the caption: back to pending, off the presentation link
    r = client.patch(own, json={"caption": "Iets heel anders"})
    assert r.status_code == 200 and r.json()["status"] == "pending"
    assert slide_ids(client, ctx, project.id) == {}
    staff_view = client.get(f"/api/projects/{project.id}/moments", headers=staff.headers).json()
    assert [(m["id"], m["status"], m["caption"]) for m in staff_view] == [(mid, "pending", "Iets heel anders")]
    # approved again; the plain form saved unchanged (it sends the time it showed) keeps it approved
    client.patch(f"/api/moments/{mid}", json={"status": "approved"}, headers=staff.headers)
    page = BeautifulSoup(client.get(f"/c/{project.invite_token}/me").text, "html.parser")
    csrf = str(page.select_one("input[name=csrf]")["value"])  # type: ignore[index]
    shown = str(page.select_one(f"#moment-{mid} input[name=captured_local]")["value"])  # type: ignore[index]
    client.post(f"/c/{project.invite_token}/me/moments/{mid}",
                data={"csrf": csrf, "caption": "Iets heel anders ", "captured_local": shown})
    assert status_of(ctx, mid) == "approved"
    # the form changes the time: pending again
    r = client.post(f"/c/{project.invite_token}/me/moments/{mid}",
                    data={"csrf": csrf, "caption": "Iets heel anders", "captured_local": "2024-07-24T11:30"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert status_of(ctx, mid) == "pending" and slide_ids(client, ctx, project.id) == {}


def test_with_auto_approve_an_edit_stays_approved(client: TestClient, ctx: Context, photo: Path) -> None:
    project = factories.make_project(ctx, auto_approve=True)
    _, moment = upload(client, project.invite_token, photo, caption="Koffie")
    mid = int(moment["id"])  # type: ignore[call-overload]
    r = client.patch(f"/api/invites/{project.invite_token}/me/moments/{mid}", json={"caption": "Thee"})
    assert r.json()["status"] == "approved"
    assert slide_ids(client, ctx, project.id) == {mid: "Thee"}


# --- a private link asks before it switches ---------------------------------------------------------


def test_another_private_link_asks_before_switching_and_uploads_stay_mine(
    client: TestClient, second: TestClient, ctx: Context, project: factories.ProjectRef, tmp_path: Path
) -> None:
    _, mine = upload(client, project.invite_token, make_photo(tmp_path / "a.jpg", colour="red"), alias="Anna")
    my_cookie = cookie_of(client, project)
    _, theirs = upload(second, project.invite_token, make_photo(tmp_path / "b.jpg", colour="green"), alias="Bram")
    their_link = f"/c/{project.invite_token}/me/{cookie_of(second, project)}"
    # English and Dutch: the question names who this phone is signed in as; the cookie is unchanged
    for lang, question in (("en", "You are signed in as Anna on this phone — switch?"),
                           ("nl", "Je bent op deze telefoon aangemeld als Anna — wisselen?")):
        r = client.get(their_link, headers={"Accept-Language": lang}, follow_redirects=False)
        assert r.status_code == 200 and question in r.text
        assert "set-cookie" not in r.headers or f"dayreel_contributor_{project.id}" not in r.headers["set-cookie"]
        assert cookie_of(client, project) == my_cookie
    # not confirming: my moments are still mine, and a later upload joins them, not Bram's
    ids = [m["id"] for m in client.get(f"/api/invites/{project.invite_token}/me/moments").json()]
    assert ids == [mine["id"]]
    _, later = upload(client, project.invite_token, make_photo(tmp_path / "c.jpg", colour="blue"))
    with ctx.sessions() as s:
        owners = {m.id: m.contributor_id for m in s.query(Moment)}
    assert owners[int(later["id"])] == owners[int(mine["id"])] != owners[int(theirs["id"])]  # type: ignore[call-overload]
    # a switch needs the form's CSRF token
    form = BeautifulSoup(client.get(their_link).text, "html.parser").select_one("#switch form")
    assert form is not None
    assert client.post(str(form["action"]), data={"csrf": "wrong"}).status_code == 403
    assert cookie_of(client, project) == my_cookie
    # confirming switches: now this phone holds Bram's link
    csrf = str(form.select_one("input[name=csrf]")["value"])  # type: ignore[index]
    r = client.post(str(form["action"]), data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/c/{project.invite_token}/me"
    assert cookie_of(client, project) == cookie_of(second, project)
    assert [m["id"] for m in client.get(f"/api/invites/{project.invite_token}/me/moments").json()] == [theirs["id"]]


def test_own_private_link_or_a_fresh_phone_opens_without_asking(
    client: TestClient, second: TestClient, project: factories.ProjectRef, photo: Path
) -> None:
    upload(client, project.invite_token, photo)
    link = f"/c/{project.invite_token}/me/{cookie_of(client, project)}"
    assert client.get(link, follow_redirects=False).status_code == 303
    r = second.get(link, follow_redirects=False)
    assert r.status_code == 303 and cookie_of(second, project) == cookie_of(client, project)


# --- the same bytes from two contributors ------------------------------------------------------------


def test_same_bytes_from_a_second_contributor_make_a_moment_of_their_own(
    client: TestClient, second: TestClient, ctx: Context, project: factories.ProjectRef, photo: Path
) -> None:
    status, first = upload(client, project.invite_token, photo, caption="Mijn koffie", alias="Anna")
    assert status == 201
    status, other = upload(second, project.invite_token, photo, caption="Ook koffie", alias="Bram")
    assert status == 201 and other["id"] != first["id"]
    assert (other["caption"], other["alias"]) == ("Ook koffie", "Bram")
    # the same contributor sending it again gets their own moment back, not a third
    status, again = upload(client, project.invite_token, photo, caption="nog eens")
    assert status == 200 and again["id"] == first["id"] and again["caption"] == "Mijn koffie"
    with ctx.sessions() as s:
        a, b = s.get(Moment, first["id"]), s.get(Moment, other["id"])
        assert a is not None and b is not None and a.contributor_id != b.contributor_id
        assert a.storage_key == b.storage_key  # one file on disk for both
    # Bram deleting his moment leaves Anna's file in place
    r = second.delete(f"/api/invites/{project.invite_token}/me/moments/{other['id']}")
    assert r.status_code == 204
    assert client.get(str(first["original_url"])).status_code == 200
