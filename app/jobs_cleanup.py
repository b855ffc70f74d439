"""Periodic housekeeping: abandoned resumable uploads and old film cache entries are deleted."""

from __future__ import annotations

import logging

from huey import crontab

from app.jobs import context, huey
from app.services.resumable import cleanup_partial_uploads
from media_pipeline.film import prune_cache

log = logging.getLogger("dayreel.jobs")


@huey.periodic_task(crontab(minute="17"))
def cleanup_uploads() -> None:
    removed = cleanup_partial_uploads(context())
    if removed:
        log.info("removed %d abandoned partial uploads", removed)


@huey.periodic_task(crontab(hour="3", minute="41"))
def prune_render_cache() -> None:
    settings = context().settings
    removed = prune_cache(settings.data_dir / "cache" / "segments", older_than_s=settings.render_cache_days * 86400)
    if removed:
        log.info("removed %d film cache entries older than %d days", removed, settings.render_cache_days)
