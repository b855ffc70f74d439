"""Factories for rows the tests need; media comes from tests/mediagen.py."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import count
from pathlib import Path
from typing import TypeVar

from app.context import Context
from app.db import session_scope
from app.services import projects
from app.services.users import create_token, create_user

_n = count(1)


@dataclass(frozen=True)
class StaffUser:
    id: int
    email: str
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass(frozen=True)
class ProjectRef:
    id: int
    invite_token: str


def make_staff(ctx: Context, *, admin: bool = True, email: str | None = None) -> StaffUser:
    email = email or f"staff{next(_n)}@example.org"
    password = "correct horse battery"
    with session_scope(ctx.sessions) as session:
        user = create_user(session=session, email=email, password=password, is_admin=admin)
        user_id = user.id
        token = create_token(session=session, email=email)
    return StaffUser(id=user_id, email=email, password=password, token=token)


def make_project(ctx: Context, *, owner_email: str | None = None, tz: str = "Europe/Amsterdam",
                 auto_approve: bool = False) -> ProjectRef:
    with session_scope(ctx.sessions) as session:
        owner = None
        if owner_email:
            from sqlalchemy import select

            from app.models import User

            owner = session.scalar(select(User).where(User.email == owner_email))
        project = projects.create_project(session=session, title="Een dag in het ziekenhuis", day=date(2024, 7, 24),
                                          timezone=tz, owner=owner)
        project.auto_approve = auto_approve
        return ProjectRef(id=project.id, invite_token=project.invite_token)


@dataclass(frozen=True)
class MomentRef:
    id: int
    contributor_token: str | None


def make_moment(ctx: Context, project: ProjectRef, path: Path, *, contributor_token: str | None = None,
                status: str = "pending") -> MomentRef:
    """A moment of `project` made from the file at `path`, as if uploaded through the invite link."""
    from app.models import Moment, Project
    from app.services.ingest import UploadFields, ingest_upload

    with session_scope(ctx.sessions) as session:
        proj = session.get(Project, project.id)
        assert proj is not None
        with path.open("rb") as fh:  # a file object: a Path would be moved into storage
            result = ingest_upload(session=session, storage=ctx.storage, settings=ctx.settings, project=proj,
                                   source=fh, fields=UploadFields(consent=True, original_name=path.name),
                                   contributor_token=contributor_token)
        moment = session.get(Moment, result.moment.id)
        assert moment is not None
        moment.status = status
        return MomentRef(id=moment.id, contributor_token=result.contributor_token or contributor_token)


Row = TypeVar("Row")


def fresh(ctx: Context, model: type[Row], row_id: int) -> Row:
    """A row as the database holds it now, detached so a test can read it after its session closes."""
    with ctx.sessions() as s:
        row = s.get(model, row_id)
        assert row is not None, f"no {model.__name__} {row_id}"
        s.expunge(row)
        return row


WALL_SHAPES = ((4, 3), (3, 4), (16, 9), (9, 16), (1, 1))
WALL_CAPTIONS = ("Ontbijt", "Overdracht op de afdeling met het hele team van de nachtdienst en de dagdienst samen",
                 "", "Wachtkamer", "Koffie", "Zorgverzekeringsaansprakelijkheidsformulierenbehandeling vandaag")


def add_shown_moments(ctx: Context, project: ProjectRef, count: int, tmp: Path, *, first: int = 0) -> list[int]:
    """`count` approved moments inserted as rows (fast: no upload, no derive), spread over the project's day,
    in five shapes (portraits among them), each with a tiny thumbnail and preview shared by its shape."""
    from PIL import Image

    from app.models import Moment, Project
    from app.storage import derived_key

    keys = []
    for n, (w, h) in enumerate(WALL_SHAPES):
        src = tmp / f"wall-thumb-{n}.jpg"
        Image.new("RGB", (w * 12, h * 12), (60 + 40 * n, 90 + 25 * n, 200 - 30 * n)).save(src, quality=70)
        keys.append(ctx.storage.put_file(src, derived_key(f"{n:064x}", "thumb.jpg")))
    with session_scope(ctx.sessions) as session:
        proj = session.get(Project, project.id)
        assert proj is not None
        start = datetime.combine(proj.day, time(6, 0))
        rows = []
        for i in range(first, first + count):
            w, h = WALL_SHAPES[i % len(WALL_SHAPES)]
            digest = hashlib.sha256(f"{project.id}-{i}".encode()).hexdigest()
            key = keys[i % len(keys)]
            rows.append(Moment(
                project_id=project.id, storage_key=key, sha256=digest, size_bytes=1000, kind="photo", format="jpeg",
                mime="image/jpeg", width=w * 100, height=h * 100,
                captured_local=start + timedelta(seconds=i * 61 % (16 * 3600)),
                time_source="exif", caption=WALL_CAPTIONS[i % len(WALL_CAPTIONS)], consent_at=datetime(2024, 7, 24),
                status="approved", derive_status="done", thumb_key=key, preview_key=key))
        session.add_all(rows)
        session.flush()
        return [m.id for m in rows]


def add_rows(ctx: Context, project: ProjectRef, times: list[datetime], *, status: str = "pending",
             roles: tuple[str, ...] = ("customer", "employee"), contributors: int = 0) -> list[int]:
    """Moment rows without media (for counting and paging at size): one per time, roles taken in turn,
    `contributors` of them (each with their moments in turn) when given; returns the ids in insertion order."""
    from app.models import Contributor, Moment

    with session_scope(ctx.sessions) as session:
        people = [Contributor(project_id=project.id, token_hash=f"{project.id}-{next(_n)}", alias=f"c{i}")
                  for i in range(contributors)]
        session.add_all(people)
        session.flush()
        rows = []
        for i, when in enumerate(times):
            sha = f"{next(_n):064x}"
            rows.append(Moment(
                project_id=project.id, storage_key=f"originals/{sha[:2]}/{sha}.jpg", sha256=sha, size_bytes=1000,
                kind="photo", format="jpeg", mime="image/jpeg", width=96, height=64, captured_local=when,
                utc_offset_min=120, time_source="exif", caption=f"row {i}", role=roles[i % len(roles)],
                consent_at=when, status=status, contributor_id=people[i % len(people)].id if people else None,
                derive_status="done"))
        session.add_all(rows)
        session.flush()
        return [m.id for m in rows]


def day_times(n: int, *, day: date = date(2024, 7, 24), seed: int = 7) -> list[datetime]:
    """`n` local times spread over the project's day, in a shuffled order (seeded)."""
    import random

    rng = random.Random(seed)
    times = [datetime(day.year, day.month, day.day) + timedelta(seconds=rng.randrange(86400)) for _ in range(n)]
    return times
