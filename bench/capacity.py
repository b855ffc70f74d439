"""Capacity inputs for docs/scaling.md: what one web process and one worker do with phone photos.

    .venv/bin/python bench/capacity.py                 # 40 photos (12 MP, ~4 MB) and 6 clips, 4 clients
    .venv/bin/python bench/capacity.py --photos 20 --clips 0 --clients 8

Starts `dayreel serve --no-jobs` (web only) on a free loopback port with a temp data dir and SQLite, and
uploads distinct phone-like photos (4032x3024 noisy JPEGs, generated once and reused) through
`POST /api/invites/{token}/moments` from several clients at once. Reports uploads per second and the
server's CPU seconds per upload (from /proc/<pid>/stat). Then starts one `dayreel worker` and times it
until every moment has its thumbnail and preview (CPU seconds per photo). Then the same for 10-second
1080p30 clips at 16 Mbit/s (uploaded while the worker runs). Finally it reports the bytes stored per moment (original
and derived) and the database rows. Numbers on a shared machine
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
from tests.mediagen import FFMPEG  # noqa: E402

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


def clips(count: int) -> list[Path]:
    """10 s 1080p30 H.264 at a phone's ~16 Mbit/s with AAC sound, each different."""
    MEDIA.mkdir(exist_ok=True)
    paths = []
    for i in range(count):
        path = MEDIA / f"clip16m{i:03d}.mp4"
        if not path.exists():
            subprocess.run([FFMPEG, "-y", "-loglevel", "error", "-f", "lavfi", "-i",
                            f"testsrc2=s=1920x1080:r=30:d=10,noise=alls={8 + i}:allf=t,format=yuv420p",
                            "-f", "lavfi", "-i", f"sine=frequency={300 + 20 * i}:duration=10",
                            "-c:v", "libx264", "-preset", "veryfast", "-b:v", "16M", "-maxrate", "17M",
                            "-bufsize", "32M", "-c:a", "aac", "-b:a", "128k", str(path)], check=True)
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
    parser.add_argument("--clips", type=int, default=6)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    kinds = {"photo": photos(args.photos), "clip": clips(args.clips)}
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
        results: dict[str, dict[str, float]] = {}
        try:
            wait_ready(port, web)

            def send(path: Path) -> None:
                with path.open("rb") as fh:
                    r = httpx.post(f"http://127.0.0.1:{port}/api/invites/{token}/moments", timeout=300,
                                   files={"file": (path.name, fh)}, data={"consent": "true"})
                if r.status_code != 201:
                    raise SystemExit(f"upload answered {r.status_code}: {r.text}")

            db = sqlite3.connect(data / "dayreel.db")
            for kind, files in kinds.items():
                if not files:
                    continue
                web_cpu = cpu_seconds(web.pid)
                worker_cpu = cpu_seconds(worker.pid) if worker else 0.0
                t0 = time.perf_counter()
                with ThreadPoolExecutor(args.clients) as pool:
                    list(pool.map(send, files))
                upload_s = time.perf_counter() - t0
                web_cpu = cpu_seconds(web.pid) - web_cpu
                if worker is None:  # started after the first uploads: its start-up counts once, here
                    worker = subprocess.Popen([str(DAYREEL), "worker"], env=env, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL)
                while db.execute("SELECT count(*) FROM moments WHERE derive_status = 'pending'").fetchone()[0]:
                    if time.perf_counter() - t0 > 900:
                        raise SystemExit("derivatives did not finish in 15 minutes")
                    time.sleep(0.2)
                derive_s = time.perf_counter() - t0
                worker_cpu = cpu_seconds(worker.pid) - worker_cpu
                n = len(files)
                results[kind] = {"n": n, "mb": sum(p.stat().st_size for p in files) / 1e6 / n,
                                 "per_s": n / upload_s, "web_cpu": web_cpu / n, "worker_cpu": worker_cpu / n,
                                 "done_s": derive_s}
            rows = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for (t,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
            db.close()
        finally:
            for proc in (web, worker):
                if proc is not None:
                    proc.terminate()
                    proc.wait(timeout=30)
        derived = sum(p.stat().st_size for p in (data / "derived").rglob("*") if p.is_file())
    print(f"{args.clients} clients, {os.cpu_count()} cores; web: serve --no-jobs, worker: dayreel worker")
    for kind, r in results.items():
        print(f"{int(r['n'])} {kind}s of {r['mb']:.1f} MB: {r['per_s']:.1f} uploads/s "
              f"({r['per_s'] * r['mb']:.0f} MB/s), web {r['web_cpu']:.3f} CPU s per upload; "
              f"worker {r['worker_cpu']:.3f} CPU s per {kind} (thumbnail, preview); all done after {r['done_s']:.1f} s")
    total = sum(r["n"] for r in results.values())
    print(f"derived files: {derived / total / 1e6:.2f} MB per moment")
    print("database rows: " + ", ".join(f"{t} {c}" for t, c in sorted(rows.items()) if c))
    photo = results.get("photo", {})
    print(f"RESULT photo_uploads_per_s={photo.get('per_s', float('nan')):.2f} "
          f"web_cpu_s_per_photo={photo.get('web_cpu', float('nan')):.3f} "
          f"worker_cpu_s_per_photo={photo.get('worker_cpu', float('nan')):.3f} "
          f"derived_mb_per_moment={derived / total / 1e6:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
