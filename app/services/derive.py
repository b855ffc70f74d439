"""Derived files made by a job after upload: thumbnail and preview (photos) or poster (clips)."""

from __future__ import annotations

import logging

from app.context import Context
from app.models import Moment
from app.storage import derived_key
from media_pipeline.images import make_derived

log = logging.getLogger("dayreel.derive")

THUMB_PX = 480
PREVIEW_PX = 1920


def derive_moment(moment_id: int, *, ctx: Context) -> None:
    """Make the moment's thumbnail and preview; idempotent (content-addressed keys)."""
    with ctx.sessions() as session:
        moment = session.get(Moment, moment_id)
        if moment is None:
            return  # deleted before the job ran
        thumb_key = derived_key(moment.sha256, "thumb.jpg")
        preview_key = derived_key(moment.sha256, "preview.jpg")
        try:
            wanted = {key: size for key, size in ((thumb_key, THUMB_PX), (preview_key, PREVIEW_PX))
                      if not ctx.storage.exists(key)}
            if wanted:
                src = ctx.storage.path(moment.storage_key)  # from S3: a download into the local read cache
                # one decode for both sizes: a 12 MP HEIC takes about a second to decode
                temps = {ctx.storage.temp_dir() / f"derive-{moment.id}-{key.rsplit('/', 1)[-1]}": key for key in wanted}
                make_derived(src, kind=moment.kind, outputs={tmp: wanted[key] for tmp, key in temps.items()})  # type: ignore[arg-type]
                for tmp, key in temps.items():
                    ctx.storage.put_file(tmp, key)
        except Exception as err:  # a file we cannot derive from stays usable in lists, without pictures
            log.warning("derive failed for moment %s: %s", moment_id, err)
            moment.derive_status = "failed"
            session.commit()
            return
        moment.thumb_key = thumb_key
        moment.preview_key = preview_key
        moment.derive_status = "done"
        session.commit()
