"""Run Alembic migrations from code.

On SQLite (one machine) `dayreel serve` and `dayreel worker` upgrade the database themselves. On any other
database the upgrade is a deploy step of its own, `dayreel migrate` (a one-shot service in compose.yaml),
and the long-running processes only check that the schema is the one their code needs: several web and
worker processes starting at once must not race to alter the schema, and an old process must not run on
a newer schema unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import create_engine, text

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

# pg_advisory_lock key held around an upgrade, so concurrent `dayreel migrate` runs take turns
# (a constant: any 64-bit number unlikely to be used by anything else in the same database)
MIGRATE_LOCK_KEY = 0x6461797265656C  # "dayreel"


class SchemaNotCurrent(Exception):
    """The database is not at the revision this code needs; `dayreel migrate` fixes it."""


@dataclass(frozen=True)
class Upgrade:
    before: str | None  # None: no dayreel schema yet
    after: str

    def summary(self) -> str:
        if self.before == self.after:
            return f"database already at {self.after}"
        return f"database upgraded from {self.before or 'empty'} to {self.after}"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # a ConfigParser value
    return cfg


def upgrades_itself(url: str) -> bool:
    """Whether serve/worker upgrade the schema at start-up: only on SQLite (one machine)."""
    return url.startswith("sqlite")


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None, "no migrations found"
    return head


def current_revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def upgrade(url: str) -> None:
    command.upgrade(alembic_config(url), "head")


def migrate(url: str) -> Upgrade:
    """Upgrade to head; on PostgreSQL under an advisory lock, so concurrent runs wait and then find it done."""
    if not url.startswith("postgresql"):
        before = current_revision(url)
        upgrade(url)
        return Upgrade(before, head_revision())
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as lock:
            lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATE_LOCK_KEY})
            try:
                before = current_revision(url)
                upgrade(url)
                return Upgrade(before, current_revision(url) or head_revision())
            finally:
                lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATE_LOCK_KEY})
    finally:
        engine.dispose()


def require_current(url: str) -> None:
    """Raise SchemaNotCurrent with one sentence unless the database is exactly at this code's head."""
    head, current = head_revision(), current_revision(url)
    if current == head:
        return
    if current is None:
        raise SchemaNotCurrent(f"the database has no dayreel schema yet: run `dayreel migrate` (code needs {head})")
    try:
        ScriptDirectory.from_config(alembic_config(url)).get_revision(current)
    except CommandError:
        raise SchemaNotCurrent(
            f"the database is at {current}, which this code does not know (newer code migrated it?); "
            f"this code needs {head}"
        ) from None
    raise SchemaNotCurrent(f"the database is at {current}, this code needs {head}: run `dayreel migrate`")
