"""What every request, job and command works with: settings, database sessions and storage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.migrate import upgrade
from app.storage import Storage, open_storage


def _unconfigured(*_ids: int) -> None:
    raise RuntimeError("the job queue is not configured: call app.jobs.configure(ctx) first")


@dataclass
class Jobs:
    """How services hand work to the queue: functions taking row ids. app.jobs.configure fills them in
    (in place: every session of the context carries this same object), so services never import the queue."""

    derive: Callable[[int], None] = _unconfigured
    render: Callable[[int], None] = _unconfigured
    segment: Callable[[int, int, int], None] = _unconfigured  # (render id, attempt, segment position)


def jobs_of(session: Session) -> Jobs:
    """The queue of the context that made `session`."""
    jobs = session.info.get("jobs")
    if not isinstance(jobs, Jobs):
        raise RuntimeError("this session was not made by a Context's sessions")
    return jobs


@dataclass
class Context:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    storage: Storage
    jobs: Jobs = field(default_factory=Jobs)


def build_context(settings: Settings, *, migrate: bool = True) -> Context:
    """Open the database (upgrading it to the newest schema unless `migrate` is False: the CLI upgrades
    only SQLite itself, see app/migrate.py) and the storage under the data dir."""
    settings.ensure_dirs()
    if migrate:
        upgrade(settings.db_url)
    engine = make_engine(settings.db_url)
    jobs = Jobs()
    return Context(
        settings=settings,
        engine=engine,
        sessions=make_sessionmaker(engine, info={"jobs": jobs}),
        storage=open_storage(settings),
        jobs=jobs,
    )
