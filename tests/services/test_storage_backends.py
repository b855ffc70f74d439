"""The storage contract, run against both backends: the data dir and S3 (SeaweedFS on loopback)."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.context import Context
from app.storage import LocalStorage, ReadCache, Storage, TooLarge, open_storage
from tests import factories
from tests.conftest import bucket_settings
from tests.mediagen import make_photo

KEY = "originals/ab/abcdef.jpg"


@pytest.fixture(params=["local", "s3"])
def settings(settings: Settings, request: pytest.FixtureRequest) -> Iterator[Settings]:
    """The usual settings, once with the data dir and once with a bucket on the loopback S3 server."""
    if request.param == "local":
        yield settings
        return
    with bucket_settings(settings, request.getfixturevalue("s3_server")) as s3:
        yield s3


@pytest.fixture
def storage(settings: Settings) -> Storage:
    return open_storage(settings)


def test_stage_commit_read_list_delete(storage: Storage, settings: Settings, tmp_path: Path) -> None:
    data = bytes(range(256)) * 1000
    staged = storage.stage([data[:1000], data[1000:]], max_bytes=len(data))
    assert staged.sha256 == hashlib.sha256(data).hexdigest() and staged.size_bytes == len(data)
    assert not storage.exists(KEY)
    assert storage.commit(staged, KEY) == KEY
    assert not staged.path.exists()  # the staging file went into the key
    assert storage.exists(KEY) and storage.size(KEY) == len(data)
    assert b"".join(storage.read_range(KEY)) == data
    assert b"".join(storage.read_range(KEY, 10, 19)) == data[10:20]
    assert storage.path(KEY).read_bytes() == data  # a local file for ffmpeg and Pillow
    src = tmp_path / "film.mp4"
    src.write_bytes(b"film")
    assert storage.put_file(src, "renders/7/film.mp4") == "renders/7/film.mp4"
    assert not src.exists()
    assert storage.list_keys() == [KEY, "renders/7/film.mp4"]
    assert storage.list_keys("renders/") == ["renders/7/film.mp4"]
    storage.delete(KEY)
    assert not storage.exists(KEY) and storage.list_keys() == ["renders/7/film.mp4"]
    with pytest.raises(FileNotFoundError):
        storage.size(KEY)
    assert storage.delete_prefix("renders/7/") == 1
    assert storage.list_keys() == []
    if settings.storage == "s3":
        with pytest.raises(FileNotFoundError):
            storage.path(KEY)
        assert not list((settings.data_dir / "originals").rglob("*"))  # nothing of it on local disk


def test_refused_writes_leave_nothing(storage: Storage) -> None:
    with pytest.raises(TooLarge):
        storage.stage([b"x" * 100, b"y" * 100], max_bytes=150)
    with pytest.raises(ValueError):
        storage.put_file(Path("/etc/hostname"), "../outside")
    assert list(storage.temp_dir().glob("stage-*")) == [] and storage.list_keys() == []


def test_read_cache_evicts_the_least_recently_used_and_fetches_once(tmp_path: Path) -> None:
    now = [1000.0]

    def clock() -> float:
        now[0] += 1
        return now[0]

    fetched: list[str] = []

    def fetch(key: str, dest: Path) -> None:
        fetched.append(key)
        dest.write_bytes(b"x" * 1000)

    cache = ReadCache(tmp_path / "cache", max_bytes=3000, keep_recent_s=0, clock=clock)
    paths = {k: cache.get(f"derived/{k}.jpg", fetch) for k in "abc"}
    assert cache.used_bytes() == 3000 and all(p.exists() for p in paths.values())
    cache.get("derived/a.jpg", fetch)  # a used again: b is now the least recently used
    cache.get("derived/d.jpg", fetch)
    assert not paths["b"].exists() and paths["a"].exists() and paths["c"].exists()
    assert cache.used_bytes() == 3000 and fetched == ["derived/a.jpg", "derived/b.jpg", "derived/c.jpg",
                                                      "derived/d.jpg"]
    # many threads asking for one missing key: one download, every thread gets the whole file
    got: list[bytes] = []
    threads = [threading.Thread(target=lambda: got.append(cache.get("derived/e.jpg", fetch).read_bytes()))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert fetched.count("derived/e.jpg") == 1 and got == [b"x" * 1000] * 8
    assert list((tmp_path / "cache" / "tmp").iterdir()) == []  # no half download left


def test_read_cache_forgets_a_deleted_key_with_its_lock_and_sweeps_locks_nobody_uses(tmp_path: Path) -> None:
    now = [time.time()]
    cache = ReadCache(tmp_path / "cache", max_bytes=10**6, keep_recent_s=60, clock=lambda: now[0])
    locks = tmp_path / "cache" / "locks"
    gone = cache.get("segments/7/s-abc/body.mp4", lambda _k, dest: dest.write_bytes(b"7"))
    kept = cache.get("segments/8/s-def/body.mp4", lambda _k, dest: dest.write_bytes(b"8"))
    assert len(list(locks.glob("key-*"))) == 2
    cache.forget("segments/7/s-abc/body.mp4")  # the project was deleted
    assert not gone.exists() and not (tmp_path / "cache" / "objects" / "segments" / "7").exists()
    assert kept.read_bytes() == b"8" and len(list(locks.glob("key-*"))) == 1
    # a lock unused for longer than keep_recent_s goes at the next eviction pass; one just used stays
    stale = next(locks.glob("key-*"))
    now[0] += 120
    cache.get("derived/new.jpg", lambda _k, dest: dest.write_bytes(b"n"))
    assert not stale.exists() and len(list(locks.glob("key-*"))) == 1


def test_a_recently_used_file_is_not_evicted_under_a_reader(tmp_path: Path) -> None:
    cache = ReadCache(tmp_path / "cache", max_bytes=1500, keep_recent_s=3600)
    first = cache.get("derived/a.jpg", lambda _k, dest: dest.write_bytes(b"a" * 1000))
    cache.get("derived/b.jpg", lambda _k, dest: dest.write_bytes(b"b" * 1000))
    assert first.exists()  # over the bound for now: a render handed this path out a moment ago
    assert cache.evict(now=first.stat().st_mtime + 7200) == 1 and not first.exists()


def test_ranged_requests_through_a_route(client: TestClient, ctx: Context, settings: Settings,
                                         staff: factories.StaffUser, project: factories.ProjectRef,
                                         tmp_path: Path) -> None:
    photo = make_photo(tmp_path / "p.jpg", colour="orange", size=(96, 64))
    data = photo.read_bytes()
    moment = factories.make_moment(ctx, project, photo)
    url = f"/media/moments/{moment.id}/{hashlib.sha256(data).hexdigest()[:16]}/original"
    whole = client.get(url, headers=staff.headers)
    assert whole.status_code == 200 and whole.content == data and whole.headers["accept-ranges"] == "bytes"
    part = client.get(url, headers={**staff.headers, "Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == data[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(data)}" and part.headers["content-length"] == "10"
    tail = client.get(url, headers={**staff.headers, "Range": "bytes=-5"})
    assert tail.status_code == 206 and tail.content == data[-5:]
    beyond = client.get(url, headers={**staff.headers, "Range": f"bytes={len(data)}-"})
    assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{len(data)}"
    stale = client.get(url, headers={**staff.headers, "Range": "bytes=0-9", "If-Range": '"another"'})
    assert stale.status_code == 200 and stale.content == data
    assert client.get(url).status_code == 404  # the access check still comes first
    assert isinstance(ctx.storage, LocalStorage) == (settings.storage == "local")
