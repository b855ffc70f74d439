"""Derived files made by a job after upload: thumbnail and preview (photos) or poster (clips).

Decoding is CPU work in Pillow and ffmpeg: the jobs hand it to a pool of processes, one per core, so a rush
of uploads is thumbnailed on every core (threads of one process would take turns on one). The pool starts
on the first job; with the 'immediate' queue (tests) the work runs inline.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from app.context import Context
from app.models import Moment
from app.storage import derived_key
from media_pipeline.images import make_derived
from media_pipeline.types import Kind

log = logging.getLogger("dayreel.derive")

THUMB_PX = 480
PREVIEW_PX = 1920

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def pool(size: int) -> ProcessPoolExecutor:
    """The process pool shared by this process's derive jobs ('spawn': forking a threaded server is unsafe)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=size, mp_context=multiprocessing.get_context("spawn"))
        return _pool


def _make(ctx: Context, src: Path, kind: Kind, outputs: dict[Path, int]) -> None:
    if ctx.settings.queue_backend == "immediate":
        make_derived(src, kind=kind, outputs=outputs)
    else:
        pool(ctx.settings.derive_processes).submit(make_derived, src, kind=kind, outputs=outputs).result()


def derive_moment(moment_id: int, *, ctx: Context) -> None:
    """Make the moment's thumbnail and preview; idempotent (content-addressed keys)."""
    with ctx.sessions() as session:
        moment = session.get(Moment, moment_id)
        if moment is None:
            return  # deleted before the job ran
        thumb_key = derived_key(moment.sha256, "thumb.jpg")
        preview_key = derived_key(moment.sha256, "preview.jpg")
        src_key, kind = moment.storage_key, moment.kind
        session.rollback()  # no transaction (nor SQLite read snapshot) held open while the pool decodes
        try:
            wanted = {key: size for key, size in ((thumb_key, THUMB_PX), (preview_key, PREVIEW_PX))
                      if not ctx.storage.exists(key)}
            if wanted:
                src = ctx.storage.path(src_key)  # from S3: a download into the local read cache
                # one decode for both sizes: a 12 MP HEIC takes about a second to decode
                temps = {ctx.storage.temp_dir() / f"derive-{moment_id}-{key.rsplit('/', 1)[-1]}": key for key in wanted}
                _make(ctx, src, kind, {tmp: wanted[key] for tmp, key in temps.items()})
                for tmp, key in temps.items():
                    ctx.storage.put_file(tmp, key)
        except Exception as err:  # a file we cannot derive from stays usable in lists, without pictures
            log.warning("derive failed for moment %s: %s", moment_id, err)
            _record(ctx, moment_id, derive_status="failed")
            return
        _record(ctx, moment_id, thumb_key=thumb_key, preview_key=preview_key, derive_status="done")


def _record(ctx: Context, moment_id: int, **values: str) -> None:
    with ctx.sessions() as session:
        moment = session.get(Moment, moment_id)
        if moment is not None:  # deleted while its pictures were made
            for name, value in values.items():
                setattr(moment, name, value)
            session.commit()
