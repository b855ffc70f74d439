"""The official tus client (tuspy) against a real `dayreel serve`: resuming after kill -9 of the server in
the middle of a PATCH, after a connection dropped mid-chunk and after refused chunks; checksums.

Each cut is made at a point the test observes (the data file has grown past what was sent), never after a
sleep; the assertions hold wherever exactly the cut fell: the server reports only bytes that are right,
and the finished moment is the source byte for byte.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from tusclient.client import TusClient
from tusclient.uploader import Uploader

from app.config import Settings
from app.context import build_context
from app.services import tus_store
from tests import factories
from tests.mediagen import make_clip

MIB = 1024 * 1024
SIZE = 3 * MIB + 12345
TUS = {"Tus-Resumable": "1.0.0"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(predicate: Callable[[], object], what: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


class Served:
    """`dayreel serve` on a data dir; can be killed (-9) and started again on the same dir."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "DAYREEL_DATA_DIR": str(self.data), "DAYREEL_QUEUE_BACKEND": "immediate",
               "DAYREEL_ENVIRONMENT": "test", "DAYREEL_SECRET_KEY": "test-secret-0123456789"}
        exe = Path(sys.executable).parent / "dayreel"
        self.proc = subprocess.Popen([str(exe), "serve", "--port", str(self.port)], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def healthy() -> bool:
            assert self.proc is not None and self.proc.poll() is None, "the server died"
            try:
                return httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(healthy, "the server to start", 60)

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=15)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
            self.proc = None


@pytest.fixture
def served(tmp_path: Path, settings: Settings) -> Iterator[tuple[Served, str]]:
    """A served data dir with one project; yields the server and the project's invite token."""
    data = tmp_path / "served"
    ctx = build_context(settings.model_copy(update={"data_dir": data}))
    token = factories.make_project(ctx).invite_token
    ctx.engine.dispose()
    server = Served(data)
    try:
        server.start()
        yield server, token
    finally:
        server.stop()


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A valid MP4 of SIZE bytes: a short clip and a `free` box of seeded noise (no two parts alike)."""
    head = make_clip(tmp_path_factory.mktemp("clip") / "seed.mp4", size=(64, 48), duration_s=1.0).read_bytes()
    pad = SIZE - len(head)
    return head + pad.to_bytes(4, "big") + b"free" + random.Random(10).randbytes(pad - 8)


def uploader(server: Served, data: bytes, token: str = "", url: str | None = None, **options: object) -> Uploader:
    meta = {"filename": "clip.mp4", "filetype": "video/mp4", "invite": token, "consent": "1"}
    client = TusClient(f"{server.base}/api/uploads")
    return client.uploader(file_stream=io.BytesIO(data), url=url, chunk_size=MIB // 4, metadata=meta,
                           **options)


def data_path(server: Served, url: str) -> Path:
    return tus_store.tus_dir(Settings(data_dir=server.data)) / url.rsplit("/", 1)[1]


def head_offset(server: Served, url: str) -> int:
    r = httpx.head(url, headers=TUS)
    assert r.status_code == 200, r.status_code
    return int(r.headers["upload-offset"])


def begin_patch(server: Served, url: str, offset: int, length: int) -> socket.socket:
    """A PATCH whose headers promise `length` bytes; the caller sends the body, as slowly as it likes."""
    conn = socket.create_connection(("127.0.0.1", server.port))
    path = httpx.URL(url).path
    conn.sendall((f"PATCH {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n"
                  f"Upload-Offset: {offset}\r\nContent-Type: application/offset+octet-stream\r\n"
                  f"Content-Length: {length}\r\n\r\n").encode())
    return conn


def finish(server: Served, token: str, url: str) -> httpx.Response:
    return httpx.post(f"{server.base}/api/invites/{token}/uploads/{url.rsplit('/', 1)[1]}/finish", json={},
                      timeout=60)


def test_tuspy_resumes_after_the_server_is_killed_mid_patch(
    served: tuple[Served, str], source: bytes
) -> None:
    server, token = served
    up = uploader(server, source, token)
    for _ in range(4):
        up.upload_chunk()  # 1 MiB arrives in four PATCHes
    assert up.offset == MIB
    url = up.url
    # a PATCH for the rest; 1.5 MiB of it is sent, then the server is killed while it waits for more
    conn = begin_patch(server, url, MIB, SIZE - MIB)
    sent = MIB + MIB * 3 // 2
    conn.sendall(source[MIB:sent])
    wait_for(lambda: data_path(server, url).stat().st_size >= sent, "the server to write what was sent")
    server.kill9()
    conn.close()
    server.start()
    # HEAD reports only bytes that are right, and the file holds exactly those
    offset = head_offset(server, url)
    assert 2 * MIB <= offset <= sent  # progress inside a long PATCH is recorded every MiB
    assert data_path(server, url).read_bytes() == source[:offset]
    resumed = uploader(server, source, url=url)
    assert resumed.offset == offset
    resumed.upload()
    r = finish(server, token, url)
    assert r.status_code == 201, r.text
    assert r.json()["sha256"] == hashlib.sha256(source).hexdigest() and r.json()["size_bytes"] == SIZE


def test_tuspy_resumes_after_a_connection_dropped_mid_chunk(served: tuple[Served, str], source: bytes) -> None:
    server, token = served
    up = uploader(server, source, token)
    up.upload_chunk()
    start = up.offset
    conn = begin_patch(server, up.url, start, SIZE - start)
    conn.sendall(source[start:start + 700_000])
    wait_for(lambda: data_path(server, up.url).stat().st_size >= start + 700_000, "the bytes to arrive")
    conn.close()  # the phone loses its network mid-chunk
    # the bytes that arrived are kept (they came in order); nothing else is
    wait_for(lambda: head_offset(server, up.url) == start + 700_000, "the server to keep what arrived")
    assert data_path(server, up.url).read_bytes() == source[:start + 700_000]
    resumed = uploader(server, source, url=up.url)
    assert resumed.offset == start + 700_000
    resumed.upload()
    r = finish(server, token, up.url)
    assert r.status_code == 201 and r.json()["sha256"] == hashlib.sha256(source).hexdigest()


def test_tuspy_goes_on_after_refused_chunks_and_checksums_are_checked(
    served: tuple[Served, str], source: bytes
) -> None:
    server, token = served
    up = uploader(server, source, token, upload_checksum=True)  # sha1 of every chunk, checked by the server
    up.upload_chunk()
    up.upload_chunk()
    url, at = up.url, up.offset
    part = source[at:at + 5000]
    base = {**TUS, "Upload-Offset": str(at), "Content-Type": "application/offset+octet-stream"}
    refused = [
        ({**base, "Upload-Checksum": "sha1 " + "A" * 27 + "="}, 460),
        ({**base, "Content-Type": "text/plain"}, 415),
        ({k: v for k, v in base.items() if k != "Tus-Resumable"}, 412),
        ({**base, "Upload-Offset": str(at + 1)}, 409),
    ]
    for headers, status in refused:
        r = httpx.patch(url, content=b"garbage!" * 625 if status != 460 else part, headers=headers)
        assert r.status_code == status, (status, r.text)
        assert head_offset(server, url) == at and data_path(server, url).stat().st_size == at
    resumed = uploader(server, source, url=url, upload_checksum=True)
    resumed.upload()
    r = finish(server, token, url)
    assert r.status_code == 201 and r.json()["sha256"] == hashlib.sha256(source).hexdigest()


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/{pid}/status")


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc peak-RSS accounting")
def test_a_large_body_streams_to_disk_in_flat_memory(served: tuple[Served, str]) -> None:
    server, token = served
    assert server.proc is not None
    pid = server.proc.pid
    block = random.Random(7).randbytes(MIB)
    size = 64 * MIB

    def post(length: int) -> httpx.Response:
        meta = {"filename": "big.mp4", "filetype": "video/mp4", "invite": token, "consent": "1"}
        header = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in meta.items())
        return httpx.post(f"{server.base}/api/uploads", content=(block for _ in range(length // MIB)), timeout=120,
                          headers={**TUS, "Upload-Length": str(length), "Upload-Metadata": header,
                                   "Content-Type": "application/offset+octet-stream", "Content-Length": str(length)})

    assert post(2 * MIB).status_code == 201  # warm up: everything a first upload loads is loaded
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # the kernel's peak-RSS mark starts again from now
    before = status_kb(pid, "VmRSS")
    r = post(size)  # creation-with-upload: 64 MiB in one request body
    assert r.status_code == 201 and r.headers["upload-offset"] == str(size)
    grew_mib = (status_kb(pid, "VmHWM") - before) / 1024
    assert grew_mib < 24, f"the server's peak memory grew by {grew_mib:.0f} MiB for a {size // MIB} MiB body"
    assert data_path(server, r.headers["location"]).stat().st_size == size
