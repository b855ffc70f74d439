"""The default backend: files under one root folder (the data dir); keys are relative paths."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from app.storage.base import Staged, Staging, check_key, check_prefix, read_file_range

# folders of the data dir that hold no stored objects (staging, caches), never listed as keys
_NOT_OBJECTS = ("tmp", "cache")


class LocalStorage(Staging):
    """Files under one root folder; keys are relative paths checked against a strict pattern."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        super().__init__(self.root / "tmp")

    def commit(self, staged: Staged, key: str) -> str:
        dest = self._dest(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged.path, dest)
        return key

    def discard(self, staged: Staged) -> None:
        staged.path.unlink(missing_ok=True)

    def put_file(self, src: Path, key: str) -> str:
        """Move (same disk) or copy `src` to `key`, atomically."""
        dest = self._dest(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(src, dest)
        except OSError:
            tmp = dest.with_name(dest.name + ".part")
            shutil.copyfile(src, tmp)
            os.replace(tmp, dest)
            src.unlink(missing_ok=True)
        return key

    def put_and_keep(self, src: Path, key: str) -> Path:
        return self._dest(self.put_file(src, key))

    def path(self, key: str) -> Path:
        return self._dest(key)

    def local_path(self, key: str) -> Path:
        return self._dest(key)

    def exists(self, key: str) -> bool:
        return self._dest(key).is_file()

    def size(self, key: str) -> int:
        return self._dest(key).stat().st_size

    def read_range(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        return read_file_range(self._dest(key), start, end)

    def delete(self, key: str) -> None:
        self._dest(key).unlink(missing_ok=True)

    def list_keys(self, prefix: str = "") -> list[str]:
        base = self.root / check_prefix(prefix) if prefix else self.root
        keys = []
        for path in base.rglob("*"):
            rel = path.relative_to(self.root).as_posix()
            if path.is_file() and rel.split("/", 1)[0] not in _NOT_OBJECTS and "/" in rel:
                keys.append(rel)
        return sorted(keys)

    def list_modified(self, prefix: str) -> list[tuple[str, float]]:
        found = []
        for key in self.list_keys(prefix):
            try:
                found.append((key, self._dest(key).stat().st_mtime))
            except FileNotFoundError:  # deleted since it was listed
                continue
        return found

    def delete_prefix(self, prefix: str) -> int:
        keys = self.list_keys(prefix)
        for key in keys:
            self.delete(key)
        folder = self.root / prefix
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
        return len(keys)

    def _dest(self, key: str) -> Path:
        dest = (self.root / check_key(key)).resolve()
        if self.root not in dest.parents:
            raise ValueError(f"invalid storage key: {key!r}")
        return dest
