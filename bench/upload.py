"""Upload benchmark: 1 GiB through tus into the real server, whose memory must stay flat.

    .venv/bin/python bench/upload.py              # 1 GiB; ends with the RESULT line
    .venv/bin/python bench/upload.py --mib 256    # smaller, for a quick look

Starts `dayreel serve` on a free loopback port with a temp data dir, creates a project, and sends one
clip of the given size (a real 2-second MP4 followed by a large `free` box, so ingest probes, hashes and
stores a valid clip) in 8 MiB PATCH chunks, then finishes it into a moment. Meanwhile the server's
resident memory is read from /proc/<pid>/status (VmRSS) every 20 ms. The same bytes are then copied
with a plain file copy on the same disk, for a sense of what the disk allows. Upload speed counts
from creating the upload to the finished moment (transfer, hashing, probing and the atomic move).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.memory import PeakMemory  # noqa: E402
from tests.mediagen import make_clip  # noqa: E402

DAYREEL = Path(sys.executable).with_name("dayreel")
CHUNK = 8 * 1024 * 1024
TUS = {"Tus-Resumable": "1.0.0"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def padded_clip(path: Path, size: int, work: Path) -> Path:
    """A valid MP4 of exactly `size` bytes: a short clip plus one `free` box (which players skip)."""
    clip = make_clip(work / "seed.mp4", size=(320, 240), duration_s=2.0, colour="blue")
    head = clip.read_bytes()
    pad = size - len(head)
    if not 8 <= pad < 2**32:
        raise SystemExit(f"size must be between {len(head) + 8} bytes and 4 GiB")
    block = bytes(CHUNK)
    with path.open("wb") as out:
        out.write(head)
        out.write(pad.to_bytes(4, "big") + b"free")
        left = pad - 8
        while left:
            out.write(block[: min(left, CHUNK)])
            left -= min(left, CHUNK)
    return path


def start_server(data: Path, port: int) -> tuple[subprocess.Popen[bytes], str]:
    """`dayreel serve` on a fresh data dir with one project; returns the process and the invite token."""
    env = {**os.environ, "DAYREEL_DATA_DIR": str(data), "DAYREEL_ENVIRONMENT": "development",
           "DAYREEL_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "DAYREEL_MAX_UPLOAD_MB": "4096"}
    out = subprocess.run([str(DAYREEL), "project", "create", "--title", "Bench", "--date", "2024-07-24"],
                         env=env, check=True, capture_output=True, text=True)
    token = json.loads(out.stdout.strip().splitlines()[-1])["token"]
    server = subprocess.Popen([str(DAYREEL), "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server, token
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def upload(base: str, token: str, path: Path) -> tuple[dict[str, object], float]:
    """Create, PATCH every chunk, finish; returns the moment and the seconds the finish took."""
    size = path.stat().st_size
    meta = {"filename": path.name, "filetype": "video/mp4", "invite": token, "consent": "1"}
    header = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in meta.items())
    with httpx.Client(base_url=base, timeout=600) as client:
        r = client.post("/api/uploads", headers={**TUS, "Upload-Length": str(size), "Upload-Metadata": header})
        r.raise_for_status()
        url = httpx.URL(r.headers["location"]).path
        offset = 0
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                r = client.patch(url, content=chunk, headers={
                    **TUS, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"})
                if r.status_code != 204:
                    raise SystemExit(f"PATCH at {offset} answered {r.status_code}: {r.text}")
                offset = int(r.headers["upload-offset"])
        sent = time.perf_counter()
        r = client.post(f"/api/invites/{token}/uploads/{url.rsplit('/', 1)[1]}/finish", json={"caption": "bench"})
        if r.status_code != 201:
            raise SystemExit(f"finish answered {r.status_code}: {r.text}")
        return r.json(), time.perf_counter() - sent  # type: ignore[no-any-return]


def streamed_copy(src: Path, dest: Path) -> None:
    """A plain copy the way the server writes: read and write 1 MiB blocks, then fsync."""
    with src.open("rb") as fh, dest.open("wb") as out:
        while block := fh.read(1024 * 1024):
            out.write(block)
        out.flush()
        os.fsync(out.fileno())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mib", type=int, default=1024, help="upload size in MiB (default 1024)")
    args = parser.parse_args()
    size = args.mib * 1024 * 1024
    with tempfile.TemporaryDirectory(prefix="dayreel-bench-upload-") as tmp:
        work = Path(tmp)
        source = padded_clip(work / "big.mp4", size, work)
        port = free_port()
        server, token = start_server(work / "data", port)
        try:
            idle_mb = PeakMemory(server.pid).sample()[0]
            with PeakMemory(server.pid) as sampler:
                t0 = time.perf_counter()
                moment, finish_s = upload(f"http://127.0.0.1:{port}", token, source)
                upload_s = time.perf_counter() - t0
        finally:
            server.terminate()
            server.wait(timeout=30)
        assert moment["size_bytes"] == size, moment
        t0 = time.perf_counter()
        streamed_copy(source, work / "copy.mp4")
        copy_s = time.perf_counter() - t0
        (work / "copy.mp4").unlink()
        t0 = time.perf_counter()
        shutil.copyfile(source, work / "copy.mp4")  # copy_file_range: the kernel may not move the bytes at all
        kernel_s = time.perf_counter() - t0
    mb = size / 1e6
    upload_mb_s, copy_mb_s = mb / upload_s, mb / copy_s
    print(f"uploaded {args.mib} MiB in {upload_s:.1f} s ({upload_mb_s:.0f} MB/s), of which finishing (hash, "
          f"probe, store) {finish_s:.1f} s; moment {moment['id']} is a {moment['kind']}, {moment['size_bytes']} bytes")
    print(f"plain file copy of the same bytes (1 MiB blocks + fsync): {copy_s:.1f} s ({copy_mb_s:.0f} MB/s); "
          f"shutil.copyfile: {kernel_s:.2f} s ({mb / kernel_s:.0f} MB/s)")
    print(f"server RSS: idle {idle_mb:.0f} MB, peak {sampler.peak_mb:.0f} MB over {sampler.samples} samples")
    print(f"RESULT upload_mb_s={upload_mb_s:.1f} copy_ratio={upload_mb_s / copy_mb_s:.2f} "
          f"peak_rss_mb={sampler.peak_mb:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
