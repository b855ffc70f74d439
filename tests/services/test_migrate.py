"""`dayreel migrate` is the one step that changes the schema outside SQLite; serve and worker upgrade
SQLite themselves but refuse to start on any other database that is not at their code's revision."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from app.migrate import MIGRATE_LOCK_KEY, alembic_config, current_revision, head_revision
from tests.services.postgres import fresh_database

DAYREEL = Path(sys.executable).with_name("dayreel")
HEAD = head_revision()


@pytest.fixture
def pg_url() -> Iterator[str]:
    with fresh_database() as url:
        yield url


def env_for(data: Path, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAYREEL_")}
    env.update(DAYREEL_DATA_DIR=str(data), DAYREEL_QUEUE_BACKEND="sqlite", DAYREEL_SECRET_KEY="test-secret-0123456789")
    if database_url:
        env["DAYREEL_DATABASE_URL"] = database_url
    return env


def dayreel(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # a serve or worker that wrongly starts would run for ever: the timeout ends (and kills) it
    return subprocess.run([str(DAYREEL), *args], env=env, capture_output=True, text=True, timeout=90)


def one_line(text_: str) -> str:
    assert text_.count("\n") == 1, text_
    return text_.strip()


def test_migrate_on_sqlite_upgrades_then_finds_it_done(tmp_path: Path) -> None:
    env = env_for(tmp_path / "data")
    first = dayreel(env, "migrate")
    assert first.returncode == 0, first.stderr
    assert one_line(first.stdout) == f"database upgraded from empty to {HEAD}"
    again = dayreel(env, "migrate")
    assert again.returncode == 0, again.stderr
    assert one_line(again.stdout) == f"database already at {HEAD}"


def test_commands_on_sqlite_still_upgrade_by_themselves(tmp_path: Path) -> None:
    env = env_for(tmp_path / "data")
    done = dayreel(env, "project", "create", "--title", "Dag", "--date", "2024-07-24")
    assert done.returncode == 0, done.stderr
    assert current_revision(f"sqlite:///{tmp_path / 'data' / 'dayreel.db'}") == HEAD


@pytest.mark.services
@pytest.mark.parametrize("command_line", [("serve", "--port", "0"), ("worker",), ("project", "create", "--title",
                                          "Dag", "--date", "2024-07-24")])
def test_on_postgresql_nothing_but_migrate_touches_an_empty_schema(
    pg_url: str, tmp_path: Path, command_line: tuple[str, ...]
) -> None:
    refused = dayreel(env_for(tmp_path / "data", pg_url), *command_line)
    assert refused.returncode == 2
    assert one_line(refused.stderr) == (
        f"dayreel: the database has no dayreel schema yet: run `dayreel migrate` (code needs {HEAD})"
    )
    assert current_revision(pg_url) is None  # nothing was created


@pytest.mark.services
def test_on_postgresql_an_old_schema_is_refused_until_migrate(pg_url: str, tmp_path: Path) -> None:
    previous = ScriptDirectory.from_config(alembic_config(pg_url)).get_revision(HEAD).down_revision
    assert isinstance(previous, str)
    command.upgrade(alembic_config(pg_url), previous)
    env = env_for(tmp_path / "data", pg_url)

    refused = dayreel(env, "worker")
    assert refused.returncode == 2
    assert one_line(refused.stderr) == (
        f"dayreel: the database is at {previous}, this code needs {HEAD}: run `dayreel migrate`"
    )
    assert current_revision(pg_url) == previous

    migrated = dayreel(env, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert one_line(migrated.stdout) == f"database upgraded from {previous} to {HEAD}"
    created = dayreel(env, "project", "create", "--title", "Dag", "--date", "2024-07-24")
    assert created.returncode == 0, created.stderr  # at head, commands run


@pytest.mark.services
def test_a_newer_schema_than_the_code_is_refused(pg_url: str, tmp_path: Path) -> None:
    command.upgrade(alembic_config(pg_url), "head")
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    refused = dayreel(env_for(tmp_path / "data", pg_url), "worker")
    assert refused.returncode == 2
    assert "at 9999_from_the_future, which this code does not know" in one_line(refused.stderr)


@pytest.mark.services
def test_two_migrates_at_once_take_turns(pg_url: str, tmp_path: Path) -> None:
    """Both start while the test holds the migrate lock, so both reach the upgrade at the same moment.
    The lock makes them take turns: whichever goes first upgrades, the other then finds the schema at
    head. Which one is first is not determined and not asserted; that exactly one upgraded is."""
    env = env_for(tmp_path / "data", pg_url)
    engine = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    procs: list[subprocess.Popen[str]] = []
    try:
        with engine.connect() as holder:
            holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATE_LOCK_KEY})
            procs = [subprocess.Popen([str(DAYREEL), "migrate"], env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True) for _ in range(2)]
            deadline = time.monotonic() + 60
            while _waiting_for_advisory_lock(holder) < 2:  # both are queued behind the test's lock
                assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
                assert time.monotonic() < deadline, "the two migrates never waited for the lock"
                time.sleep(0.05)
            holder.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATE_LOCK_KEY})
            results = [p.communicate(timeout=90) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        engine.dispose()
    assert [p.returncode for p in procs] == [0, 0], results
    lines = sorted(one_line(out) for out, _err in results)
    assert lines == [f"database already at {HEAD}", f"database upgraded from empty to {HEAD}"]
    assert current_revision(pg_url) == HEAD


def _waiting_for_advisory_lock(conn: object) -> int:
    return int(conn.execute(text(  # type: ignore[attr-defined]
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )).scalar_one())
