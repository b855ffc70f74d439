"""Derived files made by jobs after upload: thumbnail and preview (photos) or poster (clips).

Decoding is CPU work in Pillow and ffmpeg: the jobs hand it to a pool of processes, one per core, so a rush
of uploads is thumbnailed on every core (threads of one process would take turns on one). The pool starts
on the first job; with the 'immediate' queue (tests) the work runs inline.

A JPEG's thumbnail is made on its own, first: JPEG draft mode decodes it at 1/2 to 1/8 scale, so during an
upload rush every tile of the wall and of curation gets its picture for a fraction of the work, and the
1920 px preview follows as a job of lower priority. Any other file (HEIC, PNG, WebP, a clip's poster frame)
is decoded at full size whatever is asked, so its thumbnail and preview come from one decode.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from app.context import Context
from app.models import Moment
from app.storage import derived_key
from media_pipeline.images import make_derived
from media_pipeline.types import Kind

log = logging.getLogger("dayreel.derive")

THUMB_PX = 480
PREVIEW_PX = 1920
# variant -> (column, file name, long side px)
PICTURES = {"thumb": ("thumb_key", "thumb.jpg", THUMB_PX), "preview": ("preview_key", "preview.jpg", PREVIEW_PX)}

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def pool(size: int) -> ProcessPoolExecutor:
    """The process pool shared by this process's derive jobs ('spawn': forking a threaded server is unsafe)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=size, mp_context=multiprocessing.get_context("spawn"))
        return _pool


@dataclass(frozen=True)
class Source:
    moment_id: int
    sha256: str
    storage_key: str
    kind: Kind
    mime: str

    @property
    def preview_apart(self) -> bool:
        """Whether the thumbnail is cheaper made alone (see the module's docstring)."""
        return self.kind == "photo" and self.mime == "image/jpeg"


def derive_moment(moment_id: int, *, ctx: Context) -> bool:
    """Make the moment's thumbnail, and its preview too unless that is cheaper apart; idempotent
    (content-addressed keys). Returns True when the preview is still to be made by `derive_preview`."""
    source = _source(ctx, moment_id)
    if source is None:
        return False  # deleted before the job ran
    variants = ("thumb",) if source.preview_apart else ("thumb", "preview")
    try:
        keys = _make(ctx, source, variants)
    except Exception as err:  # a file we cannot derive from stays usable in lists, without pictures
        log.warning("derive failed for moment %s: %s", moment_id, err)
        _record(ctx, moment_id, derive_status="failed")
        return False
    _record(ctx, moment_id, derive_status="done", **keys)
    return source.preview_apart


def derive_preview(moment_id: int, *, ctx: Context) -> None:
    """The preview of a moment whose thumbnail was made alone; until it exists, pages show the thumbnail."""
    source = _source(ctx, moment_id)
    if source is None:
        return
    try:
        keys = _make(ctx, source, ("preview",))
    except Exception as err:  # its thumbnail was made from the same file, so this is a file damaged since
        log.warning("preview failed for moment %s: %s", moment_id, err)
        return
    _record(ctx, moment_id, **keys)


def _source(ctx: Context, moment_id: int) -> Source | None:
    with ctx.sessions() as session:
        moment = session.get(Moment, moment_id)
        if moment is None:
            return None
        return Source(moment.id, moment.sha256, moment.storage_key, moment.kind, moment.mime)


def _make(ctx: Context, source: Source, variants: tuple[str, ...]) -> dict[str, str]:
    """Store the variants' pictures (those not stored yet); returns their keys by column."""
    keys: dict[str, str] = {}
    wanted: dict[str, int] = {}  # key -> long side px, for the pictures not stored yet
    for variant in variants:
        column, name, long_side = PICTURES[variant]
        keys[column] = key = derived_key(source.sha256, name)
        if not ctx.storage.exists(key):
            wanted[key] = long_side
    if wanted:
        src = ctx.storage.path(source.storage_key)  # from S3: a download into the local read cache
        temps = {ctx.storage.temp_dir() / f"derive-{source.moment_id}-{key.rsplit('/', 1)[-1]}": key
                 for key in wanted}
        outputs = {tmp: wanted[key] for tmp, key in temps.items()}
        if ctx.settings.queue_backend == "immediate":
            make_derived(src, kind=source.kind, outputs=outputs)
        else:
            pool(ctx.settings.derive_processes).submit(make_derived, src, kind=source.kind, outputs=outputs).result()
        for tmp, key in temps.items():
            ctx.storage.put_file(tmp, key)
    return keys


def _record(ctx: Context, moment_id: int, **values: str) -> None:
    with ctx.sessions() as session:
        moment = session.get(Moment, moment_id)
        if moment is not None:  # deleted while its pictures were made
            for name, value in values.items():
                setattr(moment, name, value)
            session.commit()
