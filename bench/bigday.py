"""A big day: what pages, plans, the API, the wall and thumbnails cost at two project sizes.

    .venv/bin/python bench/bigday.py            # 1,000 and 5,000 moments; a 40-phone burst of 60 s
    .venv/bin/python bench/bigday.py --quick    # 200 and 1,000 moments; a 40-phone burst of 15 s

For each size it starts `dayreel serve` (web and jobs in one process, SQLite: the one-machine set-up) on a
free loopback port with a fresh data dir, uploads a few dozen generated photos and clips through the invite
API (so every file, thumbnail and preview is real), then adds the bulk of the moments as rows pointing at
those files (contributors with 5 moments each, spread over the day, nine in ten approved). Then, over real
HTTP with a signed-in staff session or bearer token (median of --repeat):

- film plan: the approved moments loaded and planned in-process (120 s target); film length / target;
- film preview: the builder's plan preview (POST), the request a staff member waits for;
- each staff page (home, overview, curation, film and collage builders, lanes) and one API page (these
  always the fastest of 7, after one warm-up: on a shared machine other work only adds delay);
- wall open: headless Chromium (Playwright) opens the presentation's wall until its tiles' pictures are in;

and prints each value at both sizes with the growth factor (linear would be size ratio; flat is 1). At the
larger size, 40 clients (one contributor each) upload distinct generated photos as fast as they can for
--burst-s seconds; the thumbnail lag is the time from the end of that rush until every moment has its
thumbnail. Ends with one line:
RESULT plan_growth=<x> page_growth_max=<x> wall_open_s_<N>=<s> thumb_lag_s=<s> film_length_ratio=<length/target>
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.capacity import free_port, wait_ready  # noqa: E402
from tests.mediagen import make_clip  # noqa: E402

DAYREEL = Path(sys.executable).with_name("dayreel")
EMAIL, PASSWORD = "bench@dayreel.local", "bench-password-0123"
TARGET_S = 120.0
PAGE_REPEAT = 7  # pages are cheap: always the fastest of several (a shared machine adds only delays)
SEED_PHOTOS, SEED_CLIPS = 24, 3
PAGES = {"staff home": "/staff", "overview": "/staff/projects/{id}", "curation": "/staff/projects/{id}/moments",
         "film builder": "/staff/projects/{id}/film", "collage builder": "/staff/projects/{id}/collage",
         "lanes": "/staff/projects/{id}/lanes"}
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def noisy_jpeg(seed: int, size: tuple[int, int] = (1024, 768)) -> bytes:
    """A small photo with sensor-like noise, so decoding it costs something."""
    rng = np.random.default_rng(seed)
    base = rng.integers(40, 215, 3).astype(np.int16)
    w, h = size
    ramp = np.linspace(-40, 40, h, dtype=np.int16)[:, None, None]
    img = base + ramp + rng.integers(-18, 19, (h, w, 3), dtype=np.int16)
    out = io.BytesIO()
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(out, "JPEG", quality=90)
    return out.getvalue()


@dataclass
class Server:
    data: Path
    port: int
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None
    project_id: int = 0
    invite: str = ""
    token: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run([str(DAYREEL), *args], env=self.env, input=stdin, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"dayreel {' '.join(args)} failed: {done.stderr}")
        return done.stdout

    def start(self) -> None:
        self.proc = subprocess.Popen([str(DAYREEL), "serve", "--port", str(self.port)], env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_ready(self.port, self.proc)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=60)


def open_server(folder: Path, day: date) -> Server:
    port = free_port()
    env = {**os.environ, "DAYREEL_DATA_DIR": str(folder / "data"), "DAYREEL_QUEUE_BACKEND": "sqlite",
           "DAYREEL_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "DAYREEL_SECRET_KEY": "bench-secret-0123456789"}
    server = Server(folder / "data", port, env)
    server.cli("user", "add", EMAIL, "--password-stdin", "--admin", stdin=PASSWORD + "\n")
    server.token = server.cli("token", "create", EMAIL).strip().splitlines()[-1]
    made = json.loads(server.cli("project", "create", "--title", "Bench day", "--date", day.isoformat()))
    server.project_id, server.invite = int(made["id"]), made["token"]
    server.start()
    return server


def staff_client(server: Server) -> tuple[httpx.Client, str]:
    """A signed-in browser session and its CSRF token."""
    client = httpx.Client(base_url=server.url, timeout=300)
    token = CSRF.search(client.get("/staff/login").text).group(1)  # type: ignore[union-attr]
    r = client.post("/staff/login", data={"email": EMAIL, "password": PASSWORD, "csrf": token})
    if r.status_code not in (200, 303):
        raise SystemExit(f"sign-in answered {r.status_code}")
    return client, CSRF.search(client.get("/staff").text).group(1)  # type: ignore[union-attr]


def upload(server: Server, name: str, data: bytes, client: httpx.Client | None = None) -> httpx.Response:
    send = client or httpx.Client(timeout=300)
    try:
        return send.post(f"{server.url}/api/invites/{server.invite}/moments", files={"file": (name, data)},
                         data={"consent": "true", "caption": name})
    finally:
        if client is None:
            send.close()


def wait_derived(server: Server, timeout_s: float, *, previews: bool = False) -> float:
    """Seconds until no moment waits for its thumbnail (with `previews`: for its preview, which a JPEG gets
    from a later job), read from the database: the server is not asked."""
    from sqlalchemy import create_engine, func, select

    from app.models import Moment

    waiting = select(func.count()).where(Moment.derive_status == "pending")
    if previews:
        waiting = select(func.count()).where(Moment.derive_status == "done", Moment.preview_key.is_(None))
    engine = create_engine(f"sqlite:///{server.data / 'dayreel.db'}")
    t0 = time.perf_counter()
    try:
        with engine.connect() as conn:
            while conn.execute(waiting).scalar():
                if time.perf_counter() - t0 > timeout_s:
                    raise SystemExit(f"{'previews' if previews else 'thumbnails'} not done after {timeout_s:.0f} s")
                conn.rollback()
                time.sleep(0.2)
    finally:
        engine.dispose()
    return time.perf_counter() - t0


def seed_media(server: Server, folder: Path) -> None:
    """A few dozen real uploads: the files the bulk rows point at."""
    for i in range(SEED_PHOTOS):
        r = upload(server, f"seed{i}.jpg", noisy_jpeg(10_000 + i, (640, 480)))
        if r.status_code != 201:
            raise SystemExit(f"seed upload answered {r.status_code}: {r.text}")
    for i in range(SEED_CLIPS):
        path = folder / f"clip{i}.mp4"
        make_clip(path, size=(320, 180), colour=("red", "green", "blue")[i], duration_s=2.0)
        r = upload(server, path.name, path.read_bytes())
        if r.status_code != 201:
            raise SystemExit(f"seed clip answered {r.status_code}: {r.text}")
    wait_derived(server, 300)


def add_bulk(server: Server, total: int, day: date, seed: int = 5) -> None:
    """The rest of the day as rows pointing at the seed files: contributors with 5 moments each, times over
    the day (more in working hours), customers and employees, nine in ten approved."""
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from app.models import Contributor, Moment

    rng = random.Random(seed)
    engine = create_engine(f"sqlite:///{server.data / 'dayreel.db'}")
    with Session(engine) as session:
        seeds = list(session.scalars(select(Moment).where(Moment.project_id == server.project_id)))
        for m in seeds:
            m.status = "approved"
        wanted = total - len(seeds)
        people = [Contributor(project_id=server.project_id, token_hash=f"bench-{i}", alias=f"Person {i}")
                  for i in range((wanted + 4) // 5)]
        session.add_all(people)
        session.flush()
        for i in range(wanted):
            src = seeds[i % len(seeds)]
            hour = min(23, max(0, int(rng.gauss(13, 4.5))))
            when = datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60))
            session.add(Moment(
                project_id=server.project_id, contributor_id=people[i // 5].id, storage_key=src.storage_key,
                sha256=src.sha256, size_bytes=src.size_bytes, original_name=src.original_name, kind=src.kind,
                format=src.format, mime=src.mime, width=src.width, height=src.height, duration_s=src.duration_s,
                has_audio=src.has_audio, media_info={}, captured_local=when, utc_offset_min=120,
                time_source="exif", caption=f"Moment {i} of person {i // 5}", mood=rng.randint(1, 5),
                alias=f"Person {i // 5}", role=("customer", "employee")[i // 5 % 2], consent_at=when,
                status="approved" if rng.random() < 0.9 else "pending", derive_status="done",
                thumb_key=src.thumb_key, preview_key=src.preview_key))
        session.commit()
    engine.dispose()


def timed(repeat: int, call: Callable[[], object], pick: Callable[[list[float]], float] = statistics.median) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return pick(times)


def ok(r: httpx.Response) -> httpx.Response:
    if r.status_code >= 400:
        raise SystemExit(f"{r.request.method} {r.request.url} answered {r.status_code}: {r.text[:300]}")
    return r


def plan_in_process(server: Server) -> tuple[float, float]:
    """Seconds to load the approved moments and plan a 120 s film, and the planned length."""
    from app.config import Settings
    from app.context import build_context
    from app.models import Project
    from app.services import rendering
    from app.services.curation import to_pipeline
    from media_pipeline.plan import FilmOptions, build_film_plan

    ctx = build_context(Settings(data_dir=server.data, secret_key="bench-secret-0123456789"), migrate=False)
    try:
        with ctx.sessions() as session:
            project = session.get(Project, server.project_id)
            assert project is not None
            t0 = time.perf_counter()
            moments = [to_pipeline(m) for m in rendering.approved_moments(session, project)]
            plan = build_film_plan(moments, rendering.project_info(project),
                                   FilmOptions.from_dict({"target_length_s": TARGET_S}))
            return time.perf_counter() - t0, float(plan.to_dict()["length_s"])
    finally:
        ctx.engine.dispose()


def wall_open_s(server: Server) -> tuple[float, int]:
    """Seconds until the wall shows tiles whose pictures are all in, and how many media requests it made."""
    from playwright.sync_api import sync_playwright
    from sqlalchemy import create_engine, select

    from app.models import Project
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    engine = create_engine(f"sqlite:///{server.data / 'dayreel.db'}")
    with engine.connect() as conn:
        token = conn.execute(select(Project.present_token).where(Project.id == server.project_id)).scalar()
    engine.dispose()
    media = [0]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.on("request", lambda req: media.__setitem__(0, media[0] + ("/media/" in req.url)))
        ready = ("(() => { const imgs = [...document.querySelectorAll('#wall img')];"
                 " return imgs.length > 0 && imgs.every(i => i.complete); })()")
        t0 = time.perf_counter()
        page.goto(f"{server.url}/p/{token}?view=wall", wait_until="domcontentloaded")
        stable, last = 0, -1
        while stable < 3:  # ready three looks in a row (50 ms apart) with the same number of tiles
            if time.perf_counter() - t0 > 300:
                raise SystemExit("the wall did not open in 5 minutes")
            n = page.evaluate("document.querySelectorAll('#wall li').length")
            stable = stable + 1 if page.evaluate(ready) and n == last else 0
            last = n
            time.sleep(0.05)
        elapsed = time.perf_counter() - t0 - 0.1  # the two confirming looks are not the wall's time
        browser.close()
    return elapsed, media[0]


@dataclass
class Burst:
    uploads: int = 0
    failed: int = 0
    latencies: list[float] = field(default_factory=list)


def burst(server: Server, clients: int, seconds: float) -> Burst:
    """`clients` phones (a contributor each) uploading distinct photos as fast as they can for `seconds`."""
    bases = [noisy_jpeg(20_000 + i) for i in range(40)]
    result, lock = Burst(), threading.Lock()
    stop_at = time.perf_counter() + seconds

    def phone(n: int) -> None:
        with httpx.Client(timeout=300) as client:
            i = 0
            while time.perf_counter() < stop_at:
                # bytes after the JPEG's end: the same picture, another file (its own hash, its own thumbnail)
                data = bases[(n + i) % len(bases)] + f"phone {n} photo {i}".encode()
                t0 = time.perf_counter()
                r = upload(server, f"p{n}-{i}.jpg", data, client)
                with lock:
                    result.latencies.append(time.perf_counter() - t0)
                    result.uploads += r.status_code == 201
                    result.failed += r.status_code != 201
                i += 1

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(phone, range(clients)))
    return result


def raise_limits(client: httpx.Client, csrf: str, project_id: int) -> None:
    ok(client.post(f"/staff/projects/{project_id}/limits",
                   data={"csrf": csrf, "contributor_moments": "10000", "contributor_gb": "50",
                         "project_moments": "100000", "project_gb": "500"}))


def measure(size: int, folder: Path, repeat: int, day: date) -> tuple[dict[str, float], Server]:
    server = open_server(folder, day)
    seed_media(server, folder)
    add_bulk(server, size, day)
    values: dict[str, float] = {}
    staff, csrf = staff_client(server)
    api = httpx.Client(base_url=server.url, timeout=300, headers={"Authorization": f"Bearer {server.token}"})
    plans = [plan_in_process(server) for _ in range(repeat)]
    values["film plan (s)"] = statistics.median(p[0] for p in plans)
    values["film length / target"] = plans[0][1] / TARGET_S
    form = {"csrf": csrf, "size": "1280x720", "fps": "25", "target_length_s": str(int(TARGET_S))}
    values["film preview POST (s)"] = timed(repeat, lambda: ok(staff.post(
        f"/staff/projects/{server.project_id}/film/preview", data=form)))
    for name, path in PAGES.items():
        url = path.format(id=server.project_id)
        ok(staff.get(url))  # warm
        values[f"page {name} (s)"] = timed(PAGE_REPEAT, lambda url=url: ok(staff.get(url)), min)  # type: ignore[misc]
    values["page curation (KB)"] = len(staff.get(f"/staff/projects/{server.project_id}/moments").content) / 1024
    api_url = f"/api/projects/{server.project_id}/moments"
    ok(api.get(api_url))  # warm
    values["API moments page (s)"] = timed(PAGE_REPEAT, lambda: ok(api.get(api_url)), min)
    values["API moments page (KB)"] = len(api.get(api_url).content) / 1024
    opened = [wall_open_s(server) for _ in range(repeat)]
    values["wall open (s)"] = statistics.median(o[0] for o in opened)
    values["wall media requests"] = float(opened[0][1])
    raise_limits(staff, csrf, server.project_id)
    staff.close()
    api.close()
    return values, server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="200 and 1,000 moments, a 15 s burst, one run each")
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--burst-s", type=float, default=60.0)
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.repeat, args.burst_s = "200,1000", 1, 15.0
    sizes = [int(s) for s in args.sizes.split(",")]
    day = date.today()
    table: dict[int, dict[str, float]] = {}
    burst_result, lag, preview_lag = Burst(), float("nan"), float("nan")
    with tempfile.TemporaryDirectory(prefix="dayreel-bench-bigday-") as tmp:
        for n in sizes:
            folder = Path(tmp) / str(n)
            folder.mkdir()
            t0 = time.perf_counter()
            values, server = measure(n, folder, args.repeat, day)
            try:
                if n == sizes[-1]:
                    started = time.perf_counter()
                    burst_result = burst(server, args.clients, args.burst_s)
                    burst_s = time.perf_counter() - started
                    lag = wait_derived(server, 1800)
                    preview_lag = lag + wait_derived(server, 1800, previews=True)
                    values["burst uploads/s"] = burst_result.uploads / burst_s
            finally:
                server.stop()
            table[n] = values
            print(f"{n} moments measured in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    small, big = sizes[0], sizes[-1]
    print(f"{os.cpu_count()} cores; sizes {small} and {big} moments (linear growth would be {big / small:.1f}x); "
          f"median of {args.repeat}")
    print(f"{'metric':32} {small:>10} {big:>10} {'growth':>8}")
    growth: dict[str, float] = {}
    for name in table[big]:
        a, b = table[small].get(name), table[big][name]
        if a is None:
            print(f"{name:32} {'':>10} {b:10.3f}")
            continue
        growth[name] = b / a if a else float("nan")
        print(f"{name:32} {a:10.3f} {b:10.3f} {growth[name]:7.2f}x")
    latencies = sorted(burst_result.latencies) or [float("nan")]
    print(f"burst: {args.clients} clients for {args.burst_s:.0f} s at {big} moments: {burst_result.uploads} uploads "
          f"({burst_result.failed} refused), p95 {latencies[int(0.95 * (len(latencies) - 1))]:.2f} s; "
          f"every thumbnail made {lag:.1f} s after the rush, every preview {preview_lag:.1f} s after it")
    page_growth = max(g for k, g in growth.items() if k.startswith(("page ", "API ")) and k.endswith("(s)"))
    print(f"RESULT plan_growth={growth['film plan (s)']:.2f} page_growth_max={page_growth:.2f} "
          f"wall_open_s_{big}={table[big]['wall open (s)']:.2f} thumb_lag_s={lag:.1f} "
          f"film_length_ratio={table[big]['film length / target']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
