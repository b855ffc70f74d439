"""The REST contract: uploads by invite token, staff endpoints, every error case, nothing left behind."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.context import Context
from app.models import Moment
from tests import factories
from tests.mediagen import make_clip, make_photo


def upload(client: TestClient, token: str, path: Path, **fields: object) -> object:
    data = {"consent": "true", **{k: str(v) for k, v in fields.items()}}
    with path.open("rb") as fh:
        return client.post(f"/api/invites/{token}/moments", files={"file": (path.name, fh)}, data=data)


def stored_files(ctx: Context) -> list[Path]:
    root = ctx.settings.data_dir
    return [p for sub in ("originals", "tmp") for p in (root / sub).rglob("*") if p.is_file()]


def moment_count(ctx: Context) -> int:
    with ctx.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Moment)) or 0)


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    """A JPEG taken at 07:15:30 +02:00 on 24 July 2024."""
    return make_photo(tmp_path / "breakfast.jpg", taken=datetime(2024, 7, 24, 7, 15, 30), offset="+02:00")


def test_upload_photo_returns_moment_with_exif_time(
    client: TestClient, project: factories.ProjectRef, photo: Path
) -> None:
    r = upload(client, project.invite_token, photo, caption="Ontbijt", mood=4, alias="Zoë", role="customer",
               tz="Europe/Amsterdam")
    assert r.status_code == 201, r.text
    m = r.json()
    assert m["kind"] == "photo"
    assert m["captured_local"] == "2024-07-24T07:15:30"
    assert m["utc_offset"] == "+02:00"
    assert m["time_source"] == "exif"
    assert (m["caption"], m["mood"], m["alias"], m["role"], m["status"]) == ("Ontbijt", 4, "Zoë", "customer", "pending")
    assert len(m["sha256"]) == 64
    # the derive job ran inline: a thumbnail exists
    assert m["thumb_url"] is None or m["thumb_url"].startswith("/media/")
    assert "dayreel_contributor_" in "".join(r.headers.get_list("set-cookie"))


def test_same_file_twice_returns_existing_moment(
    client: TestClient, project: factories.ProjectRef, photo: Path
) -> None:
    first = upload(client, project.invite_token, photo)
    second = upload(client, project.invite_token, photo)
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]


def test_clip_upload_reads_duration_and_audio(
    client: TestClient, project: factories.ProjectRef, tmp_path: Path
) -> None:
    clip = make_clip(tmp_path / "clip.mp4", duration_s=1.0, audio=True, creation_time="2024-07-24T10:00:00Z")
    r = upload(client, project.invite_token, clip, tz="Europe/Amsterdam")
    assert r.status_code == 201, r.text
    m = r.json()
    assert m["kind"] == "clip" and m["has_audio"] is True
    assert m["duration_s"] == pytest.approx(1.0, abs=0.15)
    assert m["captured_local"] == "2024-07-24T12:00:00"  # UTC 10:00 in summer-time Amsterdam
    assert m["time_source"] == "container-utc"


@pytest.mark.parametrize(
    ("fields", "status", "needle"),
    [
        ({"consent": "false"}, 422, "consent"),
        ({"mood": "9"}, 422, "mood"),
        ({"mood": "abc"}, 422, "mood"),
        ({"role": "boss"}, 422, "role"),
        ({"captured_at": "yesterday"}, 422, "captured_at"),
        ({"tz": "Mars/Olympus"}, 422, "time zone"),
    ],
)
def test_bad_fields_get_readable_422_and_leave_nothing(
    client: TestClient, ctx: Context, project: factories.ProjectRef, photo: Path,
    fields: dict[str, str], status: int, needle: str,
) -> None:
    r = upload(client, project.invite_token, photo, **fields)
    assert r.status_code == status
    assert isinstance(r.json()["detail"], str) and needle in r.json()["detail"]
    assert moment_count(ctx) == 0 and stored_files(ctx) == []


def test_not_a_photo_or_clip_is_415_whatever_its_name(client: TestClient, ctx: Context, project: factories.ProjectRef,
                                                      tmp_path: Path) -> None:
    fake = tmp_path / "holiday.jpg"
    fake.write_text("this is a shopping list, not a photo\n" * 20)
    r = upload(client, project.invite_token, fake)
    assert r.status_code == 415
    assert "photo" in r.json()["detail"].lower() or "clip" in r.json()["detail"].lower()
    assert moment_count(ctx) == 0 and stored_files(ctx) == []


def test_broken_and_empty_files_are_422(client: TestClient, ctx: Context, project: factories.ProjectRef,
                                         photo: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(photo.read_bytes()[: len(photo.read_bytes()) // 2])
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    for path in (broken, empty):
        r = upload(client, project.invite_token, path)
        assert r.status_code == 422, (path.name, r.text)
        assert len(r.json()["detail"]) > 10
    assert moment_count(ctx) == 0 and stored_files(ctx) == []


@pytest.mark.parametrize("size_mb", [1.5, 3.0])  # under the form-overhead allowance, and over it
def test_too_large_is_413_and_leaves_nothing(tmp_path: Path, settings, size_mb: float) -> None:  # type: ignore[no-untyped-def]
    from app.context import build_context
    from app.main import create_app

    small = settings.model_copy(update={"max_upload_mb": 1})
    ctx = build_context(small)
    proj = factories.make_project(ctx)
    big = tmp_path / "big.mp4"
    big.write_bytes(os.urandom(int(size_mb * 1024 * 1024)))
    with TestClient(create_app(ctx=ctx)) as client:
        r = upload(client, proj.invite_token, big)
    assert r.status_code == 413
    assert "1 MB" in r.json()["detail"]
    assert moment_count(ctx) == 0 and stored_files(ctx) == []


def test_unknown_invite_token_is_404(client: TestClient, photo: Path) -> None:
    r = upload(client, "nope", photo)
    assert r.status_code == 404 and "invite" in r.json()["detail"]


def test_staff_endpoints_need_a_valid_token(client: TestClient, project: factories.ProjectRef) -> None:
    assert client.get("/api/projects").status_code == 401
    assert client.get("/api/projects", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get(f"/api/projects/{project.id}/moments").status_code == 401
    assert client.post(f"/api/projects/{project.id}/films", json={}).status_code == 401


def test_create_and_list_projects(client: TestClient, staff: factories.StaffUser) -> None:
    r = client.post("/api/projects", headers=staff.headers,
                    json={"title": "Dag van de klant", "date": "2024-07-24", "timezone": "Europe/Amsterdam"})
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["invite_url"] == f"http://testserver/c/{created['invite_token']}"
    listed = client.get("/api/projects", headers=staff.headers).json()
    assert created["id"] in [p["id"] for p in listed]
    bad = client.post("/api/projects", headers=staff.headers,
                      json={"title": "x", "date": "2024-07-24", "timezone": "Nowhere"})
    assert bad.status_code == 422 and "time zone" in bad.json()["detail"]


def test_other_staff_cannot_see_a_project(client: TestClient, ctx: Context, project: factories.ProjectRef) -> None:
    outsider = factories.make_staff(ctx, admin=False)
    r = client.get(f"/api/projects/{project.id}/moments", headers=outsider.headers)
    assert r.status_code == 403
    assert project.id not in [p["id"] for p in client.get("/api/projects", headers=outsider.headers).json()]


def test_moments_come_in_time_of_day_order_and_corrections_reorder(
    client: TestClient, project: factories.ProjectRef, staff: factories.StaffUser, tmp_path: Path
) -> None:
    times = [datetime(2024, 7, 24, 18, 0), datetime(2024, 7, 25, 7, 0), datetime(2024, 7, 24, 12, 0)]
    ids = []
    for i, t in enumerate(times):
        p = make_photo(tmp_path / f"p{i}.jpg", colour=["red", "green", "blue"][i], taken=t)
        ids.append(upload(client, project.invite_token, p).json()["id"])
    listed = client.get(f"/api/projects/{project.id}/moments", headers=staff.headers).json()
    assert [m["id"] for m in listed] == [ids[1], ids[2], ids[0]]  # 07:00 (next day), 12:00, 18:00
    r = client.patch(f"/api/moments/{ids[0]}", headers=staff.headers,
                     json={"captured_local": "2024-07-24T06:00:00+02:00", "caption": "Vroeg op", "status": "approved"})
    assert r.status_code == 200, r.text
    assert (r.json()["time_source"], r.json()["utc_offset"], r.json()["status"]) == ("corrected", "+02:00", "approved")
    listed = client.get(f"/api/projects/{project.id}/moments", headers=staff.headers).json()
    assert [m["id"] for m in listed] == [ids[0], ids[1], ids[2]]
    bad = client.patch(f"/api/moments/{ids[0]}", headers=staff.headers, json={"status": "deleted"})
    assert bad.status_code == 422
    trim_photo = client.patch(f"/api/moments/{ids[0]}", headers=staff.headers, json={"trim_in_s": 0.5})
    assert trim_photo.status_code == 422 and "clip" in trim_photo.json()["detail"]


def test_render_requests_validate(client: TestClient, project: factories.ProjectRef, staff: factories.StaffUser,
                                   photo: Path) -> None:
    none_yet = client.post(f"/api/projects/{project.id}/films", headers=staff.headers, json={})
    assert none_yet.status_code == 409 and "approved" in none_yet.json()["detail"]
    mid = upload(client, project.invite_token, photo).json()["id"]
    client.patch(f"/api/moments/{mid}", headers=staff.headers, json={"status": "approved"})
    bad = client.post(f"/api/projects/{project.id}/films", headers=staff.headers, json={"fps": 240})
    assert bad.status_code == 422 and "frames per second" in bad.json()["detail"].lower()
    bad = client.post(f"/api/projects/{project.id}/collages", headers=staff.headers, json={"layout": "spiral"})
    assert bad.status_code == 422 and "layout" in bad.json()["detail"]
    assert client.get("/api/renders/999", headers=staff.headers).status_code == 404


def test_media_files_need_staff_or_their_contributor(client: TestClient, ctx: Context, project: factories.ProjectRef,
                                                     staff: factories.StaffUser, photo: Path) -> None:
    m = upload(client, project.invite_token, photo).json()
    original = m["original_url"]
    # the uploader's own cookie lets them see it
    assert client.get(original).status_code == 200
    client.cookies.clear()
    assert client.get(original).status_code == 404
    r = client.get(original, headers=staff.headers)
    assert r.status_code == 200 and r.content == photo.read_bytes()
    assert "immutable" in r.headers["cache-control"]
    outsider = factories.make_staff(ctx, admin=False)
    assert client.get(original, headers=outsider.headers).status_code == 404
    assert client.get(original.replace(m["sha256"][:16], "0" * 16), headers=staff.headers).status_code == 404


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_openapi_documents_the_contract(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/invites/{token}/moments", "/api/projects", "/api/projects/{project_id}/moments",
                 "/api/moments/{moment_id}", "/api/projects/{project_id}/films",
                 "/api/projects/{project_id}/collages", "/api/renders/{render_id}", "/api/renders/{render_id}/file"):
        assert path in paths
