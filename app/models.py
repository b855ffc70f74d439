"""Tables. Business rules live in app/services; these are the shapes of what we keep."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base
from media_pipeline.types import Kind, Role


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
        # the live wall polls "what changed in this project since T": a range on this index, never a scan
        Index("ix_moments_project_updated", "project_id", "updated_at"),
        # pages, the API and the planners read a project's moments in time-of-day order, often by status,
        # a page at a time (keyset on (day_us, id)): these make that an index range scan, not a sort of all
        Index("ix_moments_project_day", "project_id", "day_us", "id"),
        Index("ix_moments_project_status_day", "project_id", "status", "day_us", "id"),
        # covers the counts per hour, lane and status (overview, lanes): read from the index alone
        Index("ix_moments_project_status_role_day", "project_id", "status", "role", "day_us"),
        # covers a render's digest of its moments (count, id sum, newest edit; app/services/rendering.py)
        Index("ix_moments_project_status_updated", "project_id", "status", "updated_at", "id"),
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
    kind: Mapped[Kind] = mapped_column(String(8))
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
    # the Life in a Day fold of captured_local (microseconds since local midnight), kept by the listener
    # below, so the database can order, page and count by time of day
    day_us: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0", nullable=False)
    utc_offset_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    time_source: Mapped[str] = mapped_column(String(16))
    time_confirmed: Mapped[bool] = mapped_column(Boolean, default=True)
    # what the contributor said
    caption: Mapped[str] = mapped_column(Text, default="")
    mood: Mapped[int | None] = mapped_column(Integer, nullable=True)
    alias: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[Role] = mapped_column(String(16), default="")
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
    # faces (app/services/faces.py): found by a job after derive; staff may override the project's policy
    faces_status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|done|failed
    blur_override: Mapped[str | None] = mapped_column(String(8), nullable=True)  # None | blur | keep
    blur_own_face: Mapped[bool] = mapped_column(Boolean, default=False)  # the contributor asked to be hidden too
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    project: Mapped[Project] = relationship(back_populates="moments")
    faces: Mapped[list[Face]] = relationship(back_populates="moment", cascade="all, delete-orphan",
                                             order_by="Face.id")


class Face(Base):
    """One face in a moment: a box in a photo, or a track of boxes through a clip (times from its start)."""

    __tablename__ = "faces"

    id: Mapped[int] = mapped_column(primary_key=True)
    moment_id: Mapped[int] = mapped_column(ForeignKey("moments.id", ondelete="CASCADE"), index=True)
    # [[from_s, to_s, x, y, w, h], ...]: fractions of the upright picture; a photo's one row has times 0, 0
    boxes: Mapped[list[list[float]]] = mapped_column(JSON, default=list)
    score: Mapped[float] = mapped_column(Float, default=1.0)
    source: Mapped[str] = mapped_column(String(16), default="detected")  # detected | staff
    consented: Mapped[bool] = mapped_column(Boolean, default=False)  # the contributor themself (or agreed)

    moment: Mapped[Moment] = relationship(back_populates="faces")


US_PER_HOUR = 3_600_000_000


def day_us_of(local: datetime) -> int:
    """Microseconds since midnight of a local wall-clock time: one 24-hour clock for every date and zone."""
    return ((local.hour * 60 + local.minute) * 60 + local.second) * 1_000_000 + local.microsecond


@event.listens_for(Moment.captured_local, "set", propagate=True)
def _keep_day_us(target: Moment, value: datetime | None, _old: Any, _initiator: Any) -> None:
    if value is not None:
        target.day_us = day_us_of(value)


class Render(Base):
    """A film or collage: its options and plan (plain data), progress, and the files it made."""

    __tablename__ = "renders"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # film | collage
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    plan: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # older renders: inline
    # the plan and a long log live in storage, gzipped: megabytes at 5,000 moments (app/services/render_store.py)
    plan_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    log_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
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


class Theme(Base):
    """A theme of the day: found in the captions or made by staff, then owned by staff (renamed, merged, ...)."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(200), default="")  # the stems it was found by ("" when made by hand)
    name: Mapped[str] = mapped_column(String(120))
    terms: Mapped[list[str]] = mapped_column(JSON, default=list)  # stems new moments are matched on
    position: Mapped[int] = mapped_column(Integer, default=0)  # staff's order; the map draws them so
    origin: Mapped[str] = mapped_column(String(16), default="extracted")  # extracted | tag | staff
    removed: Mapped[bool] = mapped_column(Boolean, default=False)  # kept so extraction never brings it back
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class ThemeMember(Base):
    """Where one moment stands: in a theme (found, suggested, or placed by staff), or decided to be in none."""

    __tablename__ = "theme_members"

    moment_id: Mapped[int] = mapped_column(ForeignKey("moments.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"), nullable=True,
                                                 index=True)
    state: Mapped[str] = mapped_column(String(16), default="extracted")  # extracted | suggested | staff
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class WorkshopAction(Base):
    """What the room decided to do: text, who owns it, by when. Typed in presentation mode or on the staff page."""

    __tablename__ = "workshop_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(120), default="")
    due: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
