"""The tus core, request by request: refused requests store nothing, bodies never pass the declared
length, checksums, a crash's torn tail, termination, OPTIONS/CORS, and the per-sender quotas."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.context import Context, build_context
from app.db import session_scope
from app.main import create_app
from app.models import Project
from app.services import quotas, tus_store
from tests import factories
from tests.web.test_resumable import TUS, create, finish, metadata, offset_of, patch

OFFSET_TYPE = "application/offset+octet-stream"


def upload_id(url: str) -> str:
    return url.rsplit("/", 1)[1]


def data_file(ctx: Context, url: str) -> Path:
    return tus_store.tus_dir(ctx.settings) / upload_id(url)


def info_of(ctx: Context, url: str) -> dict[str, object]:
    return json.loads((tus_store.tus_dir(ctx.settings) / f"{upload_id(url)}.info").read_text())


@pytest.fixture
def payload() -> bytes:
    return bytes(range(256)) * 40  # 10 KB; finishing is not needed for most checks here


def started(client: TestClient, project: factories.ProjectRef, data: bytes, first: int) -> str:
    url = create(client, project.invite_token, len(data)).headers["location"]
    assert patch(client, url, 0, data[:first]).status_code == 204
    return url


# --- refused requests store nothing ---------------------------------------------------------------


REFUSED: list[tuple[dict[str, str | None], int, str]] = [
    ({"Tus-Resumable": None}, 412, "Tus-Resumable"),
    ({"Tus-Resumable": "0.2.2"}, 412, "Tus-Resumable"),
    ({"Content-Type": "text/plain"}, 415, OFFSET_TYPE),
    ({"Content-Type": None}, 415, OFFSET_TYPE),
    ({"Upload-Offset": "0"}, 409, "HEAD"),
    ({"Upload-Offset": "4000"}, 409, "HEAD"),
    ({"Upload-Offset": "-5"}, 400, "Upload-Offset"),
    ({"Upload-Offset": None}, 400, "Upload-Offset"),
    ({"Upload-Checksum": "crc32 AAAA"}, 400, "Upload-Checksum"),
    ({"Upload-Checksum": "sha1 not-base64!"}, 400, "Upload-Checksum"),
]


def test_a_refused_patch_writes_nothing(
    client: TestClient, project: factories.ProjectRef, ctx: Context, payload: bytes
) -> None:
    url = started(client, project, payload, 1000)
    for headers, status, words in REFUSED:
        sent = {**TUS, "Upload-Offset": "1000", "Content-Type": OFFSET_TYPE, **headers}
        r = client.patch(url, content=payload[1000:3000], headers={k: v for k, v in sent.items() if v is not None})
        assert r.status_code == status, (headers, r.text)
        assert words in r.json()["detail"]
        assert r.headers["tus-resumable"] == "1.0.0"
        assert offset_of(client, url) == 1000
        assert data_file(ctx, url).read_bytes() == payload[:1000], headers


def test_a_closed_project_refuses_patches_into_uploads_started_before(
    client: TestClient, project: factories.ProjectRef, ctx: Context, payload: bytes
) -> None:
    url = started(client, project, payload, 1000)
    with session_scope(ctx.sessions) as s:
        s.get(Project, project.id).contributions_open = False  # type: ignore[union-attr]
    r = patch(client, url, 1000, payload[1000:])
    assert r.status_code == 403 and r.json()["detail"] == "this project does not take new moments any more"
    assert offset_of(client, url) == 1000 and data_file(ctx, url).stat().st_size == 1000


def test_a_rotated_invite_refuses_patches_into_its_old_uploads(
    client: TestClient, project: factories.ProjectRef, ctx: Context, payload: bytes
) -> None:
    url = started(client, project, payload, 1000)
    with session_scope(ctx.sessions) as s:
        s.get(Project, project.id).invite_token = "rotated-token-123"  # type: ignore[union-attr]
    r = patch(client, url, 1000, payload[1000:])
    assert r.status_code == 404 and "invite link is not valid" in r.json()["detail"]
    assert data_file(ctx, url).stat().st_size == 1000


def test_odd_upload_ids_are_404_never_a_path(client: TestClient) -> None:
    odd_ids = [".locks", "..", "%2e%2e%2fsecret_key", "ABCDEF0123456789ABCDEF0123456789",
               "0123456789abcdef0123456789abcdef0", "x" * 32]
    for odd in odd_ids:
        for method in ("HEAD", "PATCH", "DELETE"):
            r = client.request(method, f"/api/uploads/{odd}", headers={**TUS, "Upload-Offset": "0",
                                                                       "Content-Type": OFFSET_TYPE}, content=b"x")
            assert r.status_code == 404, (method, odd, r.status_code)


def test_unknown_upload_is_404_with_a_sentence(client: TestClient) -> None:
    r = client.patch(f"/api/uploads/{'a' * 32}", content=b"abc",
                     headers={**TUS, "Upload-Offset": "0", "Content-Type": OFFSET_TYPE})
    assert r.status_code == 404 and "no such upload" in r.json()["detail"]


# --- lengths ---------------------------------------------------------------------------------------


def test_bad_or_huge_upload_lengths_are_refused(
    client: TestClient, project: factories.ProjectRef, ctx: Context
) -> None:
    meta = metadata(filename="a.jpg", filetype="image/jpeg", invite=project.invite_token, consent="1")
    cases = [("-1", 400), ("12abc", 400), ("", 400), (str(2**70), 400), (str(2048 * 1024 * 1024 + 1), 413)]
    for length, status in cases:
        r = client.post("/api/uploads", headers={**TUS, "Upload-Length": length, "Upload-Metadata": meta})
        assert r.status_code == status, (length, r.text)
        assert "Upload-Length" in r.json()["detail"] or "limit" in r.json()["detail"]
    r = client.post("/api/uploads", headers={**TUS, "Upload-Length": "10", "Upload-Metadata": "filename !!!"})
    assert r.status_code == 400 and "Upload-Metadata" in r.json()["detail"]
    assert not [p for p in tus_store.tus_dir(ctx.settings).glob("*") if p.is_file()]


def test_a_chunked_body_longer_than_declared_is_refused_and_nothing_past_the_length_is_kept(
    client: TestClient, project: factories.ProjectRef, ctx: Context, payload: bytes
) -> None:
    url = started(client, project, payload, 1000)

    def body() -> Iterator[bytes]:  # no Content-Length: the server must count while it reads
        rest = payload[1000:] + b"EXTRA BYTES PAST THE DECLARED LENGTH"
        for i in range(0, len(rest), 700):
            yield rest[i:i + 700]

    r = client.patch(url, content=body(), headers={**TUS, "Upload-Offset": "1000", "Content-Type": OFFSET_TYPE})
    assert r.status_code == 413 and "Upload-Length" in r.json()["detail"]
    assert offset_of(client, url) == 1000
    assert data_file(ctx, url).read_bytes() == payload[:1000]


# --- creation-with-upload, checksums --------------------------------------------------------------


def create_with(client: TestClient, token: str, length: int, body: bytes, **headers: str) -> object:
    meta = metadata(filename="p.jpg", filetype="image/jpeg", invite=token, consent="1")
    return client.post("/api/uploads/", content=body, headers={
        **TUS, "Upload-Length": str(length), "Upload-Metadata": meta, "Content-Type": OFFSET_TYPE, **headers})


def test_creation_with_upload_stores_the_first_bytes_and_the_rest_follows(
    client: TestClient, project: factories.ProjectRef, ctx: Context, photo_bytes: bytes
) -> None:
    r = create_with(client, project.invite_token, len(photo_bytes), photo_bytes[:1500])
    assert r.status_code == 201, r.text
    url = r.headers["location"]
    assert r.headers["upload-offset"] == "1500" and r.headers["upload-expires"].endswith("GMT")
    assert patch(client, url, 1500, photo_bytes[1500:]).status_code == 204
    # the running hash reached the info: finishing does not read the file to learn it
    assert info_of(ctx, url)["sha256"] == hashlib.sha256(photo_bytes).hexdigest()
    r = finish(client, project.invite_token, url)
    assert r.status_code == 201 and r.json()["sha256"] == hashlib.sha256(photo_bytes).hexdigest()


def test_creation_with_a_body_longer_than_declared_creates_nothing(
    client: TestClient, project: factories.ProjectRef, ctx: Context
) -> None:
    r = create_with(client, project.invite_token, 10, b"x" * 11)
    assert r.status_code == 413 and "Upload-Length" in r.json()["detail"]
    r = create_with(client, project.invite_token, 10, b"x" * 5, **{"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert not [p for p in tus_store.tus_dir(ctx.settings).glob("*") if p.is_file()]


def b64digest(algorithm: str, data: bytes) -> str:
    return base64.b64encode(hashlib.new(algorithm, data).digest()).decode()


def test_checksums_are_checked_and_a_mismatch_is_460_and_not_kept(
    client: TestClient, project: factories.ProjectRef, ctx: Context, payload: bytes
) -> None:
    url = started(client, project, payload, 1000)
    at = 1000
    for algorithm in ("sha1", "sha256", "md5"):
        part = payload[at:at + 3000]
        headers = {**TUS, "Upload-Offset": str(at), "Content-Type": OFFSET_TYPE}
        wrong = {"Upload-Checksum": f"{algorithm} {b64digest(algorithm, part[:-1] + b'!')}"}
        r = client.patch(url, content=part, headers={**headers, **wrong})
        assert r.status_code == 460 and "checksum" in r.json()["detail"]
        assert offset_of(client, url) == at and data_file(ctx, url).stat().st_size == at
        right = {"Upload-Checksum": f"{algorithm} {b64digest(algorithm, part)}"}
        r = client.patch(url, content=part, headers={**headers, **right})
        assert r.status_code == 204 and r.headers["upload-offset"] == str(at + 3000)
        at += 3000
    assert data_file(ctx, url).read_bytes() == payload[:at]
    # the running hash skipped the refused parts: the complete upload's sha256 is that of the right bytes
    assert patch(client, url, at, payload[at:]).status_code == 204
    assert info_of(ctx, url)["sha256"] == hashlib.sha256(payload).hexdigest()


# --- crashes: torn tails, restarts ----------------------------------------------------------------


def test_a_torn_tail_left_by_a_killed_patch_is_cut_and_the_upload_ends_byte_exact(
    client: TestClient, project: factories.ProjectRef, ctx: Context, photo_bytes: bytes
) -> None:
    url = started(client, project, photo_bytes, 2000)
    # what kill -9 in the middle of the next PATCH leaves: bytes on disk past the recorded offset
    with data_file(ctx, url).open("ab") as fh:
        fh.write(photo_bytes[2000:2500])
    tus_store.forget_hash(upload_id(url))  # and a restarted process knows no running hash
    assert offset_of(client, url) == 2000
    assert data_file(ctx, url).read_bytes() == photo_bytes[:2000]
    assert patch(client, url, 2000, photo_bytes[2000:]).status_code == 204
    r = finish(client, project.invite_token, url)
    assert r.status_code == 201 and r.json()["sha256"] == hashlib.sha256(photo_bytes).hexdigest()
    assert r.json()["size_bytes"] == len(photo_bytes)


def test_after_a_reboot_only_bytes_that_were_fsynced_are_trusted(
    client: TestClient, project: factories.ProjectRef, ctx: Context, payload: bytes
) -> None:
    url = started(client, project, payload, 3000)
    info_path = tus_store.tus_dir(ctx.settings) / f"{upload_id(url)}.info"
    info = json.loads(info_path.read_text())
    assert info["offset"] == 3000 and info["durable"] == 0
    info["boot"] = "another-boot"  # the machine restarted: the page cache may not have reached the disk
    info_path.write_text(json.dumps(info))
    assert offset_of(client, url) == 0
    assert data_file(ctx, url).stat().st_size == 0
    # a complete upload was fdatasync'd, so it survives a reboot whole
    assert patch(client, url, 0, payload).status_code == 204
    info = json.loads(info_path.read_text())
    assert info["durable"] == len(payload)
    info["boot"] = "yet-another-boot"
    info_path.write_text(json.dumps(info))
    assert offset_of(client, url) == len(payload)


def test_a_data_file_shorter_than_recorded_is_believed(
    client: TestClient, project: factories.ProjectRef, ctx: Context, payload: bytes
) -> None:
    url = started(client, project, payload, 3000)
    with data_file(ctx, url).open("r+b") as fh:
        fh.truncate(1200)
    assert offset_of(client, url) == 1200


def test_a_second_request_to_a_busy_upload_is_423_and_writes_nothing(
    client: TestClient, project: factories.ProjectRef, ctx: Context, payload: bytes
) -> None:
    url = started(client, project, payload, 1000)
    with tus_store.Held(ctx.settings, upload_id(url)):  # as a PATCH in flight holds it
        r = patch(client, url, 1000, payload[1000:])
        assert r.status_code == 423 and r.json()["detail"]
        assert client.delete(url, headers=TUS).status_code == 423
        assert offset_of(client, url) == 1000  # HEAD still answers
    assert data_file(ctx, url).stat().st_size == 1000


def test_a_hold_dropped_without_release_does_not_keep_the_upload_locked(
    client: TestClient, project: factories.ProjectRef, ctx: Context, payload: bytes
) -> None:
    url = started(client, project, payload, 1000)
    tus_store.Held(ctx.settings, upload_id(url))  # as when a request is cancelled while a thread takes it
    r = patch(client, url, 1000, payload[1000:])
    assert r.status_code == 204 and offset_of(client, url) == len(payload)


# --- protocol: OPTIONS, termination, expiration, CORS ---------------------------------------------


def test_options_advertises_only_what_works(client: TestClient) -> None:
    for path in ("/api/uploads", "/api/uploads/"):
        r = client.options(path)
        assert r.status_code == 204
        assert r.headers["tus-version"] == "1.0.0" and r.headers["tus-resumable"] == "1.0.0"
        assert r.headers["tus-extension"].split(",") == [
            "creation", "creation-with-upload", "termination", "expiration", "checksum"]
        assert r.headers["tus-checksum-algorithm"].split(",") == ["sha1", "sha256", "md5"]
        assert r.headers["tus-max-size"] == str(2048 * 1024 * 1024)


def test_a_missing_tus_resumable_on_create_is_412_with_the_version(
    client: TestClient, project: factories.ProjectRef, ctx: Context
) -> None:
    meta = metadata(filename="a.jpg", filetype="image/jpeg", invite=project.invite_token, consent="1")
    r = client.post("/api/uploads", headers={"Upload-Length": "10", "Upload-Metadata": meta})
    assert r.status_code == 412 and r.headers["tus-version"] == "1.0.0"
    assert not [p for p in tus_store.tus_dir(ctx.settings).glob("*") if p.is_file()]


def test_delete_terminates_an_upload(
    client: TestClient, project: factories.ProjectRef, ctx: Context, payload: bytes
) -> None:
    url = started(client, project, payload, 1000)
    assert client.head(url, headers=TUS).headers["upload-expires"].endswith("GMT")
    r = client.delete(url, headers=TUS)
    assert r.status_code == 204
    assert not list(tus_store.tus_dir(ctx.settings).glob(f"{upload_id(url)}*"))
    assert client.head(url, headers=TUS).status_code == 404
    assert client.delete(url, headers=TUS).status_code == 404


@pytest.fixture
def cors_client(settings: Settings) -> Iterator[tuple[TestClient, Context]]:
    ctx = build_context(settings.model_copy(update={"cors_origins": "https://site.example, https://b.example/"}))
    with TestClient(create_app(ctx=ctx)) as c:
        yield c, ctx
    ctx.engine.dispose()


def test_cors_for_configured_origins_only(cors_client: tuple[TestClient, Context]) -> None:
    client, ctx = cors_client
    project = factories.make_project(ctx)
    pre = client.options("/api/uploads/" + "a" * 32, headers={
        "Origin": "https://site.example", "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "tus-resumable, upload-offset, content-type, upload-checksum"})
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] == "https://site.example"
    assert "PATCH" in pre.headers["access-control-allow-methods"]
    r = create(client, project.invite_token, 100)
    assert "access-control-allow-origin" not in r.headers  # no Origin, no CORS
    meta = metadata(filename="a.jpg", filetype="image/jpeg", invite=project.invite_token, consent="1")
    r = client.post("/api/uploads", headers={**TUS, "Upload-Length": "100", "Upload-Metadata": meta,
                                             "Origin": "https://b.example"})
    assert r.status_code == 201 and r.headers["access-control-allow-origin"] == "https://b.example"
    exposed = {h.strip().lower() for h in r.headers["access-control-expose-headers"].split(",")}
    assert {"location", "upload-offset", "upload-length", "upload-expires", "tus-resumable", "tus-version",
            "tus-max-size", "tus-extension"} <= exposed
    evil = client.post("/api/uploads", headers={**TUS, "Upload-Length": "100", "Upload-Metadata": meta,
                                                "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in evil.headers
    # pages are never shared across origins
    page = client.get(f"/c/{project.invite_token}", headers={"Origin": "https://site.example"})
    assert "access-control-allow-origin" not in page.headers


def test_no_cors_unless_configured(client: TestClient) -> None:
    r = client.options("/api/uploads", headers={"Origin": "https://site.example",
                                                "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in r.headers


# --- quotas ---------------------------------------------------------------------------------------


def set_limits(ctx: Context, project: factories.ProjectRef, **values: int) -> None:
    with session_scope(ctx.sessions) as s:
        p = s.get(Project, project.id)
        assert p is not None
        current = vars(quotas.quotas_of(p))
        quotas.set_quotas(session=s, project=p, quotas=quotas.Quotas(**{**current, **values}))


def test_defaults_are_sensible(ctx: Context, project: factories.ProjectRef) -> None:
    with ctx.sessions() as s:
        q = quotas.quotas_of(s.get(Project, project.id))  # type: ignore[arg-type]
    assert (q.contributor_moments, q.contributor_gb, q.project_moments, q.project_gb) == (50, 5, 5000, 200)


def test_a_contributor_cannot_pass_their_moment_limit_and_uploads_under_way_count(
    client: TestClient, project: factories.ProjectRef, ctx: Context, tmp_path: Path
) -> None:
    from tests.mediagen import make_photo

    set_limits(ctx, project, contributor_moments=2)
    first = make_photo(tmp_path / "a.jpg", size=(64, 48), colour="red").read_bytes()
    url = create(client, project.invite_token, len(first)).headers["location"]
    assert info_of(ctx, url)["contributor"] is None  # no cookie yet: bound by the project's limits only
    patch(client, url, 0, first)
    assert finish(client, project.invite_token, url).status_code == 201  # sets the contributor cookie
    second = create(client, project.invite_token, 5000)
    assert second.status_code == 201
    assert info_of(ctx, second.headers["location"])["contributor"]  # recorded from the cookie
    # one moment plus one upload under way: the limit of two is reached
    r = create(client, project.invite_token, 5000)
    assert r.status_code == 403
    assert r.json()["detail"] == "you have reached the limit of 2 moments per person for this project"
    # giving up the upload under way frees its place
    assert client.delete(second.headers["location"], headers=TUS).status_code == 204
    assert create(client, project.invite_token, 5000).status_code == 201


def test_declared_lengths_reserve_room_so_many_open_uploads_cannot_fill_the_disk(
    client: TestClient, project: factories.ProjectRef, ctx: Context
) -> None:
    set_limits(ctx, project, project_gb=3)
    big = 2000 * 1000 * 1000
    assert create(client, project.invite_token, big).status_code == 201
    r = create(client, project.invite_token, big)
    assert r.status_code == 413
    assert r.json()["detail"] == "this project has no room left for this file (its limit is 3 GB)"


def test_lowered_limits_stop_patches_already_under_way(
    client: TestClient, project: factories.ProjectRef, ctx: Context, payload: bytes
) -> None:
    url = started(client, project, payload, 1000)
    other = started(client, project, payload[::-1], 10)
    set_limits(ctx, project, project_moments=1)
    r = patch(client, url, 1000, payload[1000:])
    assert r.status_code == 403 and r.json()["detail"] == "this project has reached its limit of 1 moments"
    assert data_file(ctx, url).stat().st_size == 1000 and offset_of(client, other) == 10


def test_direct_uploads_count_and_are_limited_too(
    client: TestClient, project: factories.ProjectRef, ctx: Context, tmp_path: Path
) -> None:
    from tests.mediagen import make_photo

    set_limits(ctx, project, project_moments=1)
    photo = make_photo(tmp_path / "b.jpg", size=(64, 48), colour="green")
    assert create(client, project.invite_token, 5000).status_code == 201  # one upload under way
    with photo.open("rb") as fh:
        r = client.post(f"/api/invites/{project.invite_token}/moments", data={"consent": "true"},
                        files={"file": ("b.jpg", fh, "image/jpeg")})
    assert r.status_code == 403 and "limit of 1 moments" in r.json()["detail"]
    assert not list((ctx.settings.data_dir / "originals").rglob("*.*"))


def test_quota_refusals_reach_the_contributor_in_their_language(
    client: TestClient, project: factories.ProjectRef, ctx: Context
) -> None:
    set_limits(ctx, project, contributor_moments=7)
    page = client.get(f"/c/{project.invite_token}?lang=nl").text
    config = json.loads(page.split('id="dayreel-config"', 1)[1].split(">", 1)[1].split("</script>", 1)[0])
    texts = dict(config["errors"])
    assert "7" in texts["moments per person"] and "momenten" in texts["moments per person"]
    assert "GB" in texts["gb per person"] and "GB" in texts["no room left"]


@pytest.fixture
def photo_bytes(tmp_path: Path) -> bytes:
    from tests.mediagen import make_photo

    return make_photo(tmp_path / "p.jpg", size=(320, 240), colour="blue", top_colour="yellow").read_bytes()


def test_staff_edit_the_limits_on_the_settings_page_in_english_and_dutch(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef
) -> None:
    from tests.web.test_staff_pages import sign_in

    csrf = sign_in(client, staff)
    page = client.get(f"/staff/projects/{project.id}/settings")
    assert "Moments per contributor" in page.text and 'name="contributor_gb"' in page.text and 'value="50"' in page.text
    form = {"csrf": csrf, "contributor_moments": "3", "contributor_gb": "2", "project_moments": "40",
            "project_gb": "9"}
    r = client.post(f"/staff/projects/{project.id}/limits", data=form, follow_redirects=False)
    assert r.status_code == 303
    with ctx.sessions() as s:
        q = quotas.quotas_of(s.get(Project, project.id))  # type: ignore[arg-type]
    assert (q.contributor_moments, q.contributor_gb, q.project_moments, q.project_gb) == (3, 2, 40, 9)
    bad = client.post(f"/staff/projects/{project.id}/limits", data={**form, "project_gb": "lots"})
    assert bad.status_code == 422 and "project gb must be a whole number" in bad.text
    bad = client.post(f"/staff/projects/{project.id}/limits", data={**form, "contributor_moments": "0"})
    assert bad.status_code == 422
    dutch = client.get(f"/staff/projects/{project.id}/settings?lang=nl").text
    assert "Momenten per deelnemer" in dutch and 'value="40"' in dutch


def test_an_expired_upload_is_gone(
    client: TestClient, project: factories.ProjectRef, ctx: Context, payload: bytes
) -> None:
    import os
    import time

    url = started(client, project, payload, 1000)
    expires = client.head(url, headers=TUS).headers["upload-expires"]
    assert expires.endswith("GMT")
    day_ago = time.time() - tus_store.EXPIRE_S - 60
    for p in tus_store.tus_dir(ctx.settings).glob(f"{upload_id(url)}*"):
        os.utime(p, (day_ago, day_ago))
    assert client.head(url, headers=TUS).status_code == 410
    r = patch(client, url, 1000, payload[1000:])
    assert r.status_code == 410 and "expired" in r.json()["detail"]
    assert data_file(ctx, url).stat().st_size == 1000
