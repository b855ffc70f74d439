"""Thumbnails have a queue and workers of their own: a render holding every render worker does not hold
them up. A render asked for on an idle queue starts within a second (not after Huey's 10 s backoff)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from app import jobs
from app.config import Settings
from app.context import Context, build_context
from app.models import Moment, Render
from app.queue import POLL_MAX_S, Consumers
from app.services import rendering
from tests import factories
from tests.mediagen import make_photo
from tests.services.test_end_to_end import wait_for


@pytest.fixture
def queued(settings: Settings) -> Iterator[tuple[Context, Consumers]]:
    """The SQLite queue with one render worker and one derive worker running in threads."""
    ctx = build_context(settings.model_copy(update={"queue_backend": "sqlite", "derive_workers": 1}))
    jobs.configure(ctx)
    consumers = Consumers(workers=1, derive_workers=1)
    with jobs.keep_signal_handlers():
        consumers.start()
    yield ctx, consumers
    consumers.stop(graceful=True)
    ctx.engine.dispose()


def queued_render(ctx: Context, project: factories.ProjectRef) -> int:
    with ctx.sessions() as s:
        render = Render(project_id=project.id, kind="film", options={}, status="queued")
        s.add(render)
        s.commit()
        return render.id


def test_a_thumbnail_is_made_while_a_render_holds_the_render_worker(
    queued: tuple[Context, Consumers], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx, _consumers = queued
    release, started = threading.Event(), threading.Event()

    def long_render(render_id: int, *, ctx: Context) -> None:
        started.set()
        release.wait(60)

    monkeypatch.setattr(rendering, "run_render", long_render)
    project = factories.make_project(ctx)
    ctx.jobs.render(queued_render(ctx, project))
    ctx.jobs.render(queued_render(ctx, project))  # a second render waits for the only render worker
    assert started.wait(10)
    try:
        photo = make_photo(tmp_path / "a.jpg", colour="red", size=(320, 240), taken=datetime(2024, 7, 24, 9))
        moment = factories.make_moment(ctx, project, photo)  # enqueues its derive job on commit
        ctx.jobs.derive(moment.id)
        done = wait_for(lambda: factories.fresh(ctx, Moment, moment.id).thumb_key, 60, "the thumbnail")
        assert ctx.storage.exists(done)
        assert not release.is_set()  # made while the render still ran
    finally:
        release.set()


def test_a_render_starts_within_a_second_on_an_idle_queue(
    queued: tuple[Context, Consumers], monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx, consumers = queued
    started: list[float] = []
    monkeypatch.setattr(rendering, "run_render", lambda render_id, *, ctx: started.append(time.monotonic()))
    render_consumer = consumers.all[0]
    # idle long enough for the polling to have backed off as far as it goes
    wait_for(lambda: all(w.delay >= POLL_MAX_S for w, _t in render_consumer.worker_threads), 30, "an idle queue")
    project = factories.make_project(ctx)
    asked = time.monotonic()
    ctx.jobs.render(queued_render(ctx, project))
    wait_for(lambda: started, 10, "the render to start")
    assert started[0] - asked < 1.0


@pytest.mark.parametrize("later", ["faces", "preview"])
def test_thumbnails_queued_after_a_face_detection_or_a_preview_are_made_before_it(
    queued: tuple[Context, Consumers], monkeypatch: pytest.MonkeyPatch, later: str
) -> None:
    ctx, _consumers = queued
    release = threading.Event()
    began: dict[str, float] = {}

    def slow_derive(moment_id: int, *, ctx: Context) -> bool:
        began[f"derive {moment_id}"] = time.monotonic()
        release.wait(30)  # every derive worker is busy; what comes next waits in the queue
        return False  # no preview job of its own

    def record_later(moment_id: int, *, ctx: Context) -> None:
        began.setdefault(later, time.monotonic())

    monkeypatch.setattr(jobs.derive, "derive_moment", slow_derive)
    monkeypatch.setattr(jobs.faces, "detect_moment", record_later if later == "faces" else lambda m, *, ctx: None)
    monkeypatch.setattr(jobs.derive, "derive_preview", record_later)
    ctx.jobs.derive(1)
    ctx.jobs.derive(2)
    # the workers hold what they took (one or two), the rest is queued
    wait_for(lambda: began and len(began) + jobs.derive_huey.pending_count() == 2, 10, "the derive workers")
    (jobs.detect_faces if later == "faces" else jobs.derive_preview)(99)  # a face detection or preview first...
    for moment_id in range(3, 7):  # ...then four more thumbnails, as in an upload rush
        ctx.jobs.derive(moment_id)
    release.set()
    wait_for(lambda: later in began, 30, later)
    derives = [t for name, t in began.items() if name.startswith("derive")]
    assert len(derives) == 6 and began[later] >= max(derives)  # every thumbnail was started before it
