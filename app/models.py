"""Tables. Business rules live in app/services; these are the shapes of what we keep."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class User(Base):
    """A staff member. Contributors have no account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")


class StaffSession(Base):
    """A signed-in browser: the session cookie names this row, so sign-out can end it on the server."""

    __tablename__ = "staff_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the id in the cookie
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class ApiToken(Base):
    """A bearer token for the REST API; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    user: Mapped[User] = relationship(back_populates="tokens")


class Project(Base):
    """One day to be filmed: the invite, its texts and its settings."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    day: Mapped[date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Amsterdam")
    language: Mapped[str] = mapped_column(String(8), default="en")
    welcome_text: Mapped[str] = mapped_column(Text, default="")
    consent_text: Mapped[str] = mapped_column(Text, default="")
    consent_version: Mapped[int] = mapped_column(Integer, default=1)
    invite_token: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    present_token: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    contributions_open: Mapped[bool] = mapped_column(Boolean, default=True)
    auto_approve: Mapped[bool] = mapped_column(Boolean, default=False)
    keep_gps: Mapped[bool] = mapped_column(Boolean, default=False)
    max_clip_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    brand_color: Mapped[str] = mapped_column(String(16), default="#E4572E")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # prompts, consent scopes, logo key
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    moments: Mapped[list[Moment]] = relationship(back_populates="project", cascade="all, delete-orphan")
    renders: Mapped[list[Render]] = relationship(back_populates="project", cascade="all, delete-orphan")
    members: Mapped[list[ProjectMember]] = relationship(cascade="all, delete-orphan")


class ProjectMember(Base):
    """Which staff may see a project (admins see all)."""

    __tablename__ = "project_members"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class Contributor(Base):
    """Someone who uploaded through an invite; the private 'my moments' link holds their token."""

    __tablename__ = "contributors"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    alias: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Moment(Base):
    """One uploaded photo or clip with when it happened and what the contributor said of it."""

    __tablename__ = "moments"
    # the same bytes are one moment per contributor: another contributor's copy is a moment of its own
    __table_args__ = (
        UniqueConstraint("project_id", "contributor_id", "sha256", name="uq_moment_project_contributor_sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    contributor_id: Mapped[int | None] = mapped_column(
        ForeignKey("contributors.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # the stored original
    storage_key: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str] = mapped_column(String(255), default="")  # shown, never used as a path
    kind: Mapped[str] = mapped_column(String(8))  # photo | clip
    format: Mapped[str] = mapped_column(String(16))
    mime: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)  # as displayed
    height: Mapped[int] = mapped_column(Integer)
    duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    has_audio: Mapped[bool] = mapped_column(Boolean, default=False)
    rotation: Mapped[int] = mapped_column(Integer, default=0)
    media_info: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    gps_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    gps_lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    # when it happened: local wall-clock time + offset + where that came from
    captured_local: Mapped[datetime] = mapped_column(DateTime, index=True)
    utc_offset_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    time_source: Mapped[str] = mapped_column(String(16))
    time_confirmed: Mapped[bool] = mapped_column(Boolean, default=True)
    # what the contributor said
    caption: Mapped[str] = mapped_column(Text, default="")
    mood: Mapped[int | None] = mapped_column(Integer, nullable=True)
    alias: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(16), default="")  # customer | employee | ""
    place: Mapped[str] = mapped_column(String(100), default="")
    consent_at: Mapped[datetime] = mapped_column(DateTime)
    consent_version: Mapped[int] = mapped_column(Integer, default=1)
    consent_scope: Mapped[str] = mapped_column(String(16), default="workshop")
    # curation
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # pending|approved|hidden
    trim_in_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    trim_out_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    # derived files, made by a job
    derive_status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|done|failed
    thumb_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    preview_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    project: Mapped[Project] = relationship(back_populates="moments")


class Render(Base):
    """A film or collage: its options and plan (plain data), progress, and the files it made."""

    __tablename__ = "renders"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # film | collage
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    plan: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    moments_digest: Mapped[str] = mapped_column(String(64), default="")  # what it was made from
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued|running|done|failed|cancelled
    progress: Mapped[float] = mapped_column(Float, default=0.0)  # 0-100
    eta_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    output_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    poster_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    captions_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    log: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # who renders it now (host, process, random) and until when, renewed while it runs; the attempt counts claims
    lease_owner: Mapped[str | None] = mapped_column(String(160), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    attempt: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    project: Mapped[Project] = relationship(back_populates="renders")
    segments: Mapped[list[RenderSegment]] = relationship(back_populates="render", cascade="all, delete-orphan",
                                                         passive_deletes=True)


class RenderSegment(Base):
    """One segment of a film spread over the workers (DAYREEL_FILM_FANOUT): who renders it, until when, and
    what it left in the segment cache. One row per segment of each attempt of a render."""

    __tablename__ = "render_segments"

    render_id: Mapped[int] = mapped_column(ForeignKey("renders.id", ondelete="CASCADE"), primary_key=True)
    attempt: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)  # index in the plan's segments
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|running|done|failed
    # a claim like a render's: owner (host, process, random) and expiry, renewed while the segment renders;
    # the owner stays once it is done (who made it)
    lease_owner: Mapped[str | None] = mapped_column(String(160), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    worker: Mapped[str | None] = mapped_column(String(160), nullable=True)  # the process that finished it
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # media_pipeline SegmentOutcome
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    render: Mapped[Render] = relationship(back_populates="segments")


class WorkshopNote(Base):
    """What the room answered to a reflection prompt, typed by the facilitator during a workshop."""

    __tablename__ = "workshop_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    prompt: Mapped[str] = mapped_column(Text, default="")  # the question on screen when the note was typed
    body: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Lease(Base):
    """A named lease one process at a time holds, e.g. 'scheduler': only its holder enqueues periodic jobs."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(160))
    expires_at: Mapped[datetime] = mapped_column(DateTime)
