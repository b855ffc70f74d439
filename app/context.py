"""What every request, job and command works with: settings, database sessions and storage."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.migrate import upgrade
from app.storage import LocalStorage, Storage


@dataclass
class Context:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    storage: Storage


def build_context(settings: Settings, *, migrate: bool = True) -> Context:
    """Open the database (upgrading it to the newest schema unless `migrate` is False: the CLI upgrades
    only SQLite itself, see app/migrate.py) and the storage under the data dir."""
    settings.ensure_dirs()
    if migrate:
        upgrade(settings.db_url)
    engine = make_engine(settings.db_url)
    return Context(
        settings=settings,
        engine=engine,
        sessions=make_sessionmaker(engine),
        storage=LocalStorage(settings.data_dir),
    )
