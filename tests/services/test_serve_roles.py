"""`dayreel serve --no-jobs` is a web process only (compose.yaml's web replicas): what it queues waits for a
`dayreel worker`, which then runs it."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import httpx

from tests.mediagen import make_photo

DAYREEL = Path(sys.executable).with_name("dayreel")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_web_only_serve_leaves_jobs_to_a_worker(tmp_path: Path) -> None:
    data, port = tmp_path / "data", free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAYREEL_")}
    env.update(DAYREEL_DATA_DIR=str(data), DAYREEL_QUEUE_BACKEND="sqlite", DAYREEL_SECRET_KEY="test-secret-0123456789",
               DAYREEL_PUBLIC_BASE_URL=f"http://127.0.0.1:{port}")
    created = subprocess.run([str(DAYREEL), "project", "create", "--title", "Dag", "--date", "2024-07-24"],
                             env=env, capture_output=True, text=True, timeout=60)
    assert created.returncode == 0, created.stderr
    token = created.stdout.split('"token": "')[1].split('"')[0]
    photo = make_photo(tmp_path / "p.jpg", size=(320, 240), taken=datetime(2024, 7, 24, 9, 0))
    web = worker = None
    try:
        web = subprocess.Popen([str(DAYREEL), "serve", "--port", str(port), "--no-jobs"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert web.poll() is None, web.stderr.read() if web.stderr else ""
            assert time.monotonic() < deadline, "serve did not answer /healthz"
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        with photo.open("rb") as fh:
            r = httpx.post(f"{base}/api/invites/{token}/moments", files={"file": (photo.name, fh)},
                           data={"consent": "true"}, timeout=30)
        assert r.status_code == 201, r.text

        db = sqlite3.connect(data / "dayreel.db")
        queue = sqlite3.connect(data / "queue-derive.db")  # thumbnails have a queue of their own
        try:
            # no consumer runs in the web process and no worker exists yet: the job is still queued
            assert queue.execute("SELECT count(*) FROM task").fetchone()[0] >= 1
            assert db.execute("SELECT derive_status FROM moments").fetchall() == [("pending",)]

            worker = subprocess.Popen([str(DAYREEL), "worker"], env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 60
            while db.execute("SELECT derive_status FROM moments").fetchall() != [("done",)]:
                assert worker.poll() is None, "the worker exited"
                assert time.monotonic() < deadline, "the worker did not make the thumbnails"
                time.sleep(0.1)
        finally:
            db.close()
            queue.close()
    finally:
        stop(web)
        stop(worker)
