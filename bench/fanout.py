"""One film, one worker or two: the wall time of a cold film render through the Redis queue.

    .venv/bin/python bench/fanout.py                    # 12 photos + 2 clips, 640x360/25, each worker on one core
    .venv/bin/python bench/fanout.py --photos 6 --no-pin

Each run gets a fresh data dir (SQLite, local storage, cold segment cache), a Redis queue of its own, and
real `dayreel worker` processes (DAYREEL_RENDER_WORKERS=1, one job thread each). With --pin (default) every
worker is bound to a core of its own (taskset), as if it were a machine of one core; without it they share
all cores. Runs, in one go so the ratios compare like with like:
  1. one worker, fan-out off (the render in one process, as on one machine);
  2. one worker, fan-out on (the same film as queue jobs: the overhead of spreading);
  3. two workers, fan-out on (both render segments of the one film).
Prints seconds and the ratio to run 1, and which workers made how many segments. The machine is shared:
read the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.film import make_photo  # noqa: E402
from tests.mediagen import make_clip  # noqa: E402

DAYREEL = Path(sys.executable).with_name("dayreel")
OPTIONS = {"size": "640x360", "fps": 25, "quality": "final", "photo_s": 2.0, "transition_s": 0.4}


def media(folder: Path, photos: int, clips: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(photos):
        path = folder / f"photo{i:02d}.jpg"
        make_photo(path, seed=i, size=(1600, 1200))
        paths.append(path)
    for i in range(clips):
        paths.append(make_clip(folder / f"clip{i}.mp4", size=(640, 360), colour="green", duration_s=3.0, fps=25))
    return paths


def listening() -> int:
    """Redis clients waiting on a queue (BRPOP): a started worker is ready once its consumer waits there."""
    import redis

    return sum(1 for client in redis.Redis.from_url("redis://127.0.0.1:6379/0").client_list()
               if client.get("cmd") == "brpop")


def wait_listening(queue: str, baseline: int, workers: int) -> None:
    deadline = time.monotonic() + 120
    while listening() < baseline + workers:
        assert time.monotonic() < deadline, f"the workers of {queue} did not start"
        time.sleep(0.2)


def run(label: str, files: list[Path], *, workers: int, fanout: str, pin: bool) -> tuple[float, str]:
    from sqlalchemy import func, select

    from app import jobs
    from app.config import Settings
    from app.context import build_context
    from app.models import Moment, Project, Render, RenderSegment
    from app.services import rendering
    from tests import factories

    with tempfile.TemporaryDirectory(prefix="dayreel-bench-fanout-") as tmp:
        env = {**os.environ, "DAYREEL_DATA_DIR": tmp, "DAYREEL_QUEUE_BACKEND": "redis",
               "DAYREEL_QUEUE_NAME": f"bench-{secrets.token_hex(4)}", "DAYREEL_SECRET_KEY": secrets.token_hex(16),
               "DAYREEL_FILM_FANOUT": fanout, "DAYREEL_RENDER_WORKERS": "1", "DAYREEL_WORKERS": "1"}
        settings = Settings(data_dir=Path(tmp), queue_backend="redis", queue_name=env["DAYREEL_QUEUE_NAME"],
                            secret_key=env["DAYREEL_SECRET_KEY"], film_fanout=fanout)  # type: ignore[arg-type]
        ctx = build_context(settings)
        jobs.configure(ctx)
        baseline = listening()
        cores = sorted(os.sched_getaffinity(0))
        procs = [subprocess.Popen(
            (["taskset", "-c", str(cores[i % len(cores)])] if pin else []) + [str(DAYREEL), "worker"],
            env=env, stdout=subprocess.DEVNULL, stderr=(Path(tmp) / f"worker-{i}.log").open("w"))
            for i in range(workers)]
        try:
            wait_listening(env["DAYREEL_QUEUE_NAME"], baseline, workers)
            staff = factories.make_staff(ctx)
            project = factories.make_project(ctx, owner_email=staff.email)
            for path in files:
                factories.make_moment(ctx, project, path, status="approved")
            deadline = time.monotonic() + 600
            while True:  # thumbnails and previews first, so the clock below times the film alone
                with ctx.sessions() as s:
                    left = s.scalar(select(Moment.id).where(Moment.thumb_key.is_(None),
                                                            Moment.derive_status != "failed"))
                if left is None:
                    break
                assert time.monotonic() < deadline, "derivatives did not finish"
                time.sleep(0.2)
            with ctx.sessions() as s:
                row = s.get(Project, project.id)
                assert row is not None
                started = time.monotonic()
                render_id = rendering.request_render(session=s, project=row, kind="film", options=OPTIONS).id
            while True:
                with ctx.sessions() as s:
                    render = s.get(Render, render_id)
                    assert render is not None
                    if render.status in ("done", "failed", "cancelled"):
                        break
                assert time.monotonic() < deadline, "the film did not finish"
                time.sleep(0.1)
            took = time.monotonic() - started
            assert render.status == "done", render.error
            who = next((line for line in render.log.splitlines() if line.startswith("segments rendered by")), "")
            with ctx.sessions() as s:
                last = s.scalar(select(func.max(RenderSegment.finished_at)).where(RenderSegment.render_id == render_id))
            join = f" (joined in the last {(render.finished_at - last).total_seconds():.1f} s)" if last else ""
            print(f"{label:<24} {took:6.1f} s{join}  {who}", flush=True)
            return took, who
        except BaseException:
            for log in sorted(Path(tmp).glob("worker-*.log")):
                print(f"--- {log.name}\n" + "\n".join(log.read_text().splitlines()[-20:]), file=sys.stderr)
            raise
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=60)
            jobs.huey.storage.flush_all()
            ctx.engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=12)
    parser.add_argument("--clips", type=int, default=2)
    parser.add_argument("--no-pin", dest="pin", action="store_false", help="workers share all cores")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dayreel-bench-fanout-media-") as folder:
        files = media(Path(folder), args.photos, args.clips)
        print(f"{args.photos} photos + {args.clips} clips at {OPTIONS['size']}/{OPTIONS['fps']}; "
              f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; workers {'pinned' if args.pin else 'unpinned'}")
        base, _ = run("1 worker, fan-out off", files, workers=1, fanout="off", pin=args.pin)
        one, _ = run("1 worker, fan-out on", files, workers=1, fanout="on", pin=args.pin)
        two, _ = run("2 workers, fan-out on", files, workers=2, fanout="on", pin=args.pin)
    print(f"ratio to one worker without fan-out: fan-out on 1 worker {one / base:.2f}, 2 workers {two / base:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
