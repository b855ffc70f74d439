"""Plain data shared by every step of the pipeline.

Everything here is a frozen dataclass of JSON-friendly values, so the app can store it and a test can
compare it with a literal. Nothing here opens a file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

Kind = Literal["photo", "clip"]
TimeSource = Literal["exif", "xmp", "quicktime", "container-utc", "filename", "client", "upload", "corrected"]
Role = Literal["customer", "employee", ""]

# resolve(key) -> a local path to read the bytes of a stored file (app: storage; tests: a lambda)
Resolver = Callable[[str], Path]
# progress(fraction 0..1, seconds left or None)
ProgressFn = Callable[[float, float | None], None]
# cancelled() -> True when the caller wants the work to stop
CancelFn = Callable[[], bool]


class MediaError(ValueError):
    """A file that cannot be used, with a sentence a contributor understands."""

    def __init__(self, message: str, *, code: str = "unreadable") -> None:
        super().__init__(message)
        self.message = message
        # unsupported -> HTTP 415; unreadable / too_large / too_long / empty -> HTTP 422
        self.code = code


class RenderCancelled(RuntimeError):
    """The caller asked a render to stop."""


# faces to hide: (from s, to s, x, y, w, h) with the box as fractions of the upright picture; a photo's
# times are 0, 0 (see media_pipeline/faces/blur.py)
FaceSpans = tuple[tuple[float, float, float, float, float, float], ...]

@dataclass(frozen=True)
class CaptureTime:
    """When a moment happened: local wall-clock time where it happened, plus what we know of the zone."""

    local: datetime  # naive, local wall-clock time
    utc_offset_min: int | None  # minutes east of UTC, None when unknown
    source: TimeSource

    def offset_text(self) -> str | None:
        if self.utc_offset_min is None:
            return None
        sign = "+" if self.utc_offset_min >= 0 else "-"
        minutes = abs(self.utc_offset_min)
        return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"

    def to_dict(self) -> dict[str, Any]:
        return {
            # isoformat, not strftime: "%Y" of year 1 is "1" on glibc, which fromisoformat cannot read back
            "captured_local": self.local.isoformat(timespec="seconds"),
            "utc_offset": self.offset_text(),
            "time_source": self.source,
        }


@dataclass(frozen=True)
class MediaInfo:
    """What a file is, read once at ingest by `probe`. Sizes are as displayed (orientation applied)."""

    kind: Kind
    format: str  # jpeg png webp heic gif | mp4 mov webm 3gp
    mime: str
    width: int
    height: int
    duration_s: float | None = None
    has_audio: bool = False
    fps: float | None = None
    rotation: int = 0  # clips: degrees clockwise to turn the coded picture for display
    orientation: int = 1  # photos: EXIF orientation 1-8
    video_codec: str | None = None
    audio_codec: str | None = None
    captured: CaptureTime | None = None  # from the file's own metadata only
    gps: tuple[float, float] | None = None  # (lat, lon); the app decides whether to keep it

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["captured"] = self.captured.to_dict() if self.captured else None
        return data


@dataclass(frozen=True)
class Moment:
    """One photo or clip as the planners see it: metadata only, the file is behind `key`."""

    id: str
    key: str  # storage key of the original; resolve(key) gives a path
    kind: Kind
    width: int  # displayed size
    height: int
    local_time: datetime  # naive local wall-clock time
    utc_offset_min: int | None = None
    sha256: str = ""
    duration_s: float | None = None
    has_audio: bool = False
    rotation: int = 0
    caption: str = ""
    alias: str = ""
    role: Role = ""
    place: str = ""
    mood: int | None = None
    trim_in_s: float | None = None
    trim_out_s: float | None = None
    preview_key: str | None = None  # a smaller derived image (photo preview or clip poster), when made
    contributor: str = ""  # a stable id of who contributed, for fairness; alias when empty
    faces: FaceSpans = ()  # faces to hide (media_pipeline.faces.blur): empty when nothing is blurred


@dataclass(frozen=True)
class ProjectInfo:
    """What cards and title bands say about the project."""

    title: str
    date: str  # YYYY-MM-DD
    language: str = "en"  # en | nl
    timezone: str = "UTC"
    brand_color: str = "#E4572E"
    logo_key: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
