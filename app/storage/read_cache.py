"""A bounded least-recently-used cache of objects on local disk, for code that needs a file (ffmpeg, Pillow).

Shared by every thread and process of one machine that points at the same folder:
- a download goes to a temporary file and is renamed into place, so a reader sees the whole object or none;
- one process downloads a key at a time (an flock per key); the others wait and then find it there;
- use is recorded as the file's mtime (works on noatime mounts and across processes), so eviction removes the
  files used longest ago until the total fits in `max_bytes`;
- a file used within the last `keep_recent_s` seconds is not evicted even over the bound: a render hands
  paths to ffmpeg and to tile workers well before they open them. An evicted file a reader has open stays
  readable to it (POSIX unlink);
- a deleted object's copy goes with its lock file and the folders it leaves empty (`forget`); lock files of
  keys nobody fetched for `keep_recent_s` are swept during eviction, so the lock folder does not grow with
  every key ever read (a lock swept just as a process opens it costs at most a second download).
Objects never change under a key (content addressed, or one key per render), so a cached copy is never stale.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from app.storage.base import check_key

Fetch = Callable[[str, Path], None]  # fetch(key, dest): write the object's bytes to dest


class ReadCache:
    def __init__(self, root: Path, *, max_bytes: int, keep_recent_s: float = 3600.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.root = root.resolve()
        self.max_bytes = max_bytes
        self.keep_recent_s = keep_recent_s
        self._clock = clock
        self._objects = self.root / "objects"
        self._tmp = self.root / "tmp"
        self._locks = self.root / "locks"
        self._swept_at = float("-inf")
        for folder in (self._objects, self._tmp, self._locks):
            folder.mkdir(parents=True, exist_ok=True)

    def get(self, key: str, fetch: Fetch) -> Path:
        """The cached file of `key`, downloaded with `fetch` first when it is not here."""
        path = self._objects / check_key(key)
        if self._touch(path):
            return path
        with self._lock(_lock_name(key)):
            if self._touch(path):  # another thread or process fetched it while we waited
                return path
            tmp = self._temp_file()
            try:
                fetch(key, tmp)
                self._place(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
        self.evict(keep=path)
        return path

    def adopt(self, key: str, src: Path) -> Path:
        """Make the local file `src` (just uploaded as `key`) the cached copy of `key`, moving, not copying it
        when it is on the same disk."""
        path = self._objects / check_key(key)
        tmp = self._temp_file()
        try:
            shutil.move(src, tmp)
            self._place(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        self.evict(keep=path)
        return path

    def forget(self, key: str) -> None:
        """Drop the copy of a deleted object, its lock file and the folders it leaves empty."""
        self._remove(self._objects / check_key(key))
        (self._locks / _lock_name(key)).unlink(missing_ok=True)

    def _remove(self, path: Path) -> None:
        """Unlink a cached copy and the folders it leaves empty."""
        path.unlink(missing_ok=True)
        for folder in path.parents:
            if folder == self._objects or self._objects not in folder.parents:
                break
            try:
                folder.rmdir()
            except OSError:  # not empty (or gone): the folders above are not empty either
                break

    def _temp_file(self) -> Path:
        fd, name = tempfile.mkstemp(dir=self._tmp, prefix="get-")
        os.close(fd)
        return Path(name)

    def _place(self, tmp: Path, path: Path) -> None:
        now = self._clock()
        os.utime(tmp, (now, now))
        for _ in range(3):  # `forget` of a sibling may remove the folder between mkdir and rename: once more
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.replace(tmp, path)
                return
            except FileNotFoundError:
                if not tmp.exists():
                    raise
        raise FileNotFoundError(path.parent)

    def used_bytes(self) -> int:
        return sum(size for _, _, size in self._entries())

    def evict(self, *, keep: Path | None = None, now: float | None = None) -> int:
        """Remove least recently used files until the cache fits; returns how many went."""
        with self._lock("evict"):
            entries = self._entries()
            total = sum(size for _, _, size in entries)
            self._sweep_locks()
            if total <= self.max_bytes:
                return 0
            now = self._clock() if now is None else now
            removed = 0
            for path, used, size in sorted(entries, key=lambda e: e[1]):
                if total <= self.max_bytes:
                    break
                if path == keep or now - used < self.keep_recent_s or self._used_since(path, used):
                    continue
                self._remove(path)
                total -= size
                removed += 1
            return removed

    def _entries(self) -> list[tuple[Path, float, int]]:
        out = []
        for path in self._objects.rglob("*"):
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            if path.is_file():
                out.append((path, st.st_mtime, st.st_size))
        return out

    @staticmethod
    def _used_since(path: Path, used: float) -> bool:
        """Touched by a reader since the listing (another process): keep it."""
        try:
            return path.stat().st_mtime != used
        except FileNotFoundError:
            return False

    def _touch(self, path: Path) -> bool:
        now = self._clock()
        try:
            os.utime(path, (now, now))
        except FileNotFoundError:
            return False
        return True

    def _sweep_locks(self) -> None:
        """Remove per-key lock files unused for `keep_recent_s` (at most once per that time per process)."""
        now = self._clock()
        if now - self._swept_at < self.keep_recent_s:
            return
        self._swept_at = now
        for lock in self._locks.glob("key-*"):
            with suppress(FileNotFoundError):
                if now - lock.stat().st_mtime > self.keep_recent_s:
                    lock.unlink()

    @contextmanager
    def _lock(self, name: str) -> Iterator[None]:
        with (self._locks / name).open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            now = self._clock()
            os.utime(fh.fileno(), (now, now))  # in use: the sweep leaves it
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def _lock_name(key: str) -> str:
    return f"key-{hashlib.sha256(key.encode()).hexdigest()[:32]}"
