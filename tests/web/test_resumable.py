"""Resumable uploads (tus): resume after a break, wrong offsets, limits, finishing into a moment, cleanup."""

from __future__ import annotations

import base64
import hashlib
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.config import Settings
from app.context import Context, build_context
from app.db import session_scope
from app.main import create_app
from app.models import Moment, Project
from app.services.resumable import cleanup_partial_uploads, tus_dir
from tests import factories
from tests.mediagen import make_photo

TUS = {"Tus-Resumable": "1.0.0"}


def metadata(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


def create(client: TestClient, token: str, size: int, **extra: str) -> object:
    meta = {"filename": "clip.jpg", "filetype": "image/jpeg", "invite": token, "consent": "1", **extra}
    return client.post("/api/uploads", headers={**TUS, "Upload-Length": str(size), "Upload-Metadata": metadata(**meta)})


def patch(client: TestClient, url: str, offset: int, data: bytes) -> object:
    headers = {**TUS, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"}
    return client.patch(url, content=data, headers=headers)


def offset_of(client: TestClient, url: str) -> int:
    r = client.head(url, headers=TUS)
    assert r.status_code == 200, r.text
    return int(r.headers["upload-offset"])


def finish(client: TestClient, token: str, url: str, **fields: object) -> object:
    return client.post(f"/api/invites/{token}/uploads/{url.rsplit('/', 1)[1]}/finish", json=fields)


def send_all(client: TestClient, token: str, data: bytes, chunk: int = 700, **fields: object) -> object:
    r = create(client, token, len(data))
    assert r.status_code == 201, r.text
    url = r.headers["location"]
    for start in range(0, len(data), chunk):
        assert patch(client, url, start, data[start:start + chunk]).status_code == 204
    return finish(client, token, url, **fields)


def moment_count(ctx: Context) -> int:
    with ctx.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Moment)) or 0)


@pytest.fixture
def photo_bytes(tmp_path: Path) -> bytes:
    """A small JPEG with noise-free pixels (a few KB)."""
    return make_photo(tmp_path / "p.jpg", size=(320, 240), colour="blue", top_colour="yellow").read_bytes()


def test_resume_after_interruption_continues_at_the_servers_offset(
    client: TestClient, project: factories.ProjectRef, photo_bytes: bytes, ctx: Context
) -> None:
    url = create(client, project.invite_token, len(photo_bytes)).headers["location"]
    half = len(photo_bytes) // 2
    assert patch(client, url, 0, photo_bytes[:half]).status_code == 204
    # the connection drops; later the client asks where to go on, and sends only the rest
    resume_at = offset_of(client, url)
    assert resume_at == half
    r = patch(client, url, resume_at, photo_bytes[resume_at:])
    assert r.status_code == 204 and int(r.headers["upload-offset"]) == len(photo_bytes)
    r = finish(client, project.invite_token, url, caption="Na de pauze", mood=4, tz="Europe/Amsterdam",
               captured_at="2024-07-24T09:30:00+02:00")
    assert r.status_code == 201, r.text
    moment = r.json()
    assert moment["sha256"] == hashlib.sha256(photo_bytes).hexdigest()
    assert (moment["caption"], moment["mood"]) == ("Na de pauze", 4)
    assert moment["captured_local"] == "2024-07-24T09:30:00" and moment["time_confirmed"] is False
    assert "dayreel_contributor_" in "".join(r.headers.get_list("set-cookie"))
    # only a small note is left, so asking again gives the same moment instead of an error
    again = finish(client, project.invite_token, url)
    assert again.status_code == 200 and again.json()["id"] == moment["id"]
    assert [p.suffix for p in tus_dir(ctx.settings).iterdir() if p.is_file()] == [".result"]


def test_wrong_offset_is_rejected_with_409_and_nothing_is_written(
    client: TestClient, project: factories.ProjectRef, photo_bytes: bytes
) -> None:
    url = create(client, project.invite_token, len(photo_bytes)).headers["location"]
    assert patch(client, url, 0, photo_bytes[:500]).status_code == 204
    for wrong in (0, 200, 900):
        r = patch(client, url, wrong, photo_bytes[wrong:wrong + 100])
        assert r.status_code == 409, r.text
        assert r.json()["detail"]
    assert offset_of(client, url) == 500


def test_concurrent_uploads_to_one_project_each_become_a_moment(
    client: TestClient, project: factories.ProjectRef, ctx: Context, tmp_path: Path
) -> None:
    colours = ["red", "green", "blue", "yellow", "magenta", "cyan"]
    files = [make_photo(tmp_path / f"{c}.jpg", size=(160, 120), colour=c).read_bytes() for c in colours]

    def one(data: bytes) -> object:
        return send_all(client, project.invite_token, data, chunk=400)

    with ThreadPoolExecutor(max_workers=len(files)) as pool:
        results = list(pool.map(one, files))
    assert [r.status_code for r in results] == [201] * len(files)
    assert {r.json()["sha256"] for r in results} == {hashlib.sha256(d).hexdigest() for d in files}
    assert moment_count(ctx) == len(files)


@pytest.fixture
def small_limit(settings: Settings) -> Iterator[tuple[TestClient, Context]]:
    """An app whose upload limit is 1 MB."""
    ctx = build_context(settings.model_copy(update={"max_upload_mb": 1}))
    with TestClient(create_app(ctx=ctx)) as c:
        yield c, ctx
    ctx.engine.dispose()


def test_too_large_upload_is_refused_before_any_byte_is_sent(small_limit: tuple[TestClient, Context]) -> None:
    client, ctx = small_limit
    project = factories.make_project(ctx)
    r = create(client, project.invite_token, 1024 * 1024 + 1)
    assert r.status_code == 413
    assert r.json()["detail"] == "this file is larger than the limit of 1 MB"
    assert not [p for p in tus_dir(ctx.settings).glob("*") if p.is_file()]
    # an upload may not grow past the length it declared either
    url = create(client, project.invite_token, 10).headers["location"]
    r = patch(client, url, 0, b"x" * 11)
    assert r.status_code == 413 and "Upload-Length" in r.json()["detail"]
    assert offset_of(client, url) == 0 and (tus_dir(ctx.settings) / url.rsplit("/", 1)[1]).stat().st_size == 0


def test_an_upload_must_declare_its_length(client: TestClient, project: factories.ProjectRef) -> None:
    meta = metadata(filename="a.mov", filetype="video/quicktime", invite=project.invite_token, consent="1")
    r = client.post("/api/uploads", headers={**TUS, "Upload-Defer-Length": "1", "Upload-Metadata": meta})
    assert r.status_code == 422 and "Upload-Length" in r.json()["detail"]


@pytest.mark.parametrize(
    ("extra", "status", "words"),
    [
        ({"consent": ""}, 422, "consent"),
        ({"invite": "nope"}, 404, "invite link is not valid"),
        ({"filetype": "application/pdf"}, 415, "not a photo or video"),
        ({"consent_scope": "public"}, 422, "consent scope"),
    ],
)
def test_create_refuses_what_could_never_become_a_moment(
    client: TestClient, project: factories.ProjectRef, extra: dict[str, str], status: int, words: str
) -> None:
    r = create(client, project.invite_token, 100, **extra)
    assert r.status_code == status
    assert words in r.json()["detail"]


def test_closed_project_refuses_new_uploads_with_a_readable_403(
    client: TestClient, project: factories.ProjectRef, ctx: Context, photo_bytes: bytes
) -> None:
    url = create(client, project.invite_token, len(photo_bytes)).headers["location"]
    assert patch(client, url, 0, photo_bytes).status_code == 204
    with session_scope(ctx.sessions) as s:
        s.get(Project, project.id).contributions_open = False  # type: ignore[union-attr]
    r = create(client, project.invite_token, 100)
    assert r.status_code == 403 and r.json()["detail"] == "this project does not take new moments any more"
    # an upload already under way is refused when it is finished, too
    r = finish(client, project.invite_token, url)
    assert r.status_code == 403
    assert moment_count(ctx) == 0


def test_finishing_early_says_how_much_arrived(
    client: TestClient, project: factories.ProjectRef, photo_bytes: bytes
) -> None:
    url = create(client, project.invite_token, len(photo_bytes)).headers["location"]
    patch(client, url, 0, photo_bytes[:100])
    r = finish(client, project.invite_token, url)
    assert r.status_code == 409
    assert r.json()["detail"] == f"this upload is not complete yet: 100 of {len(photo_bytes)} bytes arrived"


def test_broken_file_gets_the_same_error_as_a_direct_upload_and_leaves_nothing(
    client: TestClient, project: factories.ProjectRef, ctx: Context
) -> None:
    junk = os.urandom(3000)
    r = send_all(client, project.invite_token, junk)
    assert r.status_code == 415
    assert "not a photo or video we can use" in r.json()["detail"]
    assert not [p for p in tus_dir(ctx.settings).iterdir() if p.is_file()]
    assert not list((ctx.settings.data_dir / "originals").rglob("*.*"))
    assert moment_count(ctx) == 0


def test_a_field_mistake_keeps_the_bytes_so_the_client_can_correct_it(
    client: TestClient, project: factories.ProjectRef, photo_bytes: bytes
) -> None:
    url = create(client, project.invite_token, len(photo_bytes)).headers["location"]
    patch(client, url, 0, photo_bytes)
    r = finish(client, project.invite_token, url, role="boss")
    assert r.status_code == 422 and "role" in r.json()["detail"]
    assert finish(client, project.invite_token, url, role="employee").status_code == 201


def test_an_upload_finishes_only_into_its_own_project(
    client: TestClient, project: factories.ProjectRef, ctx: Context, photo_bytes: bytes
) -> None:
    other = factories.make_project(ctx)
    url = create(client, project.invite_token, len(photo_bytes)).headers["location"]
    patch(client, url, 0, photo_bytes)
    assert finish(client, other.invite_token, url).status_code == 404
    assert client.post(f"/api/invites/{project.invite_token}/uploads/..%2F..%2Fsecret_key/finish",
                       json={}).status_code == 404


def test_cleanup_removes_only_abandoned_partial_uploads(
    client: TestClient, project: factories.ProjectRef, ctx: Context
) -> None:
    old = create(client, project.invite_token, 1000).headers["location"].rsplit("/", 1)[1]
    fresh = create(client, project.invite_token, 1000).headers["location"].rsplit("/", 1)[1]
    patch(client, f"/api/uploads/{old}", 0, b"x" * 10)
    folder = tus_dir(ctx.settings)
    day_ago = time.time() - 90000
    for p in folder.glob(f"{old}*"):
        os.utime(p, (day_ago, day_ago))
    assert cleanup_partial_uploads(ctx, older_than_s=86400) == 1
    assert not list(folder.glob(f"{old}*"))
    assert (folder / fresh).exists() and (folder / f"{fresh}.info").exists()
    assert client.head(f"/api/uploads/{old}", headers=TUS).status_code == 404


def test_the_hourly_job_runs_the_cleanup(client: TestClient, project: factories.ProjectRef, ctx: Context) -> None:
    from app import jobs_cleanup

    upload_id = create(client, project.invite_token, 1000).headers["location"].rsplit("/", 1)[1]
    week_ago = time.time() - 7 * 86400
    for p in tus_dir(ctx.settings).glob(f"{upload_id}*"):
        os.utime(p, (week_ago, week_ago))
    jobs_cleanup.cleanup_uploads.call_local()
    assert not list(tus_dir(ctx.settings).glob(f"{upload_id}*"))


def test_asking_again_with_someone_elses_cookie_never_returns_their_moment(
    client: TestClient, project: factories.ProjectRef, photo_bytes: bytes, ctx: Context
) -> None:
    r = send_all(client, project.invite_token, photo_bytes, caption="mine")
    assert r.status_code == 201, r.text
    first = r.json()
    url = f"/api/uploads/{_upload_id_of_last(ctx)}"
    # a second person on another phone, who has uploaded something of their own
    other = TestClient(client.app)
    other_photo = photo_bytes + b"\0"  # other bytes, so a moment of their own
    assert send_all(other, project.invite_token, other_photo, caption="theirs").status_code == 201
    again = finish(other, project.invite_token, url)
    assert again.status_code == 404, again.text
    assert "mine" not in again.text
    # the sender themself still gets the answer they lost
    mine = finish(client, project.invite_token, url)
    assert mine.status_code == 200 and mine.json()["id"] == first["id"]


def _upload_id_of_last(ctx: Context) -> str:
    """The id of the finished upload whose small result note is the newest."""
    notes = sorted(tus_dir(ctx.settings).glob("*.result"), key=lambda p: p.stat().st_mtime_ns)
    return notes[-1].name.split(".", 1)[0]
