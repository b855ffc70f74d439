"""Staff (and contributors, for their own) correct and curate moments; listing in day order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeGuard, get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Moment, Project
from app.services.errors import Invalid
from app.services.faces import pipeline_faces
from app.services.moment_time import check_capture_time
from media_pipeline.daytime import seconds_of_day
from media_pipeline.types import Moment as PipelineMoment
from media_pipeline.types import Role

STATUSES = ("pending", "approved", "hidden")


class DayOrdered(Protocol):
    """A Moment, or a row of its columns that has these two."""

    @property
    def id(self) -> int: ...
    @property
    def captured_local(self) -> datetime: ...


def _is_role(value: str) -> TypeGuard[Role]:
    return value in get_args(Role)


def day_order_key(m: DayOrdered) -> tuple[float, int]:
    return (seconds_of_day(m.captured_local), m.id)


def moments_in_day_order(*, session: Session, project: Project, statuses: tuple[str, ...] = STATUSES) -> list[Moment]:
    """The project's moments folded onto one 24-hour clock (Life in a Day order), sorted by the database."""
    where = [Moment.project_id == project.id]
    if set(statuses) != set(STATUSES):
        where.append(Moment.status.in_(statuses))
    return list(session.scalars(select(Moment).where(*where).order_by(Moment.day_us, Moment.id)))


@dataclass(frozen=True)
class MomentPatch:
    caption: str | None = None
    captured_local: datetime | None = None
    utc_offset_min: int | None = None
    mood: int | None = None
    status: str | None = None
    trim_in_s: float | None = None
    trim_out_s: float | None = None
    alias: str | None = None
    role: str | None = None
    clear_trim: bool = False


def update_moment(*, session: Session, moment: Moment, patch: MomentPatch) -> Moment:
    """Apply a correction; a changed time is marked 'corrected'. A time far from the project's day is a 422
    and nothing of the patch is applied."""
    if patch.captured_local is not None:
        check_capture_time(patch.captured_local, moment.project.day, utc_offset_min=patch.utc_offset_min)
    if patch.status is not None:
        if patch.status not in STATUSES:
            raise Invalid(f"status must be one of {', '.join(STATUSES)}")
        moment.status = patch.status
    if patch.caption is not None:
        if len(patch.caption) > 500:
            raise Invalid("the caption is too long (500 characters at most)")
        moment.caption = patch.caption.strip()
    if patch.mood is not None:
        if not 1 <= patch.mood <= 5:
            raise Invalid("mood must be a number from 1 to 5")
        moment.mood = patch.mood
    if patch.alias is not None:
        moment.alias = patch.alias.strip()[:100]
    if patch.role is not None:
        if not _is_role(patch.role):
            raise Invalid("role must be 'customer' or 'employee'")
        moment.role = patch.role
    if patch.captured_local is not None:
        moment.captured_local = patch.captured_local.replace(tzinfo=None)
        if patch.captured_local.tzinfo is not None:
            offset = patch.captured_local.utcoffset()
            moment.utc_offset_min = int(offset.total_seconds() // 60) if offset is not None else None
        elif patch.utc_offset_min is not None:
            moment.utc_offset_min = patch.utc_offset_min
        moment.time_source = "corrected"
        moment.time_confirmed = True
    if patch.clear_trim:
        moment.trim_in_s = moment.trim_out_s = None
    if patch.trim_in_s is not None or patch.trim_out_s is not None:
        _set_trim(moment, patch.trim_in_s, patch.trim_out_s)
    session.flush()
    return moment


def _set_trim(moment: Moment, trim_in: float | None, trim_out: float | None) -> None:
    if moment.kind != "clip":
        raise Invalid("only clips can be trimmed")
    duration = moment.duration_s or 0.0
    start = trim_in if trim_in is not None else (moment.trim_in_s or 0.0)
    end = trim_out if trim_out is not None else (moment.trim_out_s or duration)
    if not 0 <= start < end <= duration + 1e-3:
        raise Invalid(f"trim must satisfy 0 <= in < out <= {duration:.2f} seconds")
    moment.trim_in_s, moment.trim_out_s = start, end


def to_pipeline(m: Moment) -> PipelineMoment:
    """The plain-data view the planners use."""
    return PipelineMoment(
        id=str(m.id),
        key=m.storage_key,
        kind=m.kind,
        width=m.width,
        height=m.height,
        local_time=m.captured_local,
        utc_offset_min=m.utc_offset_min,
        sha256=m.sha256,
        duration_s=m.duration_s,
        has_audio=m.has_audio,
        rotation=m.rotation,
        caption=m.caption,
        alias=m.alias,
        role=m.role,
        place=m.place,
        mood=m.mood,
        trim_in_s=m.trim_in_s,
        trim_out_s=m.trim_out_s,
        preview_key=m.preview_key,
        contributor=str(m.contributor_id or m.alias or m.id),
        faces=pipeline_faces(m),
    )
