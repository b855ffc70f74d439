"""Pydantic shapes of what goes in and out of the REST API."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.models import Moment, Project, Render


def _as_utc(value: datetime) -> datetime:
    # the database keeps UTC without a zone; an API date-time says so (RFC 3339 needs the offset)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


UtcDateTime = Annotated[datetime, AfterValidator(_as_utc)]


class ProjectCreate(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False)

    title: str = Field(min_length=1, max_length=200)
    date: date
    timezone: str = "Europe/Amsterdam"
    language: Literal["en", "nl"] = "en"
    consent_text: str | None = None
    welcome_text: str = ""


class ProjectPublic(BaseModel):
    id: int
    title: str
    date: date
    timezone: str
    language: str
    invite_token: str
    invite_url: str
    contributions_open: bool
    moment_count: int

    @classmethod
    def of(cls, project: Project, base_url: str, *, moment_count: int) -> ProjectPublic:
        """`moment_count` comes from one COUNT query for all projects listed (projects.moment_counts)."""
        from app.services.projects import invite_url

        return cls(
            id=project.id,
            title=project.title,
            date=project.day,
            timezone=project.timezone,
            language=project.language,
            invite_token=project.invite_token,
            invite_url=invite_url(base_url, project),
            contributions_open=project.contributions_open,
            moment_count=moment_count,
        )


class MomentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    project_id: int
    kind: str
    format: str
    width: int
    height: int
    duration_s: float | None
    has_audio: bool
    captured_local: str
    utc_offset: str | None
    time_source: str
    time_confirmed: bool
    caption: str
    mood: int | None
    alias: str
    role: str
    status: str
    trim_in_s: float | None
    trim_out_s: float | None
    sha256: str
    size_bytes: int
    thumb_url: str | None
    preview_url: str | None
    original_url: str
    created_at: UtcDateTime

    @classmethod
    def of(cls, m: Moment) -> MomentPublic:
        offset = None
        if m.utc_offset_min is not None:
            sign = "+" if m.utc_offset_min >= 0 else "-"
            offset = f"{sign}{abs(m.utc_offset_min) // 60:02d}:{abs(m.utc_offset_min) % 60:02d}"
        return cls(
            id=m.id,
            project_id=m.project_id,
            kind=m.kind,
            format=m.format,
            width=m.width,
            height=m.height,
            duration_s=m.duration_s,
            has_audio=m.has_audio,
            captured_local=m.captured_local.strftime("%Y-%m-%dT%H:%M:%S"),
            utc_offset=offset,
            time_source=m.time_source,
            time_confirmed=m.time_confirmed,
            caption=m.caption,
            mood=m.mood,
            alias=m.alias,
            role=m.role,
            status=m.status,
            trim_in_s=m.trim_in_s,
            trim_out_s=m.trim_out_s,
            sha256=m.sha256,
            size_bytes=m.size_bytes,
            thumb_url=media_url(m, "thumb") if m.thumb_key else None,
            preview_url=media_url(m, "preview") if m.preview_key else None,
            original_url=media_url(m, "original"),
            created_at=m.created_at,
        )


def media_url(m: Moment, variant: str) -> str:
    """Named by content hash, so the files can be cached for a year."""
    return f"/media/moments/{m.id}/{m.sha256[:16]}/{variant}"


class MomentUpdate(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False)  # NaN passes no range check; Infinity is no trim point

    caption: str | None = Field(None, max_length=500)
    captured_local: datetime | None = Field(
        None, description="Corrected local time (ISO 8601; with an offset it also sets the UTC offset)."
    )
    mood: int | None = Field(None, ge=1, le=5)
    status: Literal["pending", "approved", "hidden"] | None = None
    trim_in_s: float | None = Field(None, ge=0)
    trim_out_s: float | None = Field(None, gt=0)
    alias: str | None = Field(None, max_length=100)
    role: Literal["", "customer", "employee"] | None = None


class OwnMomentUpdate(BaseModel):
    # a contributor's change to their own moment (app/routes/contribute_api.py); no docstring, which would
    # become the schema's description in the OpenAPI document
    model_config = ConfigDict(allow_inf_nan=False)

    caption: str | None = Field(None, max_length=500)
    captured_local: datetime | None = Field(
        None, description="Corrected time, ISO 8601; with an offset (e.g. +02:00) it also sets the UTC offset."
    )
    mood: int | None = Field(None, ge=1, le=5)
    alias: str | None = Field(None, max_length=100)
    role: str | None = None
    confirm_time: bool = Field(False, description="The contributor says the time shown is right.")


class RenderPublic(BaseModel):
    id: int
    project_id: int
    kind: str
    status: str
    progress: float
    eta_s: float | None
    error: str | None
    options: dict[str, Any]
    file_url: str | None
    poster_url: str | None
    captions_url: str | None
    log: str
    created_at: UtcDateTime
    started_at: UtcDateTime | None
    finished_at: UtcDateTime | None

    @classmethod
    def of(cls, r: Render) -> RenderPublic:
        return cls(
            id=r.id,
            project_id=r.project_id,
            kind=r.kind,
            status=r.status,
            progress=r.progress,
            eta_s=r.eta_s,
            error=r.error,
            options=r.options,
            file_url=f"/api/renders/{r.id}/file" if r.output_key else None,
            poster_url=f"/api/renders/{r.id}/poster" if r.poster_key else None,
            captions_url=f"/api/renders/{r.id}/captions" if r.captions_key else None,
            log=r.log,
            created_at=r.created_at,
            started_at=r.started_at,
            finished_at=r.finished_at,
        )
