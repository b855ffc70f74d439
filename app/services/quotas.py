"""Limits one sender cannot get around: moments and bytes per contributor and per invite (project).

Kept in Project.settings["quotas"] (no migration), editable on the staff settings page. Uploads under way
count with their declared length, so opening many uploads at once reserves room instead of escaping the
check; checks that add something happen under a per-project file lock, so parallel requests cannot all
slip in under the same limit. A sender without a contributor cookie is only bound by the project limits
(a new contributor is made for them at finish), which is why those limits exist too.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.models import Contributor, Moment, Project
from app.services import tus_store
from app.services.errors import Forbidden, Invalid, TooLargeError

GB = 1000**3
DEFAULTS = {"contributor_moments": 50, "contributor_gb": 5, "project_moments": 5000, "project_gb": 200}
MAX_VALUE = 1_000_000


class OverQuota(Forbidden):
    """A count limit was reached (403)."""


class OverQuotaBytes(TooLargeError):
    """A bytes limit was reached (413)."""


@dataclass(frozen=True)
class Quotas:
    contributor_moments: int
    contributor_gb: int
    project_moments: int
    project_gb: int


def quotas_of(project: Project) -> Quotas:
    saved = (project.settings or {}).get("quotas") or {}
    values = {}
    for key, default in DEFAULTS.items():
        try:
            value = int(saved.get(key, default))
        except (TypeError, ValueError):
            value = default
        values[key] = value if 1 <= value <= MAX_VALUE else default
    return Quotas(**values)


def set_quotas(*, session: Session, project: Project, quotas: Quotas) -> Project:
    for key, value in vars(quotas).items():
        if not 1 <= value <= MAX_VALUE:
            raise Invalid(f"{key.replace('_', ' ')} must be a whole number from 1 to {MAX_VALUE}")
    # a new dict, so SQLAlchemy sees the JSON column change
    project.settings = {**(project.settings or {}), "quotas": vars(quotas).copy()}
    session.flush()
    return project


def parse_form(**values: str) -> Quotas:
    """The staff form's four numbers; anything but a whole number is a readable 422."""
    parsed = {}
    for key, text in values.items():
        try:
            parsed[key] = int(text.strip())
        except ValueError:
            raise Invalid(f"{key.replace('_', ' ')} must be a whole number from 1 to {MAX_VALUE}") from None
    return Quotas(**parsed)


def message_values(project: Project) -> dict[str, int]:
    """The numbers the contributor page fills into its translated quota messages."""
    q = quotas_of(project)
    return {"c_moments": q.contributor_moments, "c_gb": q.contributor_gb,
            "p_moments": q.project_moments, "p_gb": q.project_gb}


@dataclass
class Usage:
    moments: int = 0
    bytes: int = 0


def usage(*, session: Session, settings: Settings, project: Project, contributor: str | None,
          skip_upload: str | None = None) -> tuple[Usage, Usage]:
    """(project, contributor) usage: stored moments plus uploads under way at their declared length."""
    total = Usage()
    mine = Usage()
    row = session.execute(
        select(func.count(Moment.id), func.coalesce(func.sum(Moment.size_bytes), 0)).where(
            Moment.project_id == project.id)
    ).one()
    total.moments, total.bytes = int(row[0]), int(row[1])
    if contributor:
        row = session.execute(
            select(func.count(Moment.id), func.coalesce(func.sum(Moment.size_bytes), 0))
            .join(Contributor, Contributor.id == Moment.contributor_id)
            .where(Moment.project_id == project.id, Contributor.token_hash == contributor)
        ).one()
        mine.moments, mine.bytes = int(row[0]), int(row[1])
    for upload in tus_store.pending(settings, project.id):
        if upload.id == skip_upload:
            continue
        total.moments += 1
        total.bytes += upload.length
        if contributor and upload.contributor == contributor:
            mine.moments += 1
            mine.bytes += upload.length
    return total, mine


def check(*, session: Session, settings: Settings, project: Project, contributor: str | None, add_bytes: int,
          skip_upload: str | None = None) -> None:
    """Refuse one more moment of `add_bytes` when it would pass a limit (403 for counts, 413 for bytes)."""
    q = quotas_of(project)
    total, mine = usage(session=session, settings=settings, project=project, contributor=contributor,
                        skip_upload=skip_upload)
    if contributor:
        if mine.moments + 1 > q.contributor_moments:
            raise OverQuota(f"you have reached the limit of {q.contributor_moments} moments per person "
                            "for this project")
        if mine.bytes + add_bytes > q.contributor_gb * GB:
            raise OverQuotaBytes(f"this file would take you past the limit of {q.contributor_gb} GB per person "
                                "for this project")
    if total.moments + 1 > q.project_moments:
        raise OverQuota(f"this project has reached its limit of {q.project_moments} moments")
    if total.bytes + add_bytes > q.project_gb * GB:
        raise OverQuotaBytes(f"this project has no room left for this file (its limit is {q.project_gb} GB)")


@contextmanager
def project_lock(settings: Settings, project_id: int) -> Iterator[None]:
    """Serialise quota check + reservation for one project, across threads and processes on this host."""
    folder = tus_store.tus_dir(settings) / ".quota"  # one small file per project, never deleted
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{int(project_id)}.lock", "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
