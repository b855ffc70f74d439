"""Capacity inputs for docs/scaling.md: what one web process and one worker do with phone photos.

    .venv/bin/python bench/capacity.py                 # 40 photos (12 MP, ~4 MB), 4 clients at once
    .venv/bin/python bench/capacity.py --photos 20 --clients 8

Starts `dayreel serve --no-jobs` (web only) on a free loopback port with a temp data dir and SQLite, and
uploads distinct phone-like photos (4032x3024 noisy JPEGs, generated once and reused) through
`POST /api/invites/{token}/moments` from several clients at once. Reports uploads per second and the
server's CPU seconds per upload (from /proc/<pid>/stat). Then starts one `dayreel worker` and times it
until every moment has its thumbnail and preview (CPU seconds per photo). Finally it reports the bytes
stored per photo (original and derived) and the database rows per moment. Numbers on a shared machine
are noisy; the CPU seconds are steadier than the wall-clock rates.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.film import make_photo  # noqa: E402

DAYREEL = Path(sys.executable).with_name("dayreel")
MEDIA = Path(tempfile.gettempdir()) / "dayreel-bench-capacity"
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its waited-for children, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / TICKS


def photos(count: int) -> list[Path]:
    MEDIA.mkdir(exist_ok=True)
    paths = []
    for i in range(count):
        path = MEDIA / f"photo{i:03d}.jpg"
        if not path.exists():
            make_photo(path, 1000 + i, (4032, 3024))
        paths.append(path)
    return paths


def wait_ready(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the server exited at start")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=40)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    files = photos(args.photos)
    mb = sum(p.stat().st_size for p in files) / 1e6
    with tempfile.TemporaryDirectory(prefix="dayreel-bench-capacity-") as tmp:
        data = Path(tmp) / "data"
        port = free_port()
        env = {**os.environ, "DAYREEL_DATA_DIR": str(data), "DAYREEL_QUEUE_BACKEND": "sqlite",
               "DAYREEL_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "DAYREEL_SECRET_KEY": "bench-secret-0123456789"}
        out = subprocess.run([str(DAYREEL), "project", "create", "--title", "Bench", "--date", "2025-06-21"],
                             env=env, check=True, capture_output=True, text=True)
        token = json.loads(out.stdout)["token"]
        web = subprocess.Popen([str(DAYREEL), "serve", "--port", str(port), "--no-jobs"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        worker = None
        try:
            wait_ready(port, web)
            cpu0 = cpu_seconds(web.pid)

            def send(path: Path) -> None:
                with path.open("rb") as fh:
                    r = httpx.post(f"http://127.0.0.1:{port}/api/invites/{token}/moments", timeout=120,
                                   files={"file": (path.name, fh, "image/jpeg")}, data={"consent": "true"})
                if r.status_code != 201:
                    raise SystemExit(f"upload answered {r.status_code}: {r.text}")

            t0 = time.perf_counter()
            with ThreadPoolExecutor(args.clients) as pool:
                list(pool.map(send, files))
            upload_s = time.perf_counter() - t0
            web_cpu = cpu_seconds(web.pid) - cpu0

            worker = subprocess.Popen([str(DAYREEL), "worker"], env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
            t0 = time.perf_counter()
            db = sqlite3.connect(data / "dayreel.db")
            while db.execute("SELECT count(*) FROM moments WHERE derive_status = 'pending'").fetchone()[0]:
                if time.perf_counter() - t0 > 600:
                    raise SystemExit("derivatives did not finish in 10 minutes")
                time.sleep(0.2)
            derive_s = time.perf_counter() - t0
            worker_cpu = cpu_seconds(worker.pid)  # includes start-up (~1 s of imports)
            rows = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for (t,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
            db.close()
        finally:
            for proc in (web, worker):
                if proc is not None:
                    proc.terminate()
                    proc.wait(timeout=30)
        stored = {"originals": 0, "derived": 0}
        for path in data.rglob("*"):
            if path.is_file() and path.suffix.lower() in (".jpg", ".jpeg"):
                stored["derived" if "derived" in path.parts else "originals"] += path.stat().st_size
    n = args.photos
    print(f"{n} photos ({mb / n:.1f} MB each), {args.clients} clients, {os.cpu_count()} cores")
    print(f"web (serve --no-jobs): {upload_s:.1f} s, {n / upload_s:.1f} uploads/s, {mb / upload_s:.0f} MB/s; "
          f"{web_cpu / n:.3f} CPU s per upload")
    print(f"worker: thumbnails and previews in {derive_s:.1f} s, {n / derive_s:.1f} photos/s; "
          f"{worker_cpu / n:.3f} CPU s per photo (start-up included)")
    print(f"stored per photo: original {stored['originals'] / n / 1e6:.2f} MB, "
          f"derived {stored['derived'] / n / 1e6:.2f} MB")
    print("database rows: " + ", ".join(f"{t} {c}" for t, c in sorted(rows.items()) if c))
    print(f"RESULT uploads_per_s={n / upload_s:.2f} web_cpu_s_per_upload={web_cpu / n:.3f} "
          f"worker_cpu_s_per_photo={worker_cpu / n:.3f} derived_mb_per_photo={stored['derived'] / n / 1e6:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
