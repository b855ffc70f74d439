"""Inputs found by hand that answered 500: each is now a 4xx with a sentence, and nothing is left behind."""

from __future__ import annotations

import json
import os
import struct
import time
import zlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.context import Context
from app.main import create_app
from app.models import Project, Render
from tests import factories
from tests.mediagen import make_photo
from tests.web.test_staff_pages import sign_in

HUGE = "99999999999999999999"  # over 2**63: no row has it, and the database driver overflows on it


def _is_sentence(r: object) -> None:
    body = r.json()  # type: ignore[attr-defined]
    assert isinstance(body["detail"], str) and len(body["detail"]) > 5, body


def _present_token(ctx: Context, project_id: int) -> str:
    with ctx.sessions() as s:
        project = s.get(Project, project_id)
        assert project is not None
        return project.present_token


@pytest.fixture
def moment(ctx: Context, project: factories.ProjectRef, tmp_path: Path) -> factories.MomentRef:
    return factories.make_moment(ctx, project, make_photo(tmp_path / "m.jpg"), status="approved")


def test_ids_over_2_63_are_a_404_or_422_not_a_500(
    ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef
) -> None:
    token = _present_token(ctx, project.id)
    urls = [
        ("PATCH", f"/api/moments/{HUGE}"), ("GET", f"/api/renders/{HUGE}"), ("GET", f"/api/renders/{HUGE}/file"),
        ("POST", f"/api/renders/{HUGE}/cancel"), ("GET", f"/api/projects/{HUGE}/moments"),
        ("POST", f"/api/projects/{HUGE}/films"), ("GET", f"/media/moments/{HUGE}/abcd/thumb"),
        ("GET", f"/p/{token}/media/{HUGE}/abcd/thumb"), ("GET", f"/p/{token}/renders/{HUGE}/file"),
        ("GET", f"/staff/moments/{HUGE}"), ("GET", f"/staff/renders/{HUGE}"),
        ("PATCH", f"/api/invites/{project.invite_token}/me/moments/{HUGE}"),
    ]
    with TestClient(create_app(ctx=ctx), raise_server_exceptions=False) as client:
        for method, url in urls:
            r = client.request(method, url, headers=staff.headers, json={} if method != "GET" else None)
            assert r.status_code in (404, 422), (method, url, r.status_code, r.text[:200])
            _is_sentence(r)


@pytest.mark.parametrize("query", [{"after": HUGE}, {"since": f"2024-07-24T10:00:00|{HUGE}"},
                                   {"since": "2024-07-24T10:00:00|" + "9" * 5000}])
def test_present_link_events_refuse_overflowing_since_and_after(
    ctx: Context, project: factories.ProjectRef, query: dict[str, str]
) -> None:
    token = _present_token(ctx, project.id)
    with TestClient(create_app(ctx=ctx), raise_server_exceptions=False) as client:
        r = client.get(f"/p/{token}/events", params={**query, "limit_s": "1"})
        assert r.status_code == 422, r.text[:300]
        _is_sentence(r)
        if "since" in query:  # EventSource resumes with the same value as a header
            r = client.get(f"/p/{token}/events", params={"limit_s": "1"}, headers={"last-event-id": query["since"]})
            assert r.status_code == 422, r.text[:300]


@pytest.mark.parametrize("body", ['{"trim_in_s": NaN}', '{"trim_out_s": Infinity}', '{"mood": NaN}',
                                  '{"trim_in_s": -Infinity}'])
def test_nan_and_infinity_in_moment_json_are_refused(
    client: TestClient, staff: factories.StaffUser, moment: factories.MomentRef, body: str
) -> None:
    r = client.patch(f"/api/moments/{moment.id}", content=body,
                     headers={**staff.headers, "content-type": "application/json"})
    assert r.status_code == 422, r.text[:300]
    _is_sentence(r)


@pytest.mark.parametrize("options", ['{"width": Infinity}', '{"height": -Infinity}', '{"seed": 1e400}',
                                     '{"width": NaN}'])
def test_nan_and_infinity_in_collage_options_are_refused_and_queue_nothing(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, options: str
) -> None:
    r = client.post(f"/api/projects/{project.id}/collages", content=options,
                    headers={**staff.headers, "content-type": "application/json"})
    assert r.status_code == 422, r.text[:300]
    _is_sentence(r)
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Render)) == 0


@pytest.mark.parametrize(("field", "value"), [("photo_s", "nan"), ("target_length_s", "inf"),
                                              ("transition_s", "-Infinity")])
def test_nan_and_infinity_in_film_form_fields_are_refused(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, field: str,
    value: str,
) -> None:
    csrf = sign_in(client, staff)
    r = client.post(f"/staff/projects/{project.id}/films", data={"csrf": csrf, field: value},
                    follow_redirects=False)
    assert r.status_code == 422, r.text[:300]
    assert "must be" in r.json()["detail"]
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Render)) == 0


def test_mood_form_field_nan_on_the_api_upload_is_refused(
    client: TestClient, project: factories.ProjectRef, tmp_path: Path
) -> None:
    photo = make_photo(tmp_path / "p.jpg")
    with photo.open("rb") as fh:
        r = client.post(f"/api/invites/{project.invite_token}/moments", files={"file": ("p.jpg", fh)},
                        data={"consent": "true", "mood": "nan"})
    assert r.status_code == 422, r.text[:300]
    _is_sentence(r)


@pytest.mark.parametrize("path", ["/api/invites/{token}/moments", "/c/{token}"])
def test_file_sent_as_a_plain_field_is_a_422(
    ctx: Context, project: factories.ProjectRef, path: str
) -> None:
    with TestClient(create_app(ctx=ctx), raise_server_exceptions=False) as client:
        r = client.post(path.format(token=project.invite_token), data={"file": "not a file", "consent": "true"})
    assert r.status_code == 422, r.text[:300]
    _is_sentence(r)
    assert "file" in r.json()["detail"]


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares width x height pixels but holds one row: a decompression bomb's header, in 100 bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("size", [(30000, 30000), (8000, 8000)])
def test_a_huge_logo_is_refused_and_leaves_no_staging_file(
    ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, size: tuple[int, int]
) -> None:
    with TestClient(create_app(ctx=ctx), raise_server_exceptions=False) as client:
        csrf = sign_in(client, staff)
        r = client.post(f"/staff/projects/{project.id}/logo", data={"csrf": csrf},
                        files={"logo": ("logo.png", _png_header_only(*size), "image/png")}, follow_redirects=False)
    assert r.status_code == 413, r.text[:300]
    assert "pixels" in r.json()["detail"]
    assert list(ctx.storage.temp_dir().glob("stage-*")) == []
    assert not (ctx.settings.data_dir / "logos").exists()


def test_validation_errors_never_echo_what_was_sent(
    ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, moment: factories.MomentRef
) -> None:
    secret = "SECRET-" + "x" * 600  # over the caption's 500 characters
    garbage = bytes(range(256)) * 4
    with TestClient(create_app(ctx=ctx), raise_server_exceptions=False) as client:
        answers = [
            client.patch(f"/api/moments/{moment.id}", json={"caption": secret, "mood": "SECRET-mood"},
                         headers=staff.headers),
            client.patch(f"/api/moments/{moment.id}", content=garbage,
                         headers={**staff.headers, "content-type": "application/json"}),
            client.post(f"/api/invites/{project.invite_token}/moments",
                        files={"mood": ("m", garbage, "application/octet-stream")}, data={"consent": "true"}),
            client.post(f"/api/projects/{project.id}/films", content=b"\xff\xfe\x00{" + garbage,
                        headers={**staff.headers, "content-type": "application/json"}),
        ]
    for r in answers:
        assert r.status_code == 422, r.text[:300]
        body = r.json()
        assert "SECRET" not in r.text
        assert "\\u00ff" not in r.text and "\ufffd" not in r.text
        for err in body.get("errors", []):
            assert set(err) == {"loc", "msg", "type"}, err
            assert all(isinstance(p, (str, int)) for p in err["loc"])


def test_stale_staging_files_are_swept_at_start_up_and_fresh_ones_kept(ctx: Context) -> None:
    tmp = ctx.storage.temp_dir()
    stale = [tmp / "stage-crashed1", tmp / "stage-crashed2"]
    fresh = tmp / "stage-in-use"
    tus = tmp / "tus"
    tus.mkdir(exist_ok=True)
    resumable = tus / "stage-partial-upload"  # a resumable upload's bytes: its own code keeps or expires them
    day_ago = time.time() - 86400
    for path in (*stale, fresh, resumable):
        path.write_bytes(b"half a file")
    for path in (*stale, resumable):
        os.utime(path, (day_ago, day_ago))
    with TestClient(create_app(ctx=ctx)) as client:
        assert client.get("/healthz").status_code == 200
        assert not any(p.exists() for p in stale)
        assert fresh.exists() and resumable.exists()


def test_error_body_is_documented_as_sent(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert schemas["ErrorBody"]["properties"]["detail"]["type"] == "string"
    assert "errors" in schemas["ValidationErrorBody"]["properties"]
    patch = spec["paths"]["/api/moments/{moment_id}"]["patch"]["responses"]
    assert patch["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ValidationErrorBody")
    for code in ("401", "403", "404"):
        assert patch[code]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    # and what a 422 really sends fits it
    r = client.patch("/api/moments/1", json={"mood": 9}, headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and isinstance(r.json()["detail"], str)
    assert json.dumps(r.json())  # plain JSON, nothing else


def test_present_link_events_accept_a_since_with_a_zone(
    ctx: Context, project: factories.ProjectRef, moment: factories.MomentRef
) -> None:
    token = _present_token(ctx, project.id)
    with TestClient(create_app(ctx=ctx), raise_server_exceptions=False) as client:
        r = client.get(f"/p/{token}/events", params={"since": "2024-07-24T10:00:00+02:00|0", "limit_s": "1"})
    assert r.status_code == 200
    assert f'"id": {moment.id}' in r.text  # the approved moment, changed after that time, is sent
