"""The segment cache: entries named by a hash of what shapes them, on this machine's disk and, when the caller
gives one, in a cache several machines share; and keeping the local folder in bounds.

An entry is a folder (a name without a dot: a segment's pieces "s-…", a clip's sound "a-…"), complete once it
holds a `done` marker, or one file (a name with a suffix: a transition "t-….mp4", a sound track
"track-….m4a", a poster "s-…-poster.jpg"). Entries never change once made, so a copy is never stale.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from pathlib import Path
from typing import Protocol

DONE = "done"


def is_folder_entry(name: str) -> bool:
    return "." not in name


class SharedCache(Protocol):
    """Entries several machines share (the service keeps them in its object storage), with local copies.

    `holds` answers without copying anything here; `fetch` gives a local copy of a complete entry (a folder
    holding `done`, or the file) or None; `share` takes a finished entry made in a scratch folder (a folder
    with its `done` marker, or a file), publishes it and returns where its local copy now is.
    """

    def holds(self, name: str) -> bool: ...

    def fetch(self, name: str) -> Path | None: ...

    def share(self, name: str, made: Path) -> Path: ...


class FilmCache:
    """The cache one render (or one segment of it) works with: `cache_dir/film`, and `shared` behind it.

    With a shared cache the local folder only holds scratch entries being made: finished ones go to the
    shared cache, whose local copies the caller keeps in bounds.
    """

    def __init__(self, cache_dir: Path, shared: SharedCache | None = None) -> None:
        self.folder = Path(cache_dir) / "film"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.shared = shared
        self._scratch: list[Path] = []
        self._lock = threading.Lock()

    def holds(self, name: str) -> bool:
        if self.shared is not None:
            return self.shared.holds(name)
        return self._local(name) is not None

    def find(self, name: str) -> Path | None:
        """A local path of the complete entry `name`, or None when nobody has made it (or it was pruned)."""
        if self.shared is not None:
            return self.shared.fetch(name)
        return self._local(name)

    def scratch(self, name: str) -> Path:
        """A fresh hidden folder to make entry `name` in; removed by `clean` if the entry is never kept."""
        folder = self.folder / f".{name}.{uuid.uuid4().hex[:8]}"
        folder.mkdir()
        with self._lock:
            self._scratch.append(folder)
        return folder

    def keep(self, name: str, made: Path) -> Path:
        """Publish `made` (a scratch folder for a folder entry, a file in one for a file entry) as `name`."""
        if is_folder_entry(name):
            (made / DONE).touch()
        if self.shared is not None:
            return self.shared.share(name, made)
        final = self.folder / name
        try:
            os.replace(made, final)
        except OSError:  # another render (or process) published the same entry first: theirs is as good
            shutil.rmtree(made, ignore_errors=True)
        return final

    def clean(self) -> None:
        """Remove the scratch folders of this render (left by a cancel or an error, or emptied by `keep`)."""
        with self._lock:
            folders, self._scratch = self._scratch, []
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)

    def _local(self, name: str) -> Path | None:
        path = self.folder / name
        complete = (path / DONE).exists() if is_folder_entry(name) else path.is_file()
        return path if complete else None


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
