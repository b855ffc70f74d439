"""Periodic housekeeping: abandoned resumable uploads, old film cache entries, renders whose worker is gone.

Only the process holding the scheduler lease enqueues these (app/queue.py); any worker may run them.
"""

from __future__ import annotations

import logging

from huey import crontab

from app.queue import context, huey
from app.services.film_fanout import cache_dir
from app.services.rendering import requeue_interrupted
from app.services.resumable import cleanup_partial_uploads
from app.storage.shared_segments import prune_shared_segments
from media_pipeline.film import prune_cache

log = logging.getLogger("dayreel.jobs")


@huey.periodic_task(crontab(minute="17"))
def cleanup_uploads() -> None:
    removed = cleanup_partial_uploads(context())
    if removed:
        log.info("removed %d abandoned partial uploads", removed)


@huey.periodic_task(crontab(hour="3", minute="41"))
def prune_render_cache() -> None:
    """Film cache entries not made again for DAYREEL_RENDER_CACHE_DAYS go: on this machine's disk and, with
    storage s3, in the bucket every worker shares (their local copies are the read cache's, kept in bounds)."""
    ctx = context()
    settings = ctx.settings
    older_than_s = settings.render_cache_days * 86400
    removed = prune_cache(cache_dir(ctx), older_than_s=older_than_s)
    if settings.storage == "s3":
        removed += prune_shared_segments(ctx.storage, older_than_s=older_than_s)
    if removed:
        log.info("removed %d film cache entries older than %d days", removed, settings.render_cache_days)


@huey.periodic_task(crontab())
def requeue_stale_renders() -> None:
    """A worker killed mid-render stops renewing its lease: once it is stale, the render is queued again."""
    ctx = context()
    requeued = requeue_interrupted(ctx, ctx.jobs.render)
    if requeued:
        log.warning("re-queued %d render(s) whose worker stopped renewing its lease", requeued)
