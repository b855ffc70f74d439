"""The tasks: thin wrappers that load rows by id and call a service.

The Huey instance and its consumer are in app/queue.py; `configure()` points it at the backend and gives
the context's services their way to enqueue (`ctx.jobs`), so services never import this module.
"""

from __future__ import annotations

import logging

from app.context import Context
from app.queue import (
    Consumers,
    context,
    create_consumer,
    create_derive_consumer,
    derive_huey,
    huey,
    keep_signal_handlers,
)
from app.services import derive, faces, rendering

__all__ = ["Consumers", "configure", "create_consumer", "create_derive_consumer", "derive_huey", "enqueue_derive",
           "enqueue_render", "enqueue_segment", "huey", "keep_signal_handlers"]

log = logging.getLogger("dayreel.jobs")


def configure(ctx: Context) -> None:
    """Point the queue at the context's backend and let its services enqueue through it."""
    from app.queue import configure_queue

    configure_queue(ctx)
    ctx.jobs.derive = enqueue_derive
    ctx.jobs.render = enqueue_render
    ctx.jobs.segment = enqueue_segment


# Thumbnails first: during an upload rush staff curate from thumbnails, so on the derive queue a moment's
# pictures go before any face detection (detection right after derive would take the very cores the
# thumbnails need; on the render queue it would also wait behind renders).
THUMBNAILS_FIRST = 10
PREVIEWS_NEXT = 5


@derive_huey.task(retries=1, retry_delay=5, priority=THUMBNAILS_FIRST)
def derive_moment(moment_id: int) -> None:
    if derive.derive_moment(moment_id, ctx=context()):
        derive_preview(moment_id)
    detect_faces(moment_id)  # its own job: a slow clip does not hold up the next moment's thumbnails


@derive_huey.task(retries=1, retry_delay=5, priority=PREVIEWS_NEXT)
def derive_preview(moment_id: int) -> None:
    derive.derive_preview(moment_id, ctx=context())


@derive_huey.task(retries=1, retry_delay=5, priority=0)
def detect_faces(moment_id: int) -> None:
    faces.detect_moment(moment_id, ctx=context())


@huey.task()
def run_render(render_id: int) -> None:
    try:
        rendering.run_render(render_id, ctx=context())
    except Exception as err:  # whatever went wrong before it was claimed, the render must not stay queued
        log.exception("render %s: job failed", render_id)
        rendering.mark_failed(context(), render_id, f"The render stopped on an unexpected error: {err!s}"[:500])


@huey.task()
def render_segment(render_id: int, attempt: int, position: int) -> None:
    """One segment of a film spread over the workers; failures are recorded on its row, never raised."""
    try:
        rendering.run_segment(render_id, attempt, position, ctx=context())
    except Exception:  # e.g. the database away: the joining worker takes the segment back once its claim is stale
        log.exception("render %s: segment %s job failed", render_id, position)


def enqueue_derive(moment_id: int) -> None:
    derive_moment(moment_id)


def enqueue_render(render_id: int) -> None:
    run_render(render_id)


def enqueue_segment(render_id: int, attempt: int, position: int) -> None:
    render_segment(render_id, attempt, position)


# periodic tasks register on import
from app import jobs_cleanup  # noqa: E402, F401
