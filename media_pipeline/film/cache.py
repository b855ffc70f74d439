"""Keeping the segment cache in bounds: entries nobody has made for a while are removed."""

from __future__ import annotations

import shutil
import time
from pathlib import Path


def prune_cache(cache_dir: Path, *, older_than_s: float) -> int:
    """Delete cache entries (segments, transitions, sound) made more than `older_than_s` seconds ago.

    Returns how many went. A pruned entry a later render needs is simply made again; entries a render
    is writing right now are hidden scratch folders (".name"), which are left alone unless stale.
    """
    folder = cache_dir / "film"
    if not folder.is_dir():
        return 0
    cutoff = time.time() - older_than_s
    removed = 0
    for entry in folder.iterdir():
        try:
            if entry.stat().st_mtime >= cutoff:
                continue
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed += 1
        except OSError:  # another process pruned or published it meanwhile
            continue
    return removed
