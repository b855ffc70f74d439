"""What each web process sweeps on its own disk.

The hourly queue job (app/jobs_cleanup.py) runs on whichever worker is free, on one machine; a web host with
a data folder of its own would keep its abandoned resumable uploads for ever. So every web process also
sweeps its own, at start and then hourly, in a worker thread (never on the event loop).
"""

from __future__ import annotations

import asyncio
import logging

from app.context import Context
from app.services.resumable import cleanup_partial_uploads

log = logging.getLogger("dayreel")

SWEEP_EVERY_S = 3600.0


async def sweep_own_uploads(ctx: Context, every_s: float = SWEEP_EVERY_S) -> None:
    """Runs until cancelled (at shutdown)."""
    while True:
        try:
            removed = await asyncio.to_thread(cleanup_partial_uploads, ctx)
            if removed:
                log.info("removed %d abandoned partial upload(s) on this host", removed)
        except Exception:  # a full or unmounted disk: try again next time, the server keeps serving
            log.warning("could not sweep this host's partial uploads", exc_info=True)
        await asyncio.sleep(every_s)
