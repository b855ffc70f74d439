"""Leases: who holds a render or the scheduler, until when, and whether a holder is known to be gone.

An owner id is "host:pid-namespace:pid:random". The random part is new for every claim, so two attempts in
one process (or a restarted container that got the same pid back) never look alike. A lease is stale when
its expiry has passed, or, sooner, when its owner ran on this machine in a process that no longer exists
(the one-machine case: a `dayreel serve` restarted after a crash takes its renders back at once).
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import rowcount
from app.models import Lease, utcnow

_live: set[str] = set()  # owner ids this process holds now
_live_lock = threading.Lock()


def _pid_namespace() -> str:
    # two containers may share a host name; their pid namespaces differ, so their pids are not comparable
    try:
        return str(Path("/proc/self/ns/pid").stat().st_ino)
    except OSError:
        return "-"


def machine() -> str:
    return f"{socket.gethostname()}:{_pid_namespace()}"


def new_owner() -> str:
    """A fresh owner id for one claim; remembered as live until `release_owner`."""
    owner = f"{machine()}:{os.getpid()}:{secrets.token_hex(6)}"
    with _live_lock:
        _live.add(owner)
    return owner


def release_owner(owner: str) -> None:
    with _live_lock:
        _live.discard(owner)


def owner_gone(owner: str | None) -> bool:
    """True when `owner` ran on this machine and its process (or its claim in this process) has ended."""
    if not owner:
        return True
    where = owner.rpartition(":")[0]  # strip the random part
    where, _, pid_text = where.rpartition(":")
    if where != machine() or not pid_text.isdigit():
        return False  # another machine: only its expiry tells
    pid = int(pid_text)
    if pid == os.getpid():
        with _live_lock:
            return owner not in _live
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, someone else's
    return False


def same_as(column: Any, value: Any) -> Any:
    """`column` still holds `value` (NULL-safe): the condition of a take-over that nobody else made first."""
    return column.is_(None) if value is None else column == value


def expiry(now: datetime | None, seconds: float) -> datetime:
    return (now or utcnow()) + timedelta(seconds=seconds)


def hold(session: Session, name: str, owner: str, *, ttl_s: float, now: datetime | None = None) -> bool:
    """Take or renew the named lease for `owner`; False while someone else holds it. Commits."""
    now = now or utcnow()
    renewed = rowcount(session.execute(
        update(Lease)
        .where(Lease.name == name, (Lease.owner == owner) | (Lease.expires_at < now))
        .values(owner=owner, expires_at=expiry(now, ttl_s))
    ))
    session.commit()
    if renewed:
        return True
    try:  # the first holder ever creates the row; a concurrent first holder makes this one fail
        session.execute(insert(Lease).values(name=name, owner=owner, expires_at=expiry(now, ttl_s)))
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True
