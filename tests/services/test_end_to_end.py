"""One path through everything with the real job queue: upload -> approve -> film -> download;
and `dayreel serve` stopping cleanly on SIGTERM with a render in flight."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import av
import httpx
import pytest
from fastapi.testclient import TestClient

from app import jobs
from app.config import Settings
from app.context import Context, build_context
from app.main import create_app
from tests import factories
from tests.mediagen import make_clip, make_photo


def day_media(folder: Path, clip_s: float = 1.0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        make_photo(folder / "a.jpg", colour="red", size=(160, 120), taken=datetime(2024, 7, 24, 8, 0)),
        make_clip(folder / "b.mp4", colour="green", size=(160, 90), duration_s=clip_s,
                  metadata={"com.apple.quicktime.creationdate": "2024-07-24T12:00:00+0200"}),
        make_photo(folder / "c.jpg", colour="blue", size=(120, 160), taken=datetime(2024, 7, 24, 19, 0)),
    ]


def wait_for(predicate, timeout_s: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def queued_ctx(settings: Settings) -> Iterator[Context]:
    """A context whose jobs go through the SQLite queue, with a consumer running in threads."""
    ctx = build_context(settings.model_copy(update={"queue_backend": "sqlite"}))
    jobs.configure(ctx)
    consumer = jobs.Consumers(workers=2, derive_workers=2)
    with jobs.keep_signal_handlers():
        consumer.start()
    yield ctx
    consumer.stop(graceful=True)
    ctx.engine.dispose()


@pytest.mark.slow
def test_upload_approve_film_download_through_the_queue(queued_ctx: Context, tmp_path: Path) -> None:
    staff = factories.make_staff(queued_ctx)
    project = factories.make_project(queued_ctx, owner_email=staff.email)
    with TestClient(create_app(ctx=queued_ctx)) as client:
        ids = []
        for path in day_media(tmp_path / "media"):
            with path.open("rb") as fh:
                r = client.post(f"/api/invites/{project.invite_token}/moments", files={"file": (path.name, fh)},
                                data={"consent": "true", "caption": f"Moment {path.stem}"})
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        for mid in ids:
            r = client.patch(f"/api/moments/{mid}", headers=staff.headers, json={"status": "approved"})
            assert r.status_code == 200
        r = client.post(f"/api/projects/{project.id}/films", headers=staff.headers,
                        json={"size": "160x90", "fps": 10, "quality": "preview"})
        assert r.status_code == 202, r.text
        render_id = r.json()["id"]
        done = wait_for(
            lambda: (j := client.get(f"/api/renders/{render_id}", headers=staff.headers).json())["status"]
            in ("done", "failed") and j,
            120, "the film",
        )
        assert done["status"] == "done", done
        assert done["progress"] == 100
        # thumbnails were made by the queued derive job
        moments = client.get(f"/api/projects/{project.id}/moments", headers=staff.headers).json()
        assert all(m["thumb_url"] for m in moments)
        # Range requests work, so a browser can seek
        part = client.get(done["file_url"], headers={**staff.headers, "Range": "bytes=0-99"})
        assert part.status_code == 206 and len(part.content) == 100
        assert part.headers["content-range"].startswith("bytes 0-99/")
        full = client.get(done["file_url"], headers=staff.headers)
        assert full.status_code == 200 and full.headers["content-type"] == "video/mp4"
        assert client.get(done["file_url"]).status_code == 401  # never without a login
    film = tmp_path / "film.mp4"
    film.write_bytes(full.content)
    with av.open(str(film)) as c:
        assert (c.streams.video[0].width, c.streams.video[0].height) == (160, 90)
        assert c.duration and c.duration / 1e6 > 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DAYREEL_DATA_DIR": str(data_dir), "DAYREEL_QUEUE_BACKEND": "sqlite",
           "DAYREEL_RENDER_WORKERS": "1"}
    exe = Path(sys.executable).parent / "dayreel"
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def healthy() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "server died"
            return False

    wait_for(healthy, 60, "the server to start")
    return proc


def stop_server(proc: subprocess.Popen[bytes]) -> float:
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("dayreel serve did not stop within 15 s of SIGTERM") from None
    assert code == 0, proc.stderr.read().decode() if proc.stderr else code
    return time.monotonic() - started


@pytest.mark.slow
def test_serve_stops_on_sigterm_and_requeues_the_render_in_flight(tmp_path: Path, settings: Settings) -> None:
    data = tmp_path / "served"
    ctx = build_context(settings.model_copy(update={"data_dir": data, "queue_backend": "sqlite"}))
    jobs.configure(ctx)
    staff = factories.make_staff(ctx)
    project = factories.make_project(ctx, owner_email=staff.email, auto_approve=True)
    with TestClient(create_app(ctx=ctx)) as client:
        for path in day_media(tmp_path / "media", clip_s=4.0):
            with path.open("rb") as fh:
                client.post(f"/api/invites/{project.invite_token}/moments", files={"file": (path.name, fh)},
                            data={"consent": "true"})
    ctx.engine.dispose()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(data, port)
    try:
        r = httpx.post(f"{base}/api/projects/{project.id}/films", headers=staff.headers,
                       json={"size": "320x180", "fps": 25, "quality": "final"}, timeout=10)
        assert r.status_code == 202, r.text
        render_url = f"{base}/api/renders/{r.json()['id']}"
        wait_for(lambda: httpx.get(render_url, headers=staff.headers).json()["status"] != "queued", 60,
                 "the render to start")
        took = stop_server(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert took < 10, f"stopping took {took:.1f} s"
    from app.models import Render

    check = build_context(settings.model_copy(update={"data_dir": data}))
    with check.sessions() as session:
        stopped = session.get(Render, int(render_url.rsplit("/", 1)[1]))
        assert stopped is not None
        # either it finished before the signal, or it went back to the queue: never half-done
        assert stopped.status in ("queued", "done"), stopped.status
        if stopped.status == "queued":
            assert "interrupted by shutdown" in stopped.log
    check.engine.dispose()

    proc = start_server(data, port)
    try:
        # the interrupted render was queued again (or had finished) and now completes
        final = wait_for(
            lambda: (j := httpx.get(render_url, headers=staff.headers).json())["status"] in ("done", "failed") and j,
            120, "the re-queued render",
        )
        assert final["status"] == "done", final
    finally:
        stop_server(proc)


@pytest.mark.slow
def test_worker_alone_runs_queued_jobs_and_stops_on_sigint(tmp_path: Path, settings: Settings) -> None:
    from app.models import Moment

    data = tmp_path / "worker"
    ctx = build_context(settings.model_copy(update={"data_dir": data, "queue_backend": "sqlite"}))
    jobs.configure(ctx)
    project = factories.make_project(ctx)
    with TestClient(create_app(ctx=ctx)) as client:
        photo = day_media(tmp_path / "media")[0]
        with photo.open("rb") as fh:
            r = client.post(f"/api/invites/{project.invite_token}/moments", files={"file": (photo.name, fh)},
                            data={"consent": "true"})
    moment_id = r.json()["id"]

    def thumb_key() -> str | None:
        with ctx.sessions() as session:
            moment = session.get(Moment, moment_id)
            return moment.thumb_key if moment else None

    assert thumb_key() is None  # queued, nobody consuming yet
    env = {**os.environ, "DAYREEL_DATA_DIR": str(data), "DAYREEL_QUEUE_BACKEND": "sqlite"}
    worker = subprocess.Popen([str(Path(sys.executable).parent / "dayreel"), "worker"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(thumb_key, 60, "the worker to make the thumbnail")
    finally:
        worker.send_signal(signal.SIGINT)
        code = worker.wait(timeout=20)
    assert code == 0, worker.stderr.read().decode() if worker.stderr else code
    ctx.engine.dispose()
