"""The proof of the scale path: compose.yaml's shape as real processes on loopback.

PostgreSQL (a fresh database), Redis (its own db number), SeaweedFS, `dayreel migrate` once, two web
processes sharing one data dir (compose's two web replicas on one volume), a third web process with a data
dir of its own (a web node on another host), and two `dayreel worker`s, each with its own data dir. 20
moments arrive through the upload API and tus (tuspy, and by hand across the two web replicas), are
approved, and a film and a collage are rendered; then a second film, during which one worker is killed -9.
"""

from __future__ import annotations

import base64
import io
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
from PIL import Image
from sqlalchemy import select
from tusclient.client import TusClient
from tusclient.exceptions import TusCommunicationError

from app.config import Settings
from app.context import Context, build_context
from app.models import Render, RenderSegment
from app.services.render_store import load_plan
from tests import factories, s3_on_loopback
from tests.conftest import service_unavailable
from tests.mediagen import COLOURS, make_clip, make_photo
from tests.services.cluster import Cluster, Proc, wait_for
from tests.services.postgres import fresh_database

REDIS_DB = 11  # this test's own Redis database, flushed before and after
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
TUS = {"Tus-Resumable": "1.0.0"}
FILM = {"size": "160x90", "fps": 10, "photo_s": 1.0, "max_clip_s": 1.0, "transition_s": 0.2, "chapters": "none",
        "quality": "preview"}


@pytest.fixture
def redis_db() -> Iterator[str]:
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.flushdb()
    except Exception as err:
        service_unavailable("Redis", err)
    try:
        yield REDIS_URL
    finally:
        client.flushdb()
        client.close()


@pytest.fixture
def bucket(s3_server: s3_on_loopback.S3Server) -> Iterator[str]:
    name = f"dayreel-proof-{secrets.token_hex(4)}"
    try:
        yield name
    finally:
        s3_on_loopback.empty_bucket(s3_server, name)


@dataclass(frozen=True)
class Upload:
    path: Path
    caption: str
    hour: float  # local time of day it was taken: the film's order


def day_media(folder: Path) -> list[Upload]:
    """16 photos and 4 one-second clips with sound, taken at distinct times, listed out of time order."""
    folder.mkdir()
    colours = list(COLOURS)
    hours = [(6 + (i * 7) % 20 * 0.75) for i in range(20)]  # 06:00..20:15, shuffled by the stride
    media = []
    for i, hour in enumerate(hours):
        taken = datetime(2024, 7, 24, int(hour), int(hour % 1 * 60), i)
        if i % 5 == 4:
            path = make_clip(folder / f"m{i:02d}.mp4", size=(160, 90), colour=colours[i % len(colours)],
                             audio_hz=300 + 40 * i,
                             metadata={"com.apple.quicktime.creationdate": taken.strftime("%Y-%m-%dT%H:%M:%S+0200")})
        else:
            path = make_photo(folder / f"m{i:02d}.jpg", size=(160, 120), colour=colours[i % len(colours)],
                              top_colour=colours[(i + 3) % len(colours)], taken=taken, offset="+02:00")
        media.append(Upload(path, f"m{i:02d}", hour + i / 3600))
    return media


def tus_metadata(token: str, path: Path) -> dict[str, str]:
    filetype = "video/mp4" if path.suffix == ".mp4" else "image/jpeg"
    return {"filename": path.name, "filetype": filetype, "invite": token, "consent": "1"}


def upload_direct(web: Proc, token: str, item: Upload) -> int:
    with item.path.open("rb") as fh:
        r = httpx.post(f"{web.base}/api/invites/{token}/moments", files={"file": (item.path.name, fh)},
                       data={"consent": "true", "caption": item.caption}, timeout=60)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def finish(web: Proc, token: str, upload_id: str, caption: str) -> int:
    r = httpx.post(f"{web.base}/api/invites/{token}/uploads/{upload_id}/finish", json={"caption": caption},
                   timeout=60)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def upload_tuspy(web: Proc, token: str, item: Upload) -> int:
    data = item.path.read_bytes()
    up = TusClient(f"{web.base}/api/uploads").uploader(file_stream=io.BytesIO(data), chunk_size=1500,
                                                       metadata=tus_metadata(token, item.path))
    up.upload()
    assert up.offset == len(data)
    return finish(web, token, up.url.rsplit("/", 1)[1], item.caption)


def upload_across_replicas(first: Proc, second: Proc, token: str, item: Upload) -> int:
    """Created and half sent on one web replica, continued and finished on the other (one shared data dir)."""
    data = item.path.read_bytes()
    meta = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in tus_metadata(token, item.path).items())
    r = httpx.post(f"{first.base}/api/uploads",
                   headers={**TUS, "Upload-Length": str(len(data)), "Upload-Metadata": meta})
    assert r.status_code == 201, r.text
    upload_id = r.headers["location"].rsplit("/", 1)[1]
    half = len(data) // 2
    patch = {**TUS, "Content-Type": "application/offset+octet-stream"}
    r = httpx.patch(f"{first.base}/api/uploads/{upload_id}", headers={**patch, "Upload-Offset": "0"},
                    content=data[:half])
    assert r.status_code == 204, r.text
    r = httpx.head(f"{second.base}/api/uploads/{upload_id}", headers=TUS)
    assert (r.status_code, r.headers.get("upload-offset")) == (200, str(half))
    r = httpx.patch(f"{second.base}/api/uploads/{upload_id}", headers={**patch, "Upload-Offset": str(half)},
                    content=data[half:])
    assert r.status_code == 204, r.text
    return finish(second, token, upload_id, item.caption)


def upload_restarted_elsewhere(sticky: Proc, elsewhere: Proc, token: str, item: Upload) -> int:
    """Begun on one node; the client is then routed to a node on another host, which does not know the upload
    (404), so the client starts it again there. The abandoned start makes no moment."""
    data = item.path.read_bytes()
    begun = TusClient(f"{sticky.base}/api/uploads").uploader(file_stream=io.BytesIO(data), chunk_size=1000,
                                                             metadata=tus_metadata(token, item.path))
    begun.upload_chunk()
    assert 0 < begun.offset < len(data)
    upload_id = begun.url.rsplit("/", 1)[1]
    with pytest.raises(TusCommunicationError) as unknown:
        TusClient(f"{elsewhere.base}/api/uploads").uploader(
            file_stream=io.BytesIO(data), url=f"{elsewhere.base}/api/uploads/{upload_id}", chunk_size=1000)
    assert unknown.value.status_code == 404
    r = httpx.patch(f"{elsewhere.base}/api/uploads/{upload_id}", content=data[begun.offset:], headers={
        **TUS, "Upload-Offset": str(begun.offset), "Content-Type": "application/offset+octet-stream"})
    assert r.status_code == 404 and "no such upload" in r.json()["detail"]
    return upload_tuspy(elsewhere, token, item)


def render_row(ctx: Context, render_id: int) -> Render:
    return factories.fresh(ctx, Render, render_id)


def wait_render(
    web: Proc, headers: dict[str, str], render_id: int, cluster: Cluster, timeout_s: float = 60
) -> dict[str, Any]:
    def finished() -> dict[str, Any] | None:
        cluster.assert_running()
        state = httpx.get(f"{web.base}/api/renders/{render_id}", headers=headers).json()
        return state if state["status"] in ("done", "failed", "cancelled") else None

    state = wait_for(finished, f"render {render_id}", timeout_s, every_s=0.2)
    assert state["status"] == "done", (state, cluster.logs())
    return state


@dataclass(frozen=True)
class Made:
    pid: int  # the worker process that rendered the segment
    finished_at: datetime


def segments_rendered(ctx: Context, render_id: int, attempt: int) -> dict[int, Made]:
    """Segments of one attempt of a fanned-out film that a worker rendered (not found in the shared cache),
    by position: who made each, and when (RenderSegment, app/services/film_fanout.py)."""
    with ctx.sessions() as session:
        rows = session.scalars(select(RenderSegment).where(RenderSegment.render_id == render_id,
                                                           RenderSegment.attempt == attempt,
                                                           RenderSegment.status == "done")).all()
    return {r.position: Made(int((r.worker or "").rpartition(":")[2]), r.finished_at) for r in rows
            if r.outcome is not None and not r.outcome.get("cached") and r.finished_at is not None}


def segment_rows(ctx: Context, render_id: int, attempt: int) -> list[str]:
    with ctx.sessions() as session:
        return list(session.scalars(select(RenderSegment.status).where(
            RenderSegment.render_id == render_id, RenderSegment.attempt == attempt).order_by(RenderSegment.position)))


def not_cache(data_dir: Path) -> list[str]:
    """Files of a data dir that are neither cache nor scratch: with storage s3 there must be none."""
    return [str(p.relative_to(data_dir)) for p in data_dir.rglob("*")
            if p.is_file() and p.relative_to(data_dir).parts[0] not in ("cache", "tmp")]


def bucket_keys(server: s3_on_loopback.S3Server, bucket: str, prefix: str = "") -> list[str]:
    pages = server.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return sorted(obj["Key"] for page in pages for obj in page.get("Contents", []))


def download(web: Proc, headers: dict[str, str], url: str, to: Path) -> Path:
    r = httpx.get(f"{web.base}{url}", headers=headers, timeout=60)
    assert r.status_code == 200, r.status_code
    to.write_bytes(r.content)
    return to


def pid_of(lease_owner: str) -> int:
    return int(lease_owner.split(":")[-2])  # "host:pid-namespace:pid:random" (app/leases.py)


@pytest.mark.services
@pytest.mark.slow
def test_two_web_processes_and_two_workers_on_postgres_redis_and_s3(
    tmp_path: Path, s3_server: s3_on_loopback.S3Server, bucket: str, redis_db: str
) -> None:
    started = time.monotonic()
    with fresh_database() as pg_url:
        secret = secrets.token_urlsafe(24)
        s3 = {"storage": "s3", "s3_endpoint": s3_server.endpoint, "s3_bucket": bucket, "s3_region": s3_server.region,
              "s3_access_key": s3_server.access_key, "s3_secret_key": s3_server.secret_key}
        env = {k: v for k, v in os.environ.items() if not k.startswith("DAYREEL_")}
        env.update({f"DAYREEL_{k.upper()}": str(v) for k, v in s3.items()})
        env.update(DAYREEL_DATABASE_URL=pg_url, DAYREEL_QUEUE_BACKEND="redis", DAYREEL_REDIS_URL=redis_db,
                   DAYREEL_QUEUE_NAME="dayreel", DAYREEL_SECRET_KEY=secret, DAYREEL_ENVIRONMENT="production",
                   DAYREEL_RENDER_LEASE_S="5", DAYREEL_RENDER_WORKERS="1", DAYREEL_WORKERS="1", DAYREEL_CACHE_MB="64")
        (tmp_path / "logs").mkdir()
        cluster = Cluster(tmp_path / "logs", env)
        ctx: Context | None = None
        try:
            assert "database upgraded" in cluster.migrate()
            shared, elsewhere = tmp_path / "web", tmp_path / "web-elsewhere"
            web_a, web_b = cluster.web("web-1", shared), cluster.web("web-2", shared)
            web_c = cluster.web("web-other-host", elsewhere)
            workers = [cluster.worker(name, tmp_path / name) for name in ("worker-1", "worker-2")]
            # the test's own view of the database and bucket, for staff, a project and the checks below
            ctx = build_context(Settings(data_dir=tmp_path / "test-side", database_url=pg_url, environment="test",
                                         queue_backend="immediate", secret_key=secret, **s3), migrate=False)
            staff = factories.make_staff(ctx)
            project = factories.make_project(ctx, owner_email=staff.email)
            token, headers = project.invite_token, staff.headers
            media = day_media(tmp_path / "media")  # while the processes start
            for web in (web_a, web_b, web_c):
                cluster.wait_healthy(web)

            # 20 moments: the upload API, tuspy, and tus by hand continued on the other replica
            ids: dict[int, Upload] = {}
            for i, item in enumerate(media):
                web = (web_a, web_b)[i % 2]
                if i == 19:
                    moment_id = upload_restarted_elsewhere(web_a, web_c, token, item)
                elif i % 3 == 0:
                    moment_id = upload_direct(web, token, item)
                elif i % 3 == 1:
                    moment_id = upload_tuspy(web, token, item)
                else:
                    moment_id = upload_across_replicas(web, (web_b, web_a)[i % 2], token, item)
                ids[moment_id] = item
            assert len(ids) == 20
            listed = httpx.get(f"{web_b.base}/api/projects/{project.id}/moments", headers=headers).json()
            assert sorted(m["id"] for m in listed) == sorted(ids)  # the abandoned start made no moment
            for moment_id in ids:
                r = httpx.patch(f"{web_a.base}/api/moments/{moment_id}", headers=headers, json={"status": "approved"})
                assert r.status_code == 200, r.text

            def derived() -> bool:  # thumbnails and previews are the workers' job
                cluster.assert_running()
                moments = httpx.get(f"{web_a.base}/api/projects/{project.id}/moments", headers=headers).json()
                return all(m["thumb_url"] for m in moments)

            wait_for(derived, "the workers to make every thumbnail", 60, every_s=0.2)

            # a film and a collage at once
            r = httpx.post(f"{web_a.base}/api/projects/{project.id}/films", headers=headers, json=FILM)
            assert r.status_code == 202, r.text
            film_id = r.json()["id"]
            r = httpx.post(f"{web_b.base}/api/projects/{project.id}/collages", headers=headers,
                           json={"layout": "grid", "size": "320x180"})
            assert r.status_code == 202, r.text
            collage_id = r.json()["id"]
            film = wait_render(web_b, headers, film_id, cluster)
            collage = wait_render(web_a, headers, collage_id, cluster)

            plan = load_plan(ctx.storage, render_row(ctx, film_id))
            assert plan is not None
            order = [ids[int(s["moment_id"])].caption for s in plan["segments"] if s.get("moment_id")]
            assert order == [u.caption for u in sorted(media, key=lambda u: u.hour)]  # all 20, dawn to dusk
            with av.open(str(download(web_b, headers, film["file_url"], tmp_path / "film.mp4"))) as c:
                video, audio = c.streams.video, c.streams.audio
                assert len(video) == 1 and len(audio) == 1
                assert (video[0].width, video[0].height) == (160, 90)
                assert c.duration is not None and abs(c.duration / 1e6 - plan["length_s"]) < 0.3, c.duration
            with Image.open(download(web_c, headers, collage["file_url"], tmp_path / "collage.png")) as img:
                assert (img.format, img.size) == ("PNG", (320, 180))

            # every file is in the bucket; the local data dirs hold caches and scratch only
            assert len(bucket_keys(s3_server, bucket, "originals/")) == 20
            assert bucket_keys(s3_server, bucket, f"renders/{film_id}/") == [
                f"renders/{film_id}/1/{name}" for name in ("captions.vtt", "film.mp4", "plan.json.gz", "poster.jpg")]
            data_dirs = [shared, elsewhere, *(w.data_dir for w in workers)]
            assert {str(d): not_cache(d) for d in data_dirs} == {str(d): [] for d in data_dirs}
            # one film, its segments spread over the queue: both workers rendered some of them
            count = len(plan["segments"])
            assert segment_rows(ctx, film_id, 1) == ["done"] * count
            first = segments_rendered(ctx, film_id, 1)
            assert len(first) == count  # a new project: nothing came from the cache
            assert {made.pid for made in first.values()} == {w.pid for w in workers}
            assert len(bucket_keys(s3_server, bucket, f"segments/{project.id}/")) >= count

            # a second film (another size: every segment is new); kill -9 its worker mid-render
            r = httpx.post(f"{web_a.base}/api/projects/{project.id}/films", headers=headers,
                           json={**FILM, "size": "192x108"})
            assert r.status_code == 202, r.text
            second_id = r.json()["id"]

            def owner_mid_render() -> Proc | None:
                cluster.assert_running()
                row = render_row(ctx, second_id)
                assert row.status in ("queued", "running"), (row.status, row.log)
                if row.status != "running" or not row.lease_owner:
                    return None
                holder = next(w for w in workers if w.pid == pid_of(row.lease_owner))
                return holder if len(segments_rendered(ctx, second_id, 1)) >= 3 else None

            victim = wait_for(owner_mid_render, "the second film to be under way", 60)
            cluster.kill9(victim)
            killed = render_row(ctx, second_id)
            assert (killed.status, killed.attempt, pid_of(killed.lease_owner or "::0:")) == ("running", 1, victim.pid)
            # the crashed container restarts (compose: restart unless-stopped) on its volume; seeing the lease
            # of a process that is gone, it queues the render again at once
            workers[workers.index(victim)] = restarted = cluster.worker(f"{victim.name}-restarted", victim.data_dir)
            second = wait_render(web_b, headers, second_id, cluster, timeout_s=90)

            # done exactly once: one claim after the killed one, one film in the bucket, from attempt 2
            row = render_row(ctx, second_id)
            assert (row.status, row.attempt) == ("done", 2)
            second_plan = load_plan(ctx.storage, row)
            assert second_plan is not None
            assert bucket_keys(s3_server, bucket, f"renders/{second_id}/") == [
                f"renders/{second_id}/2/{name}" for name in ("captions.vtt", "film.mp4", "plan.json.gz", "poster.jpg")]
            with ctx.sessions() as session:
                rows = session.execute(select(Render.kind, Render.status).where(Render.project_id == project.id)).all()
            assert sorted(map(tuple, rows)) == [("collage", "done"), ("film", "done"), ("film", "done")]
            with av.open(str(download(web_a, headers, second["file_url"], tmp_path / "second.mp4"))) as c:
                assert (c.streams.video[0].width, c.streams.video[0].height) == (192, 108)
                assert len(c.streams.audio) == 1
                assert c.duration is not None and abs(c.duration / 1e6 - second_plan["length_s"]) < 0.3
            # no work lost or done twice: every segment the killed attempt had finished when the next attempt began
            # came from the shared cache; the next attempt rendered only the others
            count = len(second_plan["segments"])
            assert segment_rows(ctx, second_id, 2) == ["done"] * count
            first_attempt = segments_rendered(ctx, second_id, 1)
            before = {p for p, made in first_attempt.items() if made.finished_at < row.started_at}
            again = segments_rendered(ctx, second_id, 2)
            assert len(before) >= 3 and not before & set(again), (sorted(before), sorted(again))
            assert {made.pid for made in again.values()} <= {w.pid for w in workers}
            assert {str(d): not_cache(d) for d in data_dirs} == {str(d): [] for d in data_dirs}
            assert restarted.popen.poll() is None
        except BaseException:
            print(cluster.logs())
            raise
        finally:
            leftovers = cluster.stop_all()
            if ctx is not None:
                ctx.engine.dispose()
        assert leftovers == [], f"processes left running: {leftovers}"
        assert all(p.popen.returncode is not None for p in cluster.procs)
    took = time.monotonic() - started
    print(f"proof test: {took:.1f} s")
