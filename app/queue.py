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
from huey.storage import PriorityRedisStorage, RedisStorage, SqliteStorage

from app import leases
from app.context import Context

log = logging.getLogger("dayreel.jobs")

huey: Huey = MemoryHuey("dayreel", immediate=True)
# thumbnails and previews have a queue (and consumer threads) of their own: during an upload rush they must
# never wait behind a render that holds the render queue's workers for minutes
derive_huey: Huey = MemoryHuey("dayreel-derive", immediate=True)
_ctx: Context | None = None

DERIVE_SUFFIX = "-derive"
# Huey backs off to 10 s between looks at an empty queue; a render asked for should start within a second.
# (Redis queues block on the list instead, and wake at once.)
POLL_MAX_S = 0.5

SCHEDULER_LEASE = "scheduler"
# the scheduler looks every 60 s; its lease outlives two missed looks, then another process takes over
SCHEDULER_LEASE_S = 150.0


def configure_queue(ctx: Context) -> None:
    """Point the queue at the context's backend and remember the context for tasks."""
    global _ctx
    _ctx = ctx
    s = ctx.settings
    _point(huey, ctx, s.queue_name, "queue.db")
    _point(derive_huey, ctx, s.queue_name + DERIVE_SUFFIX, "queue-derive.db", priorities=True)


def _point(queue: Huey, ctx: Context, name: str, sqlite_file: str, *, priorities: bool = False) -> None:
    s = ctx.settings
    queue.name = name
    if s.queue_backend == "immediate":
        queue.immediate = True
        return
    queue._immediate = False  # the public setter would rebuild the default storage
    if s.queue_backend == "redis":
        # priorities need a sorted set instead of Redis' list; only the derive queue uses them
        queue.storage_class = PriorityRedisStorage if priorities else RedisStorage
        queue.storage_kwargs = {"url": s.redis_url}
    else:
        queue.storage_class = SqliteStorage
        queue.storage_kwargs = {"filename": str((s.data_dir / sqlite_file).resolve())}
    queue.storage = queue.create_storage()


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
    """Renders and periodic jobs."""
    return LeasedConsumer(huey, workers=workers, worker_type="thread", check_worker_health=False,
                          max_delay=POLL_MAX_S)


def create_derive_consumer(processes: int) -> Consumer:
    """Thumbnails and previews: threads polling their own queue that hand the decoding to a pool of
    `processes` (app/services/derive.py); twice as many threads, so the pool has the next file while a
    thread stores the last one's pictures."""
    return Consumer(derive_huey, workers=2 * processes, worker_type="thread", check_worker_health=False,
                    periodic=False, max_delay=POLL_MAX_S)


class Consumers:
    """The render consumer and the derive consumer, started and stopped together."""

    def __init__(self, workers: int, derive_workers: int) -> None:
        self.all = [create_consumer(workers), create_derive_consumer(derive_workers)]

    def start(self) -> None:
        for consumer in self.all:
            consumer.start()

    def stop(self, graceful: bool = False) -> None:
        for consumer in self.all:
            consumer.stop(graceful=graceful)


@contextmanager
def keep_signal_handlers() -> Iterator[None]:
    """Huey's consumer installs its own SIGINT/SIGTERM handlers on start; the server's must stay."""
    saved: dict[int, Any] = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
