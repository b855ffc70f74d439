"""Periodic housekeeping: resumable uploads abandoned for a day are deleted (import this in app/jobs.py)."""

from __future__ import annotations

import logging

from huey import crontab

from app.jobs import context, huey
from app.services.resumable import cleanup_partial_uploads

log = logging.getLogger("dayreel.jobs")


@huey.periodic_task(crontab(minute="17"))
def cleanup_uploads() -> None:
    removed = cleanup_partial_uploads(context())
    if removed:
        log.info("removed %d abandoned partial uploads", removed)
