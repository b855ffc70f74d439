"""dayreel on S3 (SeaweedFS on loopback): every stored file in the bucket, nothing but caches on local disk."""

from __future__ import annotations

import hashlib
import io
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from app.config import Settings
from app.context import Context, build_context
from app.main import create_app
from app.models import Moment, Project, Render
from app.services import project_settings, tus_store
from app.storage import ReadCache, open_storage
from app.storage.s3 import MB, S3Storage
from tests import factories, s3_on_loopback
from tests.conftest import bucket_settings
from tests.mediagen import FFMPEG, make_photo
from tests.web.test_resumable import create, finish, patch
from tests.web.test_staff_pages import add_moment, approve_all, sign_in

SMALL_COLLAGE = {"layout": "grid", "width": 640, "height": 360, "format": "png"}


@pytest.fixture
def settings(settings: Settings, s3_server: s3_on_loopback.S3Server) -> Iterator[Settings]:
    """The usual settings with DAYREEL_STORAGE=s3 and a bucket of its own (not yet created)."""
    with bucket_settings(settings, s3_server) as s3:
        yield s3


def bucket_keys(ctx: Context, s3_server: s3_on_loopback.S3Server) -> list[str]:
    """The bucket's listing, asked of the server itself (not through dayreel's storage)."""
    pages = s3_server.client().get_paginator("list_objects_v2").paginate(Bucket=ctx.settings.s3_bucket)
    return sorted(obj["Key"] for page in pages for obj in page.get("Contents", []))


def render_keys(ctx: Context, render_id: int) -> list[str]:
    """The keys a finished render's row names (its file, poster, captions, stored plan), all under renders/<id>/."""
    with ctx.sessions() as s:
        render = s.get(Render, render_id)
        assert render is not None
        keys = [k for k in (render.output_key, render.poster_key, render.captions_key, render.plan_key) if k]
    assert keys and all(k.startswith(f"renders/{render_id}/") for k in keys)
    return keys


def local_files(data_dir: Path) -> list[Path]:
    return [p.relative_to(data_dir) for p in data_dir.rglob("*") if p.is_file()]


def test_the_bucket_is_made_when_missing(settings: Settings, s3_server: s3_on_loopback.S3Server) -> None:
    client = s3_server.client()
    with pytest.raises(ClientError):
        client.head_bucket(Bucket=settings.s3_bucket)
    open_storage(settings)
    open_storage(settings)  # a second process starting at the same time: no error
    client.head_bucket(Bucket=settings.s3_bucket)


def test_a_large_file_goes_up_in_parts_and_comes_back_whole(settings: Settings, tmp_path: Path) -> None:
    """20 MB through a 5 MB multipart threshold: four parts, each read from the staging file in turn."""
    storage = S3Storage(
        endpoint=settings.s3_endpoint, bucket=str(settings.s3_bucket), region=settings.s3_region,
        access_key=settings.s3_access_key, secret_key=settings.s3_secret_key, tmp_dir=tmp_path / "tmp",
        cache=ReadCache(tmp_path / "cache", max_bytes=64 * MB), multipart_threshold=5 * MB, multipart_chunk=5 * MB,
    )
    storage.ensure_bucket()
    assert storage.transfer.multipart_threshold == 5 * MB and storage.transfer.multipart_chunksize == 5 * MB
    chunks = [hashlib.sha256(str(i).encode()).digest() * (MB // 32) for i in range(20)]  # 20 distinct MiB
    staged = storage.stage(iter(chunks), max_bytes=64 * MB)
    storage.commit(staged, "originals/la/large.mp4")
    head = storage.client.head_object(Bucket=storage.bucket, Key="originals/la/large.mp4")
    assert head["ContentLength"] == 20 * MB
    assert head["ETag"].strip('"').endswith("-4")  # S3's mark of an object put together from 4 parts
    whole = hashlib.sha256()
    for chunk in storage.read_range("originals/la/large.mp4"):
        assert len(chunk) <= MB
        whole.update(chunk)
    assert whole.hexdigest() == staged.sha256
    assert hashlib.sha256(storage.path("originals/la/large.mp4").read_bytes()).hexdigest() == staged.sha256
    assert list((tmp_path / "tmp").iterdir()) == []  # the staging file went once uploaded


def test_upload_derive_and_collage_live_in_the_bucket(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef,
    s3_server: s3_on_loopback.S3Server, tmp_path: Path,
) -> None:
    for hour, colour in ((8, "red"), (12, "green"), (17, "orange")):
        add_moment(client, project.invite_token, tmp_path, hour, colour=colour)
    approve_all(ctx, project.id)
    r = client.post(f"/api/projects/{project.id}/collages", headers=staff.headers, json=SMALL_COLLAGE)
    assert r.status_code == 202, r.text
    render = client.get(f"/api/renders/{r.json()['id']}", headers=staff.headers).json()
    assert render["status"] == "done", render
    png = client.get(render["file_url"], headers=staff.headers)
    assert png.status_code == 200
    assert Image.open(io.BytesIO(png.content)).size == (640, 360)
    keys = bucket_keys(ctx, s3_server)
    with ctx.sessions() as s:
        moments = list(s.scalars(select(Moment).where(Moment.project_id == project.id)))
        stored = {k for m in moments for k in (m.storage_key, m.thumb_key, m.preview_key)}
    assert all(m.derive_status == "done" for m in moments)
    assert len(stored) == 9 and stored <= set(keys)  # the database holds keys, and each is in the bucket
    assert [k for k in keys if k.startswith(f"renders/{render['id']}/")] == sorted(render_keys(ctx, render["id"]))
    # local disk: the database, staging, and the read cache (what derive and the collage read), nothing else
    files = local_files(ctx.settings.data_dir)
    assert all(f.parts[0] in ("cache", "tmp") or f.name.startswith(("dayreel.db", "queue.db")) for f in files), files
    assert not [f for f in files if f.parts[0] == "tmp" and f.suffix != ".lock"]  # no staged or partial upload
    assert any(f.parts[:2] == ("cache", "objects") for f in files)


def test_export_and_delete_against_the_bucket(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef,
    s3_server: s3_on_loopback.S3Server, tmp_path: Path,
) -> None:
    other = factories.make_project(ctx)
    shared = add_moment(client, project.invite_token, tmp_path, 8)  # the same photo in both projects
    add_moment(client, other.invite_token, tmp_path, 8)
    own = add_moment(client, project.invite_token, tmp_path, 9, colour="green")
    logo = make_photo(tmp_path / "logo.png", colour="orange", size=(40, 20))
    song = tmp_path / "song.m4a"
    subprocess.run([FFMPEG, "-y", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=330:duration=1",
                    "-c:a", "aac", str(song)], check=True)
    with ctx.sessions() as s, logo.open("rb") as logo_fh, song.open("rb") as song_fh:
        mine = s.get(Project, project.id)
        assert mine is not None
        project_settings.set_logo(session=s, storage=ctx.storage, project=mine, source=logo_fh)
        project_settings.set_music(session=s, storage=ctx.storage, project=mine, source=song_fh)
        s.commit()
    approve_all(ctx, project.id)
    collage = client.post(f"/api/projects/{project.id}/collages", headers=staff.headers, json=SMALL_COLLAGE).json()
    # a film reads its photos through the local read cache (ffmpeg needs files) and uploads film, poster, captions
    film = client.post(f"/api/projects/{project.id}/films", headers=staff.headers,
                       json={"size": "160x90", "fps": 10, "quality": "preview", "photo_s": 1}).json()
    film = client.get(f"/api/renders/{film['id']}", headers=staff.headers).json()
    assert film["status"] == "done", film
    ranged = client.get(film["file_url"], headers={**staff.headers, "Range": "bytes=4-11"})
    assert ranged.status_code == 206 and ranged.content == b"ftypisom"  # the mp4's first box, from the bucket
    csrf = sign_in(client, staff)
    r = client.get(f"/staff/projects/{project.id}/export.zip")
    assert r.status_code == 200
    with ctx.sessions() as s:
        originals = {m.id: ctx.storage.path(m.storage_key).read_bytes() for m in (s.get(Moment, shared),
                                                                                  s.get(Moment, own))}  # type: ignore[union-attr]
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        names = zf.namelist()
        inside = {int(n.split("/")[1].split("-")[0]): zf.read(n) for n in names if n.startswith("originals/")}
        assert zf.read(f"renders/collage-{collage['id']}.png").startswith(b"\x89PNG")
    assert inside == originals
    before = bucket_keys(ctx, s3_server)
    assert any(k.startswith("logos/") for k in before) and any(k.startswith("music/") for k in before)
    assert set(render_keys(ctx, collage["id"]) + render_keys(ctx, film["id"])) <= set(before)
    names = [k.rsplit("/", 1)[1] for k in render_keys(ctx, film["id"])]
    assert names == ["film.mp4", "poster.jpg", "captions.vtt", "plan.json.gz"]
    r = client.post(f"/staff/projects/{project.id}/delete",
                    data={"csrf": csrf, "confirm_title": "Een dag in het ziekenhuis"}, follow_redirects=False)
    assert r.status_code == 303
    with ctx.sessions() as s:
        still_used = {k for m in s.scalars(select(Moment)) for k in (m.storage_key, m.thumb_key, m.preview_key)}
    # what is left is exactly the other project's files (its photo is the shared one)
    assert bucket_keys(ctx, s3_server) == sorted(still_used) and len(still_used) == 3


def test_a_tus_upload_lives_on_its_web_node_until_finished_then_every_node_serves_it(
    client: TestClient, ctx: Context, settings: Settings, staff: factories.StaffUser,
    project: factories.ProjectRef, tmp_path: Path,
) -> None:
    """Two web nodes: their own data dirs, one database, one bucket. A partial upload is on the node that
    created it (a deployment routes /api/uploads/{id} there); once finished it is in the bucket for all."""
    node_b = build_context(settings.model_copy(update={"data_dir": tmp_path / "node-b",
                                                       "database_url": settings.db_url}))
    try:
        with TestClient(create_app(ctx=node_b)) as other:
            data = make_photo(tmp_path / "tus.jpg", colour="orange", size=(320, 240)).read_bytes()
            url = create(client, project.invite_token, len(data)).headers["location"]
            assert patch(client, url, 0, data[:1000]).status_code == 204
            elsewhere = patch(other, url, 1000, data[1000:])
            assert elsewhere.status_code == 404 and "no such upload" in elsewhere.json()["detail"]
            assert patch(client, url, 1000, data[1000:]).status_code == 204
            done = finish(client, project.invite_token, url)
            assert done.status_code == 201, done.text
            assert not (tus_store.tus_dir(ctx.settings) / url.rsplit("/", 1)[1]).exists()  # its bytes moved on
            with ctx.sessions() as s:
                moment = s.get(Moment, done.json()["id"])
                assert moment is not None
                key, digest = moment.storage_key, moment.sha256[:16]
            assert key in bucket_keys(ctx, s3_on_loopback.S3Server(endpoint=str(settings.s3_endpoint)))
            served = other.get(f"/media/moments/{done.json()['id']}/{digest}/original", headers=staff.headers)
            assert served.status_code == 200 and served.content == data
    finally:
        node_b.engine.dispose()
