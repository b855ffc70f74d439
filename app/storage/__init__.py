"""Where bytes live: the data dir (default) or S3-compatible object storage, chosen by DAYREEL_STORAGE.

The database keeps keys, never paths; `open_storage(settings)` gives the backend the settings name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.storage.base import (
    CHUNK,
    STAGE_PREFIX,
    STALE_STAGING_S,
    Staged,
    Storage,
    TooLarge,
    check_key,
    derived_key,
    original_key,
    sweep_staging,
)
from app.storage.local import LocalStorage
from app.storage.read_cache import ReadCache

if TYPE_CHECKING:
    from app.config import Settings

__all__ = [
    "CHUNK", "STAGE_PREFIX", "STALE_STAGING_S", "LocalStorage", "ReadCache", "Staged", "Storage", "TooLarge",
    "check_key", "derived_key", "open_storage", "original_key", "sweep_staging",
]


def open_storage(settings: Settings) -> Storage:
    """The configured backend; for S3 the bucket is created when missing. Staging files and the read cache
    stay on this machine's disk (data_dir/tmp, data_dir/cache/objects)."""
    if settings.storage == "local":
        return LocalStorage(settings.data_dir)
    from app.storage.s3 import S3Storage

    if not settings.s3_bucket:
        raise ValueError("DAYREEL_STORAGE=s3 needs DAYREEL_S3_BUCKET")
    data = settings.data_dir.resolve()
    storage = S3Storage(
        endpoint=settings.s3_endpoint, bucket=settings.s3_bucket, region=settings.s3_region,
        access_key=settings.s3_access_key, secret_key=settings.s3_secret_key, tmp_dir=data / "tmp",
        cache=ReadCache(data / "cache" / "objects", max_bytes=settings.cache_mb * 1024 * 1024),
    )
    storage.ensure_bucket()
    return storage
