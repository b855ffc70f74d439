"""The film segment cache in object storage: every worker reuses the segments any other worker made.

With DAYREEL_STORAGE=s3 a film's cache entries (segment pieces, clip sounds, transitions, sound tracks,
posters; see media_pipeline/film/cache.py) are objects under `segments/<project id>/<entry>`; local copies
live in the storage's bounded read cache (DAYREEL_CACHE_MB, least recently used go first). Entries are per
project, so deleting a project deletes its segments with it (they show its people); entries not made again
for DAYREEL_RENDER_CACHE_DAYS are pruned by the nightly job (`prune_shared_segments`).
"""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path

from app.storage.base import Storage
from media_pipeline.film.cache import DONE, is_folder_entry

PREFIX = "segments/"


def segments_prefix(project_id: int) -> str:
    return f"{PREFIX}{project_id}/"


class SharedSegments:
    """media_pipeline's SharedCache on a Storage: one project's entries under `segments/<project id>/`."""

    def __init__(self, storage: Storage, project_id: int) -> None:
        self.storage = storage
        self.prefix = segments_prefix(project_id)

    def holds(self, name: str) -> bool:
        return self.storage.exists(self._marker(name))

    def fetch(self, name: str) -> Path | None:
        if not is_folder_entry(name):
            try:
                return self.storage.local_path(self.prefix + name)
            except FileNotFoundError:
                return None
        keys = self.storage.list_keys(f"{self.prefix}{name}/")
        if self._marker(name) not in keys:
            return None
        try:
            # every file of the entry, so they sit together in one folder of the read cache
            return [self.storage.local_path(key) for key in keys][-1].parent
        except FileNotFoundError:  # pruned since it was listed: as good as never made
            return None

    def share(self, name: str, made: Path) -> Path:
        if not made.is_dir():
            return self.storage.put_and_keep(made, self.prefix + name)
        # the marker goes last: an entry whose marker is there is complete for every reader
        files = sorted(made.iterdir(), key=lambda f: (f.name == DONE, f.name))
        kept = [self.storage.put_and_keep(f, f"{self.prefix}{name}/{f.name}") for f in files]
        made.rmdir()
        return kept[-1].parent

    def _marker(self, name: str) -> str:
        return f"{self.prefix}{name}/{DONE}" if is_folder_entry(name) else self.prefix + name


def prune_shared_segments(storage: Storage, *, older_than_s: float, now: float | None = None) -> int:
    """Delete every entry in the bucket made more than `older_than_s` ago; returns how many entries went.

    An entry's age is its marker's (or its file's) upload time: entries never change, so that is when it was
    made. The marker goes first, so an entry half deleted (a crash in between) reads as never made."""
    cutoff = (time.time() if now is None else now) - older_than_s
    entries: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for key, modified in storage.list_modified(PREFIX):
        parts = key.split("/")
        if len(parts) >= 3:
            entries["/".join(parts[:3])].append((key, modified))
    removed = 0
    for entry, objects in entries.items():
        name = entry.rsplit("/", 1)[1]
        marker = f"{entry}/{DONE}" if is_folder_entry(name) else entry
        made = dict(objects).get(marker)
        if made is None:  # a folder without its marker: half made or half deleted; old enough, it goes too
            made = max(modified for _, modified in objects)
        if made >= cutoff:
            continue
        keys = sorted((key for key, _ in objects), key=lambda key: key != marker)
        for key in keys:
            storage.delete(key)
        removed += 1
    return removed
