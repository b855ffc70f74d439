"""The Huey queue itself: one instance, pointed at the configured backend, and its consumer.

Tasks live in app/jobs.py (and the periodic ones in app/jobs_cleanup.py); services never import either,
they hand work over through `ctx.jobs` (see app/context.py). Every consumer runs a scheduler, but only the
one holding the 'scheduler' lease in the database enqueues periodic jobs, so with two web processes and
two workers an hourly job is queued once, not four times.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from huey import Huey, MemoryHuey
from huey.consumer import Consumer, Scheduler
from huey.storage import RedisStorage, SqliteStorage

from app import leases
from app.context import Context

log = logging.getLogger("dayreel.jobs")

huey: Huey = MemoryHuey("dayreel", immediate=True)
_ctx: Context | None = None

SCHEDULER_LEASE = "scheduler"
# the scheduler looks every 60 s; its lease outlives two missed looks, then another process takes over
SCHEDULER_LEASE_S = 150.0


def configure_queue(ctx: Context) -> None:
    """Point the queue at the context's backend and remember the context for tasks."""
    global _ctx
    _ctx = ctx
    s = ctx.settings
    huey.name = s.queue_name
    if s.queue_backend == "immediate":
        huey.immediate = True
        return
    huey._immediate = False  # the public setter would rebuild the default storage
    if s.queue_backend == "redis":
        huey.storage_class = RedisStorage
        huey.storage_kwargs = {"url": s.redis_url}
    else:
        huey.storage_class = SqliteStorage
        huey.storage_kwargs = {"filename": str((s.data_dir / "queue.db").resolve())}
    huey.storage = huey.create_storage()


def context() -> Context:
    if _ctx is None:
        raise RuntimeError("jobs.configure() was not called")
    return _ctx


class LeasedScheduler(Scheduler):
    """Huey's scheduler, enqueueing periodic tasks only while this process holds the scheduler lease."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner = leases.new_owner()

    def holds_lease(self, now: datetime | None = None) -> bool:
        try:
            with context().sessions() as session:
                return leases.hold(session, SCHEDULER_LEASE, self.owner, ttl_s=SCHEDULER_LEASE_S, now=now)
        except Exception:  # the database away for a moment: skip this minute rather than stop the scheduler
            log.warning("could not check the scheduler lease", exc_info=True)
            return False

    def enqueue_periodic_tasks(self, now: datetime | None) -> None:
        if self.holds_lease(now):
            super().enqueue_periodic_tasks(now)


class LeasedConsumer(Consumer):
    scheduler_class = LeasedScheduler


def create_consumer(workers: int) -> Consumer:
    return LeasedConsumer(huey, workers=workers, worker_type="thread", check_worker_health=False)


@contextmanager
def keep_signal_handlers() -> Iterator[None]:
    """Huey's consumer installs its own SIGINT/SIGTERM handlers on start; the server's must stay."""
    saved: dict[int, Any] = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
