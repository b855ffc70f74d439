"""The Huey queue and its tasks: thin wrappers that load rows by id and call a service.

Tasks are registered on one module-level Huey whose storage `configure()` points at the chosen
backend, so tests, `dayreel serve` and `dayreel worker` share the same task code.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from huey import Huey, MemoryHuey
from huey.consumer import Consumer
from huey.storage import RedisStorage, SqliteStorage

from app.context import Context

log = logging.getLogger("dayreel.jobs")

huey: Huey = MemoryHuey("dayreel", immediate=True)
_ctx: Context | None = None


def configure(ctx: Context) -> None:
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


@huey.task(retries=1, retry_delay=5)
def derive_moment(moment_id: int) -> None:
    from app.services import derive

    derive.derive_moment(moment_id, ctx=context())


@huey.task()
def run_render(render_id: int) -> None:
    from app.services import rendering

    try:
        rendering.run_render(render_id, ctx=context())
    except Exception as err:  # whatever went wrong, the render must not stay "running" at 0 %
        log.exception("render %s: job failed", render_id)
        rendering.mark_failed(context(), render_id, f"The render stopped on an unexpected error: {err!s}"[:500])


def enqueue_derive(moment_id: int) -> None:
    derive_moment(moment_id)


def enqueue_render(render_id: int) -> None:
    run_render(render_id)


def create_consumer(workers: int) -> Consumer:
    return huey.create_consumer(workers=workers, worker_type="thread", check_worker_health=False)


@contextmanager
def keep_signal_handlers() -> Iterator[None]:
    """Huey's consumer installs its own SIGINT/SIGTERM handlers on start; the server's must stay."""
    saved: dict[int, Any] = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


# periodic tasks register on import
from app import jobs_cleanup  # noqa: E402, F401
