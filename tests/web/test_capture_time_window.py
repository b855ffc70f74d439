"""A capture time a client sends for a project's moment lies near the project's day (2024-07-24 ± 400 days)
at every entry: direct and resumable upload, the API PATCH, the staff form and the contributor's own edit.
Outside it is a 422 with a sentence (Dutch on a Dutch contributor page), and nothing is stored."""

from __future__ import annotations

import base64
import re
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.context import Context
from app.models import Moment
from tests import factories
from tests.mediagen import make_photo
from tests.web.test_staff_pages import add_moment, sign_in

FAR = [
    "2019-01-01T10:00:00+01:00",  # years before the day
    "2025-09-01T10:00:00+02:00",  # 404 days after it
    "9999-12-31T23:00:00-05:00",  # its UTC instant is past datetime.max: this stopped every film of the project
    "0001-01-01T00:30:00+14:00",
]
NEAR = ["2023-06-21T10:00:00+02:00", "2025-08-27T23:59:00+02:00"]  # 399 days before, 399 after



def _moment(ctx: Context, moment_id: int) -> Moment:
    return factories.fresh(ctx, Moment, moment_id)

def _count(ctx: Context) -> int:
    with ctx.sessions() as s:
        return s.scalar(select(func.count()).select_from(Moment)) or 0



def _upload(client: TestClient, token: str, path: Path, **data: str) -> object:
    with path.open("rb") as fh:
        return client.post(f"/api/invites/{token}/moments", files={"file": (path.name, fh)},
                           data={"consent": "true", **data})


@pytest.mark.parametrize("when", FAR)
def test_upload_with_a_far_captured_at_is_refused_and_stores_nothing(
    client: TestClient, ctx: Context, project: factories.ProjectRef, tmp_path: Path, when: str
) -> None:
    photo = make_photo(tmp_path / "no-time.jpg", colour="blue")  # no EXIF: the client's time would be used
    r = _upload(client, project.invite_token, photo, captured_at=when)
    assert r.status_code == 422, r.text
    assert "too far from the project's day (2024-07-24)" in r.json()["detail"]
    assert "between 2023-06-20 and 2025-08-28" in r.json()["detail"]
    assert _count(ctx) == 0


@pytest.mark.parametrize("when", NEAR)
def test_upload_with_a_captured_at_inside_the_window_is_taken(
    client: TestClient, ctx: Context, project: factories.ProjectRef, tmp_path: Path, when: str
) -> None:
    photo = make_photo(tmp_path / "no-time.jpg", colour="green")
    r = _upload(client, project.invite_token, photo, captured_at=when)
    assert r.status_code == 201, r.text
    assert _moment(ctx, r.json()["id"]).captured_local == datetime.fromisoformat(when).replace(tzinfo=None)


def test_a_far_time_in_the_file_itself_is_kept_but_asked(
    client: TestClient, ctx: Context, project: factories.ProjectRef, tmp_path: Path
) -> None:
    """The camera's clock is not a client's input: the moment is taken with it, and the contributor is asked."""
    photo = make_photo(tmp_path / "old-clock.jpg", taken=datetime(2015, 3, 1, 9, 30), offset="+01:00")
    r = _upload(client, project.invite_token, photo)
    assert r.status_code == 201, r.text
    moment = _moment(ctx, r.json()["id"])
    assert (moment.captured_local, moment.time_source, moment.time_confirmed) == (
        datetime(2015, 3, 1, 9, 30), "exif", False)
    on_the_day = make_photo(tmp_path / "right-clock.jpg", taken=datetime(2024, 7, 24, 9, 30), offset="+02:00")
    assert _moment(ctx, _upload(client, project.invite_token, on_the_day).json()["id"]).time_confirmed is True


def test_resumable_upload_with_a_far_captured_at_is_refused_and_can_be_finished_right(
    client: TestClient, ctx: Context, project: factories.ProjectRef, tmp_path: Path
) -> None:
    data = make_photo(tmp_path / "tus.jpg", colour="orange").read_bytes()
    meta = {"filename": "tus.jpg", "filetype": "image/jpeg", "invite": project.invite_token, "consent": "1"}
    tus = {"Tus-Resumable": "1.0.0"}
    created = client.post("/api/uploads", headers={
        **tus, "Upload-Length": str(len(data)),
        "Upload-Metadata": ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in meta.items())})
    assert created.status_code == 201, created.text
    url = created.headers["location"]
    sent = client.patch(url, content=data, headers={**tus, "Upload-Offset": "0",
                                                    "Content-Type": "application/offset+octet-stream"})
    assert sent.status_code == 204, sent.text
    finish = f"/api/invites/{project.invite_token}/uploads/{url.rstrip('/').rsplit('/', 1)[1]}/finish"
    r = client.post(finish, json={"captured_at": "9999-12-31T23:00:00-05:00", "consent": True})
    assert r.status_code == 422 and "too far from the project's day" in r.json()["detail"]
    assert _count(ctx) == 0
    # a field mistake keeps the bytes: the same upload is finished with a right time
    r = client.post(finish, json={"captured_at": "2024-07-24T11:00:00+02:00", "consent": True})
    assert r.status_code == 201, r.text
    assert _moment(ctx, r.json()["id"]).captured_local == datetime(2024, 7, 24, 11, 0)


def test_staff_api_patch_refuses_a_far_time_and_applies_nothing(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    moment_id = add_moment(client, project.invite_token, tmp_path, 9, caption="before")
    for when in FAR:
        r = client.patch(f"/api/moments/{moment_id}", headers=staff.headers,
                         json={"captured_local": when, "caption": "after", "status": "approved"})
        assert r.status_code == 422, r.text
        assert "too far from the project's day" in r.json()["detail"]
    bad_offset = client.patch(f"/api/moments/{moment_id}", headers=staff.headers,
                              json={"captured_local": "2024-07-24T10:00:00+23:00"})
    assert bad_offset.status_code == 422 and "UTC offset" in bad_offset.json()["detail"]
    moment = _moment(ctx, moment_id)
    assert (moment.captured_local, moment.caption, moment.status) == (datetime(2024, 7, 24, 9, 0), "before", "pending")
    ok = client.patch(f"/api/moments/{moment_id}", headers=staff.headers,
                      json={"captured_local": "2024-07-25T08:00:00+02:00"})
    assert ok.status_code == 200 and _moment(ctx, moment_id).captured_local == datetime(2024, 7, 25, 8, 0)


def test_staff_form_refuses_a_far_time(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    moment_id = add_moment(client, project.invite_token, tmp_path, 9, caption="before")
    csrf = sign_in(client, staff)
    r = client.post(f"/staff/moments/{moment_id}", data={"csrf": csrf, "local_time": "1900-01-01T10:00",
                                                          "caption": "after", "mood": ""}, follow_redirects=False)
    assert r.status_code == 422 and "too far from the project" in r.text
    assert (_moment(ctx, moment_id).captured_local, _moment(ctx, moment_id).caption) == (
        datetime(2024, 7, 24, 9, 0), "before")


def _own_moment(client: TestClient, token: str, tmp_path: Path) -> int:
    """A moment uploaded by the contributor whose cookie `client` keeps."""
    photo = make_photo(tmp_path / "mine.jpg", colour="red", taken=datetime(2024, 7, 24, 9, 0), offset="+02:00")
    r = _upload(client, token, photo)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_contributor_edit_refuses_a_far_time_in_their_language(
    client: TestClient, ctx: Context, project: factories.ProjectRef, tmp_path: Path
) -> None:
    token = project.invite_token
    moment_id = _own_moment(client, token, tmp_path)
    r = client.patch(f"/api/invites/{token}/me/moments/{moment_id}", json={"captured_local": "2030-01-01T10:00:00"})
    assert r.status_code == 422 and "too far from the project's day" in r.json()["detail"]
    # the contributor page's own uploader maps that sentence to the page's language
    config = client.get(f"/c/{token}?lang=nl").text
    assert "too far from the project's day" in config and "te ver van de dag van het project" in config
    page = client.get(f"/c/{token}/me?lang=nl").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    form = client.post(f"/c/{token}/me/moments/{moment_id}?lang=nl", follow_redirects=False,
                       data={"csrf": csrf[1], "caption": "x", "captured_local": "1999-12-31T23:59"},
                       headers={"accept": "text/html"})
    assert form.status_code == 422 and "te ver van de dag van het project" in form.text
    assert _moment(ctx, moment_id).captured_local == datetime(2024, 7, 24, 9, 0)


def test_invite_form_shows_a_far_time_in_dutch(
    client: TestClient, ctx: Context, project: factories.ProjectRef, tmp_path: Path
) -> None:
    token = project.invite_token
    page = client.get(f"/c/{token}?lang=nl").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    photo = make_photo(tmp_path / "form.jpg", colour="white")
    with photo.open("rb") as fh:
        r = client.post(f"/c/{token}?lang=nl", files={"file": (photo.name, fh)},
                        data={"csrf": csrf[1], "consent": "true", "captured_at": "2031-05-05T10:00:00+02:00"})
    assert r.status_code == 422 and "te ver van de dag van het project" in r.text
    assert _count(ctx) == 0
