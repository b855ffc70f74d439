"""Periodic jobs are enqueued by exactly one process: every consumer runs Huey's scheduler, but only the
holder of the 'scheduler' lease in the shared database enqueues. Two consumers here stand for two processes
(each has its own owner id); their schedulers are stepped by hand at chosen times, with no threads running."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from app import jobs, queue
from app.config import Settings
from app.context import Context, build_context


@pytest.fixture
def queued(settings: Settings) -> Iterator[Context]:
    ctx = build_context(settings.model_copy(update={"queue_backend": "sqlite"}))
    jobs.configure(ctx)
    jobs.huey.storage.flush_all()
    yield ctx
    jobs.huey.storage.flush_all()
    ctx.engine.dispose()


def _names() -> list[str]:
    return sorted(task.name for task in jobs.huey.pending())


def test_two_consumers_enqueue_each_periodic_job_once(queued: Context, settings: Settings) -> None:
    other = build_context(settings.model_copy(update={"queue_backend": "sqlite"}), migrate=False)  # 2nd process
    try:
        first = jobs.create_consumer(workers=1)._create_scheduler()
        second = jobs.create_consumer(workers=1)._create_scheduler()
        assert first.owner != second.owner
        at_17 = datetime(2026, 7, 24, 10, 17)  # the hourly upload cleanup is due, and the minutely render check
        due = sorted(task.name for task in jobs.huey.read_periodic(at_17))
        assert due == ["cleanup_uploads", "requeue_stale_renders"]
        first.enqueue_periodic_tasks(at_17)
        queue._ctx = other  # the second process's scheduler asks through its own database connection
        second.enqueue_periodic_tasks(at_17)
        assert _names() == due  # once each; without the lease every consumer enqueued them: twice

        # the holder keeps renewing; the other never takes over while it does
        for minute in range(1, 4):
            now = at_17 + timedelta(minutes=minute)
            queue._ctx = queued
            first.enqueue_periodic_tasks(now)
            queue._ctx = other
            second.enqueue_periodic_tasks(now)
        assert _names().count("requeue_stale_renders") == 4

        # the holder stops (killed): once its lease has expired, the other one schedules, still once a minute
        jobs.huey.storage.flush_all()
        gone = at_17 + timedelta(minutes=3, seconds=queue.SCHEDULER_LEASE_S + 1)
        second.enqueue_periodic_tasks(gone)
        assert _names() == ["requeue_stale_renders"]
        queue._ctx = queued
        first.enqueue_periodic_tasks(gone + timedelta(seconds=1))  # the old holder, back: not its turn now
        assert _names() == ["requeue_stale_renders"]
    finally:
        queue._ctx = queued
        other.engine.dispose()


def test_the_minutely_job_requeues_a_render_whose_worker_is_gone(queued: Context) -> None:
    """The periodic job, not just a worker start, takes back stale renders (a worker killed mid-render)."""
    from app.models import Render
    from tests import factories

    project = factories.make_project(queued)
    with queued.sessions() as s:
        render = Render(project_id=project.id, kind="collage", options={}, status="running",
                        lease_owner="gone-host:1:2:3", lease_expires_at=datetime(2000, 1, 1))
        s.add(render)
        s.commit()
        render_id = render.id
    from app import jobs_cleanup

    jobs_cleanup.requeue_stale_renders.call_local()
    with queued.sessions() as s:
        assert s.get(Render, render_id).status == "queued"  # type: ignore[union-attr]
    assert _names() == ["run_render"]
