"""Presentation mode: the read-only present link, its checked media routes, the live wall stream, notes."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

from fastapi.testclient import TestClient

from app.context import Context
from app.models import Moment, Project
from tests import factories
from tests.web.test_staff_pages import add_moment, approve_all, sign_in
from tests.web.test_staff_renders import TINY_FILM


def present_token(ctx: Context, project_id: int) -> str:
    with ctx.sessions() as s:
        token = s.get(Project, project_id).present_token  # type: ignore[union-attr]
    assert token
    return token


def test_present_link_works_without_sign_in_and_reaches_only_this_project(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    shown = add_moment(client, project.invite_token, tmp_path, 8, caption="ontbijt")
    pending = add_moment(client, project.invite_token, tmp_path, 9, colour="green")
    with ctx.sessions() as s:
        s.get(Moment, shown).status = "approved"  # type: ignore[union-attr]
        s.commit()
    csrf = sign_in(client, staff)
    client.post(f"/staff/projects/{project.id}/films", data={"csrf": csrf, **TINY_FILM})
    client.cookies.clear()  # from here on: no staff session
    token = present_token(ctx, project.id)
    page = client.get(f"/p/{token}")
    assert page.status_code == 200 and "ontbijt" in page.text and "<svg" in page.text
    assert 'id="note-form"' not in page.text  # read-only: notes are shown, not typed
    data = json.loads(re.search(r'id="present-data">(.*?)</script>', page.text, re.S).group(1))  # type: ignore[union-attr]
    assert [m["id"] for m in data["slides"]] == [shown]
    assert data["slides"][0]["thumb"].startswith(f"/p/{token}/media/{shown}/")
    assert client.get(data["slides"][0]["thumb"]).headers["content-type"] == "image/jpeg"
    with ctx.sessions() as s:
        digest = s.get(Moment, pending).sha256[:16]  # type: ignore[union-attr]
        shown_digest = s.get(Moment, shown).sha256[:16]  # type: ignore[union-attr]
    assert client.get(f"/p/{token}/media/{pending}/{digest}/thumb").status_code == 404  # not approved
    assert client.get(f"/p/{token}/media/{shown}/{shown_digest}/thumb").status_code == 200
    assert client.get(f"/p/{token}/media/{shown}/{shown_digest}/original").status_code == 404  # thumbs only
    film = re.search(rf'src="(/p/{token}/renders/\d+/file)"', page.text).group(1)  # type: ignore[union-attr]
    ranged = client.get(film, headers={"range": "bytes=10-19"})
    assert ranged.status_code == 206 and len(ranged.content) == 10
    # the token opens nothing of the staff side, nor another project's presentation
    assert client.get(f"/staff/projects/{project.id}/present", follow_redirects=False).status_code == 303
    assert client.get(data["slides"][0]["thumb"].replace(f"/p/{token}", "/media/moments")).status_code == 404
    other = factories.make_project(ctx)
    other_token = present_token(ctx, other.id)
    assert client.get(f"/p/{other_token}/media/{shown}/{shown_digest}/thumb").status_code == 404
    assert client.get(film.replace(token, other_token)).status_code == 404
    assert client.get("/p/not-a-token").status_code == 404


def test_present_link_can_be_rotated_and_revoked(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef
) -> None:
    old = present_token(ctx, project.id)
    csrf = sign_in(client, staff)
    client.post(f"/staff/projects/{project.id}/present-link", data={"csrf": csrf, "action": "rotate"})
    new = present_token(ctx, project.id)
    assert new != old
    assert client.get(f"/p/{old}").status_code == 404 and client.get(f"/p/{new}").status_code == 200
    client.post(f"/staff/projects/{project.id}/present-link", data={"csrf": csrf, "action": "revoke"})
    assert client.get(f"/p/{new}").status_code == 404
    assert "switched off" in client.get(f"/staff/projects/{project.id}/settings").text


def test_live_wall_stream_sends_a_moment_approved_after_the_page_opened(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    before = add_moment(client, project.invite_token, tmp_path, 8)
    approve_all(ctx, project.id)
    page = client.get(f"/p/{present_token(ctx, project.id)}").text
    data = json.loads(re.search(r'id="present-data">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    new = add_moment(client, project.invite_token, tmp_path, 14, caption="net binnen", colour="green")

    def approve_soon() -> None:
        time.sleep(0.3)
        approve_all(ctx, project.id)

    threading.Thread(target=approve_soon).start()
    with client.stream("GET", data["events"], params={"since": data["since"], "after": data["after"],
                                                      "limit_s": 2}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        body = "".join(r.iter_text())
    events = [json.loads(line[6:]) for line in body.splitlines() if line.startswith("data: ")]
    assert [e["id"] for e in events] == [new] and events[0]["caption"] == "net binnen"
    assert before not in [e["id"] for e in events]
    assert re.search(r"^id: \S+\|\d+$", body, re.M)
    # resuming from the last event id sends nothing twice
    last_id = re.findall(r"^id: (\S+)$", body, re.M)[-1]
    with client.stream("GET", data["events"], params={"limit_s": 1}, headers={"last-event-id": last_id}) as r:
        assert "data: " not in "".join(r.iter_text())


def test_staff_present_page_takes_notes_and_the_wall_stream_needs_sign_in(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef
) -> None:
    assert client.get(f"/staff/projects/{project.id}/present/events").status_code == 401
    csrf = sign_in(client, staff)
    page = client.get(f"/staff/projects/{project.id}/present").text
    assert 'id="note-form"' in page and "through the customer&#39;s eyes" in page.replace("\\u0027", "&#39;")
    nl = client.get(f"/staff/projects/{project.id}/present?lang=nl").text
    assert "Wat blijft, wat verandert, wat willen we laten groeien?" in nl
    url = f"/staff/projects/{project.id}/notes"
    assert client.post(url, json={"body": "Meer licht"}).status_code == 403  # no CSRF header
    assert client.post(url, json={"body": "  "}, headers={"x-csrf-token": csrf}).status_code == 422
    note = client.post(url, json={"body": "Meer licht", "prompt": "Wat blijft?"}, headers={"x-csrf-token": csrf})
    assert note.status_code == 201 and note.json()["body"] == "Meer licht"
    assert "Meer licht" in client.get(f"/staff/projects/{project.id}/present").text
    assert "Meer licht" in client.get(f"/staff/projects/{project.id}/settings").text
    client.post(f"/staff/projects/{project.id}/notes/{note.json()['id']}/delete", data={"csrf": csrf})
    assert "Meer licht" not in client.get(f"/staff/projects/{project.id}/settings").text
    with client.stream("GET", f"/staff/projects/{project.id}/present/events", params={"limit_s": 1}) as r:
        assert r.status_code == 200 and "retry:" in "".join(r.iter_text())
