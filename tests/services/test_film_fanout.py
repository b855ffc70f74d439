"""One film, several workers: its segments are queue jobs any worker takes; the render's holder joins them once.

The queue here is a function the test holds (ctx.jobs.segment), so the test decides which "worker" takes which
job and when; workers are threads (or a real process, for one that dies) with owner ids of their own. Nothing
waits and hopes: a worker that must be first claims before the next step starts."""

from __future__ import annotations

import queue
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import av
import numpy as np
import pytest
from sqlalchemy import select

from app import jobs
from app.config import Settings
from app.context import Context, build_context
from app.models import Moment, Project, Render, RenderSegment
from app.services import film_fanout, rendering
from app.services.film_fanout import SegmentClaim
from app.services.render_store import load_plan
from media_pipeline.film import FilmPlan
from tests import factories
from tests.mediagen import COLOURS, make_clip, make_photo
from tests.services.test_backends import REDIS_URL, pg_url, redis_queue  # noqa: F401 - fixtures

pytestmark = pytest.mark.slow

TINY = {"size": "160x90", "fps": 10, "quality": "preview", "photo_s": 1.0, "transition_s": 0.2}
SHOTS = (("red", 8), ("green", 11), ("blue", 14), ("yellow", 17))  # (colour, hour): four moments in day order

Job = tuple[int, int, int]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Fan-out forced on (the inline queue of the tests would leave it off) and one helper in the joining worker,
    so the other workers' share is not all taken by it."""
    return settings.model_copy(update={"film_fanout": "on", "render_workers": 1})


def shot_moments(ctx: Context, project: factories.ProjectRef, folder: Path) -> None:
    """Three photos and a clip with sound, distinct colours, approved, at the hours of SHOTS."""
    folder.mkdir(parents=True, exist_ok=True)
    for colour, hour in SHOTS:
        if colour == "green":
            path = make_clip(folder / f"{colour}.mp4", size=(96, 64), colour=colour, duration_s=1.0, fps=10)
        else:
            path = make_photo(folder / f"{colour}.jpg", size=(96, 64), colour=colour)
        ref = factories.make_moment(ctx, project, path, status="approved")
        with ctx.sessions() as s:
            moment = s.get(Moment, ref.id)
            assert moment is not None
            moment.captured_local, moment.utc_offset_min = datetime(2024, 7, 24, hour), 120
            s.commit()


def queued_film(ctx: Context, project_id: int) -> int:
    with ctx.sessions() as s:  # queued by hand: the test runs the job itself
        render = Render(project_id=project_id, kind="film", options=TINY, status="queued")
        s.add(render)
        s.commit()
        return render.id


def film_made_inline(ctx: Context, project_id: int) -> int:
    """A film rendered now, each segment job run the moment it is queued (one worker doing all)."""
    ctx.jobs.segment = lambda r, a, p: rendering.run_segment(r, a, p, ctx=ctx)
    render_id = queued_film(ctx, project_id)
    rendering.run_render(render_id, ctx=ctx)
    return render_id


@pytest.fixture
def film(ctx: Context, project: factories.ProjectRef, tmp_path: Path) -> int:
    """A film of the four shots, queued, not yet run."""
    shot_moments(ctx, project, tmp_path / "media")
    return queued_film(ctx, project.id)


def rows(ctx: Context, render_id: int) -> list[RenderSegment]:
    with ctx.sessions() as s:
        found = list(s.scalars(select(RenderSegment).where(RenderSegment.render_id == render_id)
                               .order_by(RenderSegment.attempt, RenderSegment.position)))
        s.expunge_all()
        return found


def film_facts(ctx: Context, render_id: int) -> tuple[float, list[str], list[str]]:
    """(duration s, stream kinds (the chapters are a data stream), colour nearest the middle frame of each
    picture segment, in film order)."""
    render = factories.fresh(ctx, Render, render_id)
    assert render.status == "done", render.error
    stored = load_plan(ctx.storage, render)
    assert render.output_key is not None and stored is not None
    plan = FilmPlan.from_dict(stored)
    with av.open(str(ctx.storage.path(render.output_key))) as container:
        duration = float(container.duration or 0) / av.time_base
        kinds = sorted(stream.type for stream in container.streams)
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    colours = []
    for seg in plan.segments:
        if seg.card is None:
            middle = frames[min(len(frames) - 1, seg.start_frame + seg.frames // 2)]
            pixel = middle[middle.shape[0] // 2, middle.shape[1] // 2].astype(int)
            colours.append(min(COLOURS, key=lambda name: int(np.abs(pixel - np.array(COLOURS[name])).sum())))
    return round(duration, 2), kinds, colours


def test_a_film_spread_over_workers_is_the_film_one_process_makes(ctx: Context, project: factories.ProjectRef,
                                                                   tmp_path: Path) -> None:
    shot_moments(ctx, project, tmp_path / "media")
    ctx.settings.film_fanout = "off"
    alone = queued_film(ctx, project.id)
    rendering.run_render(alone, ctx=ctx)
    assert rows(ctx, alone) == []  # one process, as before: no segment jobs

    film_fanout.cache_dir(ctx).joinpath("film").rename(tmp_path / "first-cache")  # the second film starts cold
    ctx.settings.film_fanout = "on"
    spread = film_made_inline(ctx, project.id)

    segments = rows(ctx, spread)
    plan = FilmPlan.from_dict(load_plan(ctx.storage, factories.fresh(ctx, Render, spread)) or {})
    assert [r.position for r in segments] == list(range(len(plan.segments))) and len(segments) >= 6
    assert all(r.status == "done" and r.outcome and not r.outcome["cached"] for r in segments)
    expected = film_facts(ctx, alone)
    assert expected[1] == ["audio", "data", "video"] and expected[2] == [c for c, _ in SHOTS]
    assert film_facts(ctx, spread) == expected
    assert "segments rendered by worker:" in factories.fresh(ctx, Render, spread).log


class Worker:
    """A second worker in this process: takes the segment jobs it is handed, each under its own owner id."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.jobs: queue.Queue[tuple[Job, threading.Event] | None] = queue.Queue()
        self.claims: list[SegmentClaim] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def take(self, job: Job) -> None:
        """Hand over a job and return once this worker has claimed it."""
        claimed = threading.Event()
        self.jobs.put((job, claimed))
        assert claimed.wait(timeout=30)

    def stop(self) -> None:
        self.jobs.put(None)
        self.thread.join(timeout=60)
        assert not self.thread.is_alive()

    def _run(self) -> None:
        while (item := self.jobs.get()) is not None:
            (render_id, attempt, position), claimed = item
            claim = film_fanout.claim_segment(self.ctx, render_id, attempt, position)
            claimed.set()
            if claim is not None:
                self.claims.append(claim)
                film_fanout.render_claimed(self.ctx, claim, stopping=lambda: False)


@pytest.fixture
def worker(ctx: Context) -> Iterator[Worker]:
    """A second worker thread, stopped after the test."""
    other = Worker(ctx)
    yield other
    other.stop()


def test_two_workers_render_segments_of_one_film_and_one_joins_it(
    ctx: Context, film: int, worker: Worker
) -> None:
    render_id = film
    queued: list[Job] = []

    def enqueue(render: int, attempt: int, position: int) -> None:
        queued.append((render, attempt, position))
        if position % 2:  # the odd segments go to the other worker, which claims them before the joiner looks
            worker.take((render, attempt, position))

    ctx.jobs.segment = enqueue
    rendering.run_render(render_id, ctx=ctx)

    segments = rows(ctx, render_id)
    theirs = {claim.owner for claim in worker.claims}
    assert len(theirs) == len(segments) // 2 >= 3
    assert all(r.status == "done" for r in segments)
    assert {r.position for r in segments if r.lease_owner in theirs} == {p for p in range(len(segments)) if p % 2}
    assert {r.position for r in segments if r.lease_owner not in theirs} == {p for p in range(len(segments))
                                                                            if not p % 2}
    render = factories.fresh(ctx, Render, render_id)
    assert render.log.count("segments rendered by worker:") == 1 and render.attempt == 1
    assert film_facts(ctx, render_id)[2] == [c for c, _ in SHOTS]
    # the jobs the queue still delivers after the film is done find nothing to do
    assert not any(rendering.run_segment(*job, ctx=ctx) for job in queued)


def test_cancel_stops_the_segment_jobs_running_and_pending(
    ctx: Context, film: int
) -> None:
    render_id = film
    queued: list[Job] = []
    running: list[SegmentClaim] = []

    def enqueue(render: int, attempt: int, position: int) -> None:
        queued.append((render, attempt, position))
        if position == 1:  # another worker has started on this one
            claim = film_fanout.claim_segment(ctx, render, attempt, position)
            assert claim is not None
            running.append(claim)
        if position == 3:  # and now somebody presses cancel
            with ctx.sessions() as s:
                row = s.get(Render, render)
                assert row is not None and row.status == "running"
                rendering.cancel_render(session=s, render=row)
                s.commit()

    ctx.jobs.segment = enqueue
    rendering.run_render(render_id, ctx=ctx)
    assert factories.fresh(ctx, Render, render_id).status == "cancelled"

    # the worker that was rendering stops at its first look and gives the segment back, having made nothing
    film_fanout.render_claimed(ctx, running[0], stopping=lambda: False)
    # and every job still in the queue does nothing
    assert not any(rendering.run_segment(*job, ctx=ctx) for job in queued)
    assert len(queued) >= 6 and all(r.status == "pending" and r.outcome is None for r in rows(ctx, render_id))
    film_cache = film_fanout.cache_dir(ctx) / "film"
    made = [p.name for p in film_cache.iterdir()] if film_cache.exists() else []
    assert made == [], made


DYING_WORKER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from app.config import Settings
    from app.context import build_context
    from app.services.film_fanout import claim_segment

    ctx = build_context(Settings(data_dir=Path(sys.argv[1]), queue_backend="immediate", environment="test",
                                 secret_key="test-secret-0123456789"), migrate=False)
    claim = claim_segment(ctx, int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    print(claim.owner if claim else "-", flush=True)
    sys.stdin.read()  # rendering, as far as anyone can tell, until it is killed
""")


def test_a_segment_whose_worker_died_is_rendered_again_and_the_film_completes_once(
    ctx: Context, film: int
) -> None:
    render_id = film
    dead: list[str] = []

    def enqueue(render: int, attempt: int, position: int) -> None:
        if position != 2:
            return
        # a worker process takes segment 2, then is killed (-9) mid-segment: it never says so
        proc = subprocess.Popen([sys.executable, "-c", DYING_WORKER, str(ctx.settings.data_dir), str(render),
                                 str(attempt), str(position)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        owner = proc.stdout.readline().strip()
        proc.kill()
        proc.wait()
        assert owner != "-"
        dead.append(owner)

    ctx.jobs.segment = enqueue
    rendering.run_render(render_id, ctx=ctx)

    render = factories.fresh(ctx, Render, render_id)
    assert (render.status, render.attempt) == ("done", 1), render.error
    segments = rows(ctx, render_id)
    assert dead and segments[2].status == "done" and segments[2].lease_owner not in dead
    assert [r.attempt for r in segments] == [1] * len(segments)
    assert ctx.storage.list_keys(f"renders/{render_id}/") == sorted(
        [f"renders/{render_id}/1/film.mp4", f"renders/{render_id}/1/poster.jpg", f"renders/{render_id}/1/captions.vtt",
         f"renders/{render_id}/1/plan.json.gz"])
    assert film_facts(ctx, render_id)[2] == [c for c, _ in SHOTS]


def test_the_film_is_joined_once_when_the_render_job_arrives_twice(
    ctx: Context, film: int
) -> None:
    render_id = film
    queued: list[Job] = []
    ctx.jobs.segment = lambda r, a, p: queued.append((r, a, p))
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def job() -> None:  # the same message delivered to two workers at once
        try:
            start.wait(timeout=30)
            rendering.run_render(render_id, ctx=ctx)
        except BaseException as err:
            errors.append(err)

    both = [threading.Thread(target=job) for _ in range(2)]
    for t in both:
        t.start()
    for t in both:
        t.join(timeout=300)
    assert not errors and not any(t.is_alive() for t in both)
    render = factories.fresh(ctx, Render, render_id)
    assert (render.status, render.attempt) == ("done", 1), render.error
    assert render.log.count("segments rendered by worker:") == 1
    assert len(ctx.storage.list_keys(f"renders/{render_id}/")) == 4  # film, poster, captions, plan
    assert len(queued) == len(rows(ctx, render_id))  # one job per segment, queued once
    finished = [(r.position, r.finished_at) for r in rows(ctx, render_id)]
    assert not any(rendering.run_segment(*j, ctx=ctx) for j in queued)  # late deliveries change nothing
    assert [(r.position, r.finished_at) for r in rows(ctx, render_id)] == finished


def test_fanout_is_on_with_the_redis_queue_and_off_on_the_embedded_one(settings: Settings) -> None:
    auto: Callable[..., Settings] = lambda **kw: settings.model_copy(update={"film_fanout": "auto", **kw})  # noqa: E731
    assert auto(queue_backend="redis").fans_out
    assert not auto(queue_backend="sqlite").fans_out
    assert settings.model_copy(update={"film_fanout": "off", "queue_backend": "redis"}).fans_out is False
    assert settings.model_copy(update={"film_fanout": "on", "queue_backend": "sqlite"}).fans_out is True


@pytest.mark.services
def test_through_redis_and_postgresql_two_queue_workers_make_one_film(
    pg_url: str, redis_queue: str, settings: Settings, tmp_path: Path  # noqa: F811 - the fixtures
) -> None:
    """The scale-out path for real: PostgreSQL rows, Redis jobs, two consumer threads taking render and
    segment jobs; fan-out is on because the queue is Redis."""
    ctx = build_context(settings.model_copy(update={
        "database_url": pg_url, "queue_backend": "redis", "redis_url": REDIS_URL, "queue_name": redis_queue,
        "film_fanout": "auto",
    }))
    jobs.configure(ctx)
    assert ctx.settings.fans_out
    consumer = jobs.create_consumer(workers=2)
    with jobs.keep_signal_handlers():
        consumer.start()
    try:
        staff = factories.make_staff(ctx)
        project = factories.make_project(ctx, owner_email=staff.email)
        shot_moments(ctx, project, tmp_path / "media")
        with ctx.sessions() as s:
            row = s.get(Project, project.id)
            assert row is not None
            render_id = rendering.request_render(session=s, project=row, kind="film", options=TINY).id
        deadline = time.monotonic() + 300
        while factories.fresh(ctx, Render, render_id).status not in ("done", "failed", "cancelled"):
            assert time.monotonic() < deadline, "the film did not finish through Redis"
            time.sleep(0.2)
        segments = rows(ctx, render_id)
        assert len(segments) >= 6 and all(r.status == "done" for r in segments)
        assert film_facts(ctx, render_id)[2] == [c for c, _ in SHOTS]
        while jobs.huey.pending_count():  # the segment jobs the joiner did itself are delivered and do nothing
            assert time.monotonic() < deadline, "segment jobs were left in the queue"
            time.sleep(0.2)
        assert [r.finished_at for r in rows(ctx, render_id)] == [r.finished_at for r in segments]
    finally:
        consumer.stop(graceful=True)
        jobs.huey.storage.flush_all()
        ctx.engine.dispose()
