"""What every storage backend offers, and the helpers they share: keys, staging, sweeping.

The database keeps keys, never paths; user-given names never reach a key. Writes stream through a hash and a
size limit into a local staging file and reach their key only in one step (a rename, or an upload that is
complete before the object exists), so a reader never sees half a file and a rejected upload leaves nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

CHUNK = 1024 * 1024
STAGE_PREFIX = "stage-"
STALE_STAGING_S = 3600.0  # a staging file untouched this long belongs to no live request
_KEY = re.compile(r"^[a-z0-9][a-z0-9_.-]*(/[a-z0-9][a-z0-9_.-]*)*$")


class TooLarge(ValueError):
    """More bytes than allowed arrived; nothing was kept."""


@dataclass(frozen=True)
class Staged:
    """Bytes written to a staging file, hashed, not yet at a key."""

    path: Path
    sha256: str
    size_bytes: int


def original_key(sha256: str, ext: str) -> str:
    return f"originals/{sha256[:2]}/{sha256}.{ext}"


def derived_key(sha256: str, name: str) -> str:
    return f"derived/{sha256[:2]}/{sha256}-{name}"


def check_key(key: str) -> str:
    if not _KEY.match(key) or ".." in key:
        raise ValueError(f"invalid storage key: {key!r}")
    return key


def check_prefix(prefix: str) -> str:
    """A folder of keys ("renders/12/"): a valid key followed by a slash."""
    if not prefix.endswith("/"):
        raise ValueError(f"invalid storage prefix: {prefix!r}")
    check_key(prefix[:-1])
    return prefix


class Storage(Protocol):
    # a storage is a cache key (render_store._plan_bytes), by identity: one that compares by value must say how
    def __hash__(self) -> int: ...
    def stage(self, chunks: Iterable[bytes] | BinaryIO, *, max_bytes: int) -> Staged: ...
    def adopt(self, path: Path, *, max_bytes: int, sha256: str | None = None) -> Staged: ...
    def commit(self, staged: Staged, key: str) -> str: ...
    def discard(self, staged: Staged) -> None: ...
    def put_file(self, src: Path, key: str) -> str: ...
    def put_and_keep(self, src: Path, key: str) -> Path:
        """Store `src` at `key` and return a local file of it (S3: `src` becomes the read cache's copy, so
        what was just made is never downloaded again)."""
        ...
    def path(self, key: str) -> Path:
        """A local file with the key's bytes, for code that needs one (ffmpeg, Pillow); FileNotFoundError
        when there is no such object (S3). The local backend answers with its path, existing or not."""
        ...
    def local_path(self, key: str) -> Path: ...
    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int:
        """Bytes in the object; FileNotFoundError when there is none."""
        ...
    def read_range(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes start..end (inclusive; None: to the end) in chunks of at most CHUNK."""
        ...
    def delete(self, key: str) -> None: ...
    def list_keys(self, prefix: str = "") -> list[str]: ...
    def list_modified(self, prefix: str) -> list[tuple[str, float]]:
        """(key, when it was stored, seconds since the epoch) of every object under `prefix`."""
        ...
    def delete_prefix(self, prefix: str) -> int: ...
    def temp_dir(self) -> Path: ...


def iter_chunks(source: Iterable[bytes] | BinaryIO) -> Iterator[bytes]:
    if hasattr(source, "read"):
        while chunk := source.read(CHUNK):
            yield chunk
    else:
        yield from source


def stage_to(tmp_dir: Path, chunks: Iterable[bytes] | BinaryIO, *, max_bytes: int) -> Staged:
    """Stream `chunks` (or a binary file) to a staging file, hashing and counting as it goes (one chunk in
    memory at a time)."""
    digest = hashlib.sha256()
    size = 0
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix=STAGE_PREFIX)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in iter_chunks(chunks):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(f"more than {max_bytes} bytes")
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Staged(path=path, sha256=digest.hexdigest(), size_bytes=size)


def adopt_to(tmp_dir: Path, path: Path, *, max_bytes: int, sha256: str | None = None) -> Staged:
    """Stage a file already on this disk (a finished resumable upload) by moving it: its bytes are never
    written again, and not even read when the caller hashed them as they arrived (`sha256`)."""
    size = path.stat().st_size
    if size > max_bytes:
        raise TooLarge(f"more than {max_bytes} bytes")
    if sha256 is None:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
        sha256 = digest.hexdigest()
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix=STAGE_PREFIX)
    os.close(fd)
    os.replace(path, name)
    return Staged(path=Path(name), sha256=sha256, size_bytes=size)


def read_file_range(path: Path, start: int = 0, end: int | None = None) -> Iterator[bytes]:
    """Bytes start..end (inclusive) of a local file, a CHUNK at a time."""
    with path.open("rb") as fh:
        fh.seek(start)
        left = None if end is None else end - start + 1
        while left is None or left > 0:
            chunk = fh.read(CHUNK if left is None else min(CHUNK, left))
            if not chunk:
                return
            if left is not None:
                left -= len(chunk)
            yield chunk


def sweep_staging(tmp_dir: Path, *, older_than_s: float = STALE_STAGING_S, now: float | None = None) -> int:
    """Remove staging files a crashed process left behind; returns how many went.

    Only files named by `stage()`/`adopt()` directly in the staging folder, untouched for `older_than_s`:
    a file still being written gets a fresh mtime with every chunk, so an upload in progress (in this or
    another process) is never taken; resumable uploads in their own sub-folder are not looked at.
    """
    now = time.time() if now is None else now
    removed = 0
    for path in tmp_dir.glob(STAGE_PREFIX + "*"):
        try:
            if path.is_file() and not path.is_symlink() and now - path.stat().st_mtime > older_than_s:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another process swept or committed it first
            continue
    return removed


class Staging:
    """What both backends share: a local staging folder where arriving bytes are hashed and checked."""

    def __init__(self, tmp_dir: Path) -> None:
        self._tmp = tmp_dir
        self._tmp.mkdir(parents=True, exist_ok=True)

    def temp_dir(self) -> Path:
        return self._tmp

    def stage(self, chunks: Iterable[bytes] | BinaryIO, *, max_bytes: int) -> Staged:
        return stage_to(self._tmp, chunks, max_bytes=max_bytes)

    def adopt(self, path: Path, *, max_bytes: int, sha256: str | None = None) -> Staged:
        return adopt_to(self._tmp, path, max_bytes=max_bytes, sha256=sha256)
