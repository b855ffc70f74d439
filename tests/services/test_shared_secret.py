"""Processes sharing one database must share one secret: with PostgreSQL (or the Redis queue) and no
DAYREEL_SECRET_KEY, `dayreel serve` and `dayreel worker` refuse to start with one line and exit code 2,
before touching the database or writing a key into their data dir. Given the key, serve starts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, inspect

from tests.services.test_backends import pg_url  # noqa: F401  (the fixture: a fresh PostgreSQL database)
from tests.services.test_end_to_end import free_port, wait_for

DAYREEL = str(Path(sys.executable).parent / "dayreel")


def _env(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAYREEL_")}
    return {**env, "DAYREEL_DATA_DIR": str(data), "DAYREEL_QUEUE_BACKEND": "sqlite", **extra}


def _refused(args: list[str], env: dict[str, str]) -> str:
    proc = subprocess.Popen([DAYREEL, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:  # it started after all: that is the failure, and it must not outlive the test
            proc.kill()
            proc.wait()
    assert proc.stderr is not None
    err = proc.stderr.read()
    assert code == 2, err
    return err


@pytest.mark.services
@pytest.mark.parametrize("command", ["serve", "worker"])
def test_no_secret_with_postgresql_is_refused(command: str, pg_url: str, tmp_path: Path) -> None:  # noqa: F811
    data = tmp_path / "data"
    err = _refused([command], _env(data, DAYREEL_DATABASE_URL=pg_url))
    assert err.count("\n") == 1 and err.startswith("dayreel: DAYREEL_SECRET_KEY must be set"), err
    assert "Traceback" not in err
    assert not (data / "secret_key").exists()
    engine = create_engine(pg_url)
    try:
        assert inspect(engine).get_table_names() == []  # refused before migrating anything
    finally:
        engine.dispose()


def test_no_secret_with_the_redis_queue_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    err = _refused(["worker"], _env(data, DAYREEL_QUEUE_BACKEND="redis"))
    assert err.startswith("dayreel: DAYREEL_SECRET_KEY must be set"), err
    assert not (data / "secret_key").exists()


@pytest.mark.services
def test_with_the_secret_given_serve_starts_on_postgresql(pg_url: str, tmp_path: Path) -> None:  # noqa: F811
    data, port = tmp_path / "data", free_port()
    env = _env(data, DAYREEL_DATABASE_URL=pg_url, DAYREEL_SECRET_KEY="shared-secret-0123456789")
    # outside SQLite the schema is a deploy step of its own; serve refuses an empty database
    migrated = subprocess.run([DAYREEL, "migrate"], env=env, capture_output=True, text=True, timeout=120)
    assert migrated.returncode == 0, migrated.stderr
    proc = subprocess.Popen([DAYREEL, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)

    def healthy() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "server died"
            return False

    try:
        wait_for(healthy, 60, "the server to start")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert not (data / "secret_key").exists()  # the given key is used; none is generated
