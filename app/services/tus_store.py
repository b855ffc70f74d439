"""Partial tus uploads on disk: DATA_DIR/tmp/tus/<32 hex id> holds the bytes, <id>.info (JSON) the rest.

The rules that keep a resumed upload byte-exact whatever crashes in between:
- bytes go where the request said (os.pwrite at the declared offset), never "append at the end";
- the info file is replaced atomically (temp file + os.replace) and names two offsets: `offset`, recorded
  right after the pwrite calls below it returned, and `durable`, recorded after an fdatasync. Bytes that
  pwrite handed to the kernel survive the death of the process (kill -9) but not of the machine, so
  `offset` is trusted only within the boot that wrote it (the kernel's boot_id is stored beside it); after
  a reboot only `durable` is. Writeback is started after every record (sync_file_range), and a complete
  upload is fdatasync'd before it may be finished, so fsync never stalls a PATCH for long;
- bytes past the trusted offset (a PATCH cut by kill -9) are cut off before anything reads or extends the
  upload, so HEAD, the next PATCH and finishing all see exactly the trusted prefix;
- one request at a time holds an upload: an exclusive, non-blocking flock on its data file (others: 423).
A running sha256 is kept in memory beside the offset (keyed by offset, so a stale one is never used); after
a restart the stored prefix is hashed once. The sha256 of a complete upload is written into its info.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import ctypes
import fcntl
import hashlib
import json
import os
import re
import secrets
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from app.config import Settings
from app.services.errors import NotFound, ServiceError, TooLargeError

UPLOAD_ID = re.compile(r"^[0-9a-f]{32}\Z")
EXPIRE_S = 86400  # an upload untouched for a day is gone (cleanup_partial_uploads, Upload-Expires)
RECORD_BYTES = 1024 * 1024  # a long PATCH records its progress this often (survives kill -9)
DURABLE_BYTES = 256 * 1024 * 1024  # ... and makes it durable (fdatasync, survives a power cut) this often
READ_BLOCK = 1024 * 1024
CHECKSUMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "md5": hashlib.md5}
_METADATA_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,64}\Z")
GONE = "no such upload; it may have expired. Please choose the file again"


class BadRequest(ServiceError):
    status = 400


class Locked(ServiceError):
    status = 423


class Gone(ServiceError):
    status = 410


class ChecksumMismatch(ServiceError):
    status = 460  # tus checksum extension: "Checksum Mismatch"


class NoSpace(ServiceError):
    status = 507


def tus_dir(settings: Settings) -> Path:
    """Where partial uploads live: inside the data dir, named by random id, never by a user's name."""
    return settings.data_dir / "tmp" / "tus"


@dataclass(frozen=True)
class Paths:
    data: Path
    info: Path
    result: Path


def paths(settings: Settings, upload_id: str) -> Paths:
    """The files of one upload; any id that is not 32 lower-case hex digits is unknown (never a path)."""
    if not UPLOAD_ID.match(upload_id):
        raise NotFound(GONE)
    folder = tus_dir(settings)
    return Paths(data=folder / upload_id, info=folder / f"{upload_id}.info", result=folder / f"{upload_id}.result")


@dataclass
class UploadInfo:
    """What the sidecar records: the declared length, the trusted offset, who started it, and for what."""

    id: str
    length: int
    offset: int
    project_id: int
    metadata: dict[str, str] = field(default_factory=dict)
    contributor: str | None = None  # token hash of the contributor cookie sent when the upload started
    created_at: float = 0.0
    sha256: str | None = None  # set once every byte arrived (and was fdatasync'd)
    durable: int = 0  # bytes known to be on disk (fdatasync'd)
    boot: str | None = None  # the boot in which `offset` was recorded
    version: int = 1

    @classmethod
    def from_json(cls, value: Any) -> UploadInfo | None:
        if not isinstance(value, dict) or value.get("version") != 1:
            return None  # another format (e.g. an upload begun by the old library): unknown
        try:
            return cls(
                id=str(value["id"]), length=int(value["length"]), offset=int(value["offset"]),
                project_id=int(value["project_id"]), metadata=dict(value.get("metadata") or {}),
                contributor=value.get("contributor"), created_at=float(value.get("created_at") or 0),
                sha256=value.get("sha256"), durable=int(value.get("durable") or 0), boot=value.get("boot"),
            )
        except (KeyError, TypeError, ValueError):
            return None


def read_info(path: Path) -> UploadInfo | None:
    try:
        return UploadInfo.from_json(json.loads(path.read_text()))
    except (OSError, ValueError):
        return None


def write_info(path: Path, info: UploadInfo, *, sync: bool = False) -> None:
    """Replace the sidecar atomically: a reader sees the old one or the new one, never half. Without `sync`
    a power cut may leave the older one (or none): that only ever names fewer bytes."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, json.dumps(asdict(info)).encode())
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _boot_id() -> str | None:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip() or None
    except OSError:
        return None  # not Linux: only fdatasync'd bytes are ever trusted after a restart


BOOT_ID = _boot_id()


_WRITEBACK = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tus-writeback")
_KICKS: dict[str, Future[None]] = {}
_KICKS_LOCK = threading.Lock()


def _kick(fd: int, start: int, length: int) -> None:
    try:
        _sync_file_range(fd, start, length, 2)  # SYNC_FILE_RANGE_WRITE; a failure only means no head start
    finally:
        os.close(fd)


def _start_writeback(upload_id: str, path: Path, start: int, end: int) -> bool:
    """Ask the kernel, from a helper thread, to start writing [start, end) to disk (without waiting for it),
    so the disk works while the network does and a later fdatasync has little left. One request in flight
    per upload; returns False when the previous one is still busy (the next call covers more)."""
    if _sync_file_range is None or end <= start:
        return True
    with _KICKS_LOCK:
        busy = _KICKS.get(upload_id)
        if busy is not None and not busy.done():
            return False
        try:  # its own open file (a dup would share, and so keep, this request's flock)
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            return True
        _KICKS[upload_id] = _WRITEBACK.submit(_kick, fd, start, end - start)
    return True


def _forget_writeback(upload_id: str) -> None:
    with _KICKS_LOCK:
        _KICKS.pop(upload_id, None)


try:
    _sync_file_range: Any = ctypes.CDLL(None, use_errno=True).sync_file_range
    _sync_file_range.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
except (OSError, AttributeError):
    _sync_file_range = None


def expires_at(p: Paths) -> float:
    """When an upload untouched since now will be removed (last write + a day)."""
    try:
        return p.info.stat().st_mtime + EXPIRE_S
    except OSError:
        return time.time()


def is_expired(p: Paths) -> bool:
    return expires_at(p) < time.time()


def parse_metadata(header: str | None) -> dict[str, str]:
    """Upload-Metadata: `key base64value,key2 base64value2` (a value may be missing)."""
    if not header:
        return {}
    if len(header) > 8192:
        raise BadRequest("Upload-Metadata is too long (8 KB at most)")
    found: dict[str, str] = {}
    for pair in header.split(","):
        key, _, value = pair.strip().partition(" ")
        if not _METADATA_KEY.match(key) or key in found:
            raise BadRequest("Upload-Metadata must be comma-separated 'key base64value' pairs with distinct keys")
        try:
            found[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise BadRequest(f"Upload-Metadata '{key}' is not base64 of UTF-8 text") from None
    return found


@dataclass(frozen=True)
class Checksum:
    """A client's Upload-Checksum for one request's body."""

    algorithm: str
    expected: bytes

    def hasher(self) -> Any:
        return CHECKSUMS[self.algorithm]()


def parse_checksum(header: str | None) -> Checksum | None:
    if header is None:
        return None
    algorithm, _, value = header.strip().partition(" ")
    algorithm = algorithm.lower()
    if algorithm not in CHECKSUMS:
        raise BadRequest(f"Upload-Checksum algorithm must be one of {', '.join(CHECKSUMS)}")
    try:
        expected = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest("Upload-Checksum must be '<algorithm> <base64 digest>'") from None
    if len(expected) != CHECKSUMS[algorithm]().digest_size:
        raise BadRequest(f"Upload-Checksum: a {algorithm} digest has {CHECKSUMS[algorithm]().digest_size} bytes")
    return Checksum(algorithm, expected)


# --- creating and holding an upload --------------------------------------------------------------


def create(settings: Settings, *, length: int, project_id: int, metadata: dict[str, str],
           contributor: str | None) -> UploadInfo:
    """An empty upload: the data file first, then its info (an info never points at a missing file)."""
    folder = tus_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    upload_id = secrets.token_hex(16)
    p = paths(settings, upload_id)
    os.close(os.open(p.data, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    info = UploadInfo(id=upload_id, length=length, offset=0, project_id=project_id, metadata=metadata,
                      contributor=contributor, created_at=time.time(),
                      sha256=hashlib.sha256().hexdigest() if length == 0 else None, boot=BOOT_ID)
    write_info(p.info, info, sync=True)
    return info


class Held:
    """One upload, held exclusively by this request: its open data file, its info, its paths."""

    def __init__(self, settings: Settings, upload_id: str) -> None:
        self.paths = paths(settings, upload_id)
        try:
            self.fd = os.open(self.paths.data, os.O_RDWR)
        except FileNotFoundError:
            raise NotFound(GONE) from None
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.release()  # and forget the number: __del__ must never close an fd the process has reused
            raise Locked("this upload is receiving another request right now; ask again in a moment") from None
        try:
            # it may have been removed (finished, terminated) between our open and our lock
            if os.fstat(self.fd).st_ino != os.stat(self.paths.data).st_ino:
                raise FileNotFoundError
            info = read_info(self.paths.info)
            if info is None:
                raise FileNotFoundError
        except FileNotFoundError:
            self.release()
            raise NotFound(GONE) from None
        self.info = info
        self._settle()

    def _settle(self) -> None:
        """Make the data file exactly the trusted prefix: cut a torn tail; after a reboot trust only what
        was fdatasync'd; if the disk lost bytes anyway, go on from what is there."""
        info = self.info
        same_boot = BOOT_ID is not None and info.boot == BOOT_ID
        trusted = info.offset if same_boot else min(info.durable, info.offset)
        size = os.fstat(self.fd).st_size
        trusted = min(trusted, size)
        if size > trusted:
            os.ftruncate(self.fd, trusted)
        if trusted != info.offset or not same_boot:
            info.offset, info.durable, info.boot = trusted, min(info.durable, trusted), BOOT_ID
            if trusted < info.length:
                info.sha256 = None
            write_info(self.paths.info, info, sync=True)

    def remove(self) -> None:
        """Delete the upload's files (we hold it, so no request is writing)."""
        forget_hash(self.info.id)
        _forget_writeback(self.info.id)
        for path in (self.paths.data, self.paths.info):
            path.unlink(missing_ok=True)

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # closing drops the flock
            self.fd = -1

    def __del__(self) -> None:
        # a Held its request never got back (cancelled while a worker thread took it) must not keep the
        # upload locked until the process ends
        if getattr(self, "fd", -1) >= 0:
            self.release()

    def __enter__(self) -> Held:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def peek(settings: Settings, upload_id: str) -> tuple[Paths, UploadInfo]:
    """An upload's info without holding it (HEAD while a PATCH runs); unknown or expired: 404/410."""
    p = paths(settings, upload_id)
    info = read_info(p.info)
    if info is None or not p.data.exists():
        raise NotFound(GONE)
    if is_expired(p):
        raise Gone("this upload has expired; please choose the file again")
    return p, info


# --- running hash ----------------------------------------------------------------------------------

_HASHES: OrderedDict[str, tuple[int, Any]] = OrderedDict()
_HASHES_LOCK = threading.Lock()
_HASHES_MAX = 512


def _remember_hash(upload_id: str, offset: int, digest: Any) -> None:
    with _HASHES_LOCK:
        _HASHES[upload_id] = (offset, digest.copy())
        _HASHES.move_to_end(upload_id)
        while len(_HASHES) > _HASHES_MAX:
            _HASHES.popitem(last=False)


def forget_hash(upload_id: str) -> None:
    with _HASHES_LOCK:
        _HASHES.pop(upload_id, None)


def running_hash(held: Held) -> Any:
    """A sha256 of the upload's first `offset` bytes: from memory when this process saw them arrive,
    else by reading the stored prefix once (after a restart, or when another process took the last PATCH)."""
    with _HASHES_LOCK:
        cached = _HASHES.get(held.info.id)
        if cached is not None and cached[0] == held.info.offset:
            return cached[1].copy()
    digest = hashlib.sha256()
    pos = 0
    while pos < held.info.offset:
        block = os.pread(held.fd, min(READ_BLOCK, held.info.offset - pos), pos)
        if not block:
            break
        digest.update(block)
        pos += len(block)
    _remember_hash(held.info.id, pos, digest)
    return digest


# --- receiving one request's body ----------------------------------------------------------------


class Receiver:
    """Writes one request's body at the upload's offset, hashing as it goes; bytes are trusted only once
    recorded in the info (see the module's rules), and a refused body is cut off again."""

    def __init__(self, held: Held, digest: Any, checksum: Checksum | None) -> None:
        self.held, self.digest, self.checksum = held, digest, checksum
        self.chunk_digest = checksum.hasher() if checksum else None
        self.start = self.recorded = self.kicked = self.pos = held.info.offset
        self.limit = held.info.length

    @property
    def checkpoint_due(self) -> bool:
        # with a checksum, nothing of the body counts until all of it is checked
        return self.checksum is None and self.pos - self.recorded >= RECORD_BYTES

    def feed(self, piece: bytes) -> None:
        if not piece:
            return
        if self.pos + len(piece) > self.limit:
            self.rollback()
            raise TooLargeError(
                f"this request sends more bytes than the upload declared in Upload-Length ({self.limit} bytes)")
        view = memoryview(piece)
        try:
            while view:
                written = os.pwrite(self.held.fd, view, self.pos)
                self.pos += written
                view = view[written:]
        except OSError:
            self.rollback()
            raise NoSpace("the server could not store this part (disk full?); please try again later") from None
        self.digest.update(piece)
        if self.chunk_digest is not None:
            self.chunk_digest.update(piece)

    def rollback(self) -> None:
        """Forget what this request wrote since the last recorded offset."""
        with contextlib.suppress(OSError):
            os.ftruncate(self.held.fd, self.recorded)
        self.pos = self.recorded

    @property
    def checkpoint_syncs(self) -> bool:
        """Whether the next checkpoint waits for the disk (then it belongs in a worker thread)."""
        return self.pos == self.held.info.length or self.pos - self.held.info.durable >= DURABLE_BYTES

    def checkpoint(self) -> None:
        """Record the bytes so far (they are in the kernel's hands: they survive kill -9), start writing
        them to disk, and every DURABLE_BYTES, and always at the end, wait until they are on disk."""
        info = self.held.info
        complete = self.pos == info.length
        durable = self.checkpoint_syncs
        try:
            if durable:
                os.fdatasync(self.held.fd)
            elif _start_writeback(info.id, self.held.paths.data, self.kicked, self.pos):
                self.kicked = self.pos
            update = replace(info, offset=self.pos, boot=BOOT_ID, durable=self.pos if durable else info.durable,
                             sha256=self.digest.hexdigest() if complete else info.sha256)
            write_info(self.held.paths.info, update, sync=durable)
        except OSError:
            self.rollback()
            raise NoSpace("the server could not record this part (disk full?); please try again later") from None
        if durable:
            self.kicked = self.pos
            _forget_writeback(info.id)
        info.offset, info.boot, info.durable, info.sha256 = update.offset, update.boot, update.durable, update.sha256
        self.recorded = self.pos
        _remember_hash(info.id, self.pos, self.digest)

    def commit(self) -> int:
        """The body ended: check the client's checksum (460 and nothing kept on a mismatch), then record."""
        checksum, got = self.checksum, self.chunk_digest
        if checksum is not None and got is not None and got.digest() != checksum.expected:
            self.rollback()
            raise ChecksumMismatch(f"the {checksum.algorithm} checksum of this part does not match; it was not "
                                   f"kept, send it again from offset {self.recorded}")
        if self.pos != self.recorded:
            self.checkpoint()
        return self.pos

    def keep_partial(self) -> None:
        """The connection dropped: keep what arrived (it arrived in order), unless a checksum covered it."""
        if self.checksum is not None:
            self.rollback()
        elif self.pos != self.recorded:
            self.checkpoint()


# --- listing ---------------------------------------------------------------------------------------


def pending(settings: Settings, project_id: int) -> list[UploadInfo]:
    """This project's uploads that are under way and not expired (they count toward the quotas)."""
    folder = tus_dir(settings)
    if not folder.is_dir():
        return []
    found = []
    cutoff = time.time() - EXPIRE_S
    for path in folder.glob("*.info"):
        if not UPLOAD_ID.match(path.stem):
            continue
        try:
            if path.stat().st_mtime < cutoff:
                continue
        except OSError:
            continue
        info = read_info(path)
        if info is not None and info.project_id == project_id:
            found.append(info)
    return found
