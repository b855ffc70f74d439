"""What a user may choose about a film, normalised with readable errors (the first stage of planning)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

Chapters = Literal["parts", "hours", "themes", "none"]  # themes: the caller passes them to build_film_plan
Ordering = Literal["time-of-day", "chronological"]
Quality = Literal["preview", "final"]

# The sizes offered to users; from_dict also takes any even size from 64 to 3840 px a side (tests use tiny ones).
SIZE_PRESETS: dict[str, tuple[int, int]] = {
    "720p": (1280, 720),
    "1080p": (1920, 1080),
    "4k": (3840, 2160),
    "vertical": (1080, 1920),
}
LANGUAGES = ("en", "nl")
MIN_SIDE_PX = 64
MAX_SIDE_PX = 3840


class PlanError(ValueError):
    """Film options or moments that cannot make a film, with a sentence a user understands."""


@dataclass(frozen=True)
class FilmOptions:
    """How to make a film. Durations in seconds; sizes in pixels."""

    width: int = 1280
    height: int = 720
    fps: int = 30
    target_length_s: float | None = None
    photo_s: float = 4.0
    max_clip_s: float = 8.0
    transition_s: float = 0.5
    chapters: Chapters = "parts"
    ordering: Ordering = "time-of-day"
    music_key: str | None = None
    language: str | None = None  # None: the project's language
    quality: Quality = "final"
    seed: int = 0
    lanes: bool = False  # split screen: per hour, a customer's moment beside an employee's

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FilmOptions:
        """Options from plain data (a form, JSON, CLI flags); unknown keys and bad values raise PlanError.

        `size` may be given as "1920x1080" or a preset name (720p, 1080p, 4k, vertical) instead of
        width and height.
        """
        data = dict(data)
        known = {f.name for f in fields(cls)} | {"size"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise PlanError(f"Unknown film option(s): {', '.join(unknown)}.")
        size = data.pop("size", None)
        if size is not None:
            data["width"], data["height"] = _parse_size(size)
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in data and data[f.name] is not None:
                values[f.name] = data[f.name]
            elif f.name in data and f.name in ("target_length_s", "music_key", "language"):
                values[f.name] = None
        options = cls(**values)
        options.validate()
        return options

    def validate(self) -> None:
        """Raise PlanError with a readable sentence when a value is out of range."""
        for name in ("width", "height"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise PlanError(f"The film {name} must be a whole number of pixels.")
            if not MIN_SIDE_PX <= value <= MAX_SIDE_PX or value % 2:
                raise PlanError(
                    f"The film {name} must be an even number from {MIN_SIDE_PX} to {MAX_SIDE_PX} pixels "
                    f"(sizes offered: 1280x720, 1920x1080, 3840x2160, 1080x1920); got {value}."
                )
        if not isinstance(self.fps, int) or isinstance(self.fps, bool) or not 1 <= self.fps <= 60:
            raise PlanError(
                f"Frames per second must be a whole number from 1 to 60 (25 or 30 usually); got {self.fps}."
            )
        _positive("seconds per photo", self.photo_s, minimum=0.5, maximum=60)
        _positive("longest clip", self.max_clip_s, minimum=0.5, maximum=600)
        _positive("transition length", self.transition_s, minimum=0, maximum=5)
        if self.target_length_s is not None:
            _positive("target length", self.target_length_s, minimum=5, maximum=6 * 3600)
        _choice("chapter style", self.chapters, ("parts", "hours", "themes", "none"))
        _choice("ordering", self.ordering, ("time-of-day", "chronological"))
        _choice("quality", self.quality, ("preview", "final"))
        if self.language is not None:
            _choice("language", self.language, LANGUAGES)
        if self.music_key is not None and (not isinstance(self.music_key, str) or not self.music_key.strip()):
            raise PlanError("The music file must be given by its storage key.")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            raise PlanError("The seed must be a whole number.")
        if not isinstance(self.lanes, bool):
            raise PlanError(f"Lanes (customer and employee side by side) must be true or false; got {self.lanes!r}.")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _parse_size(size: Any) -> tuple[int, int]:
    if isinstance(size, str):
        preset = SIZE_PRESETS.get(size.strip().lower())
        if preset:
            return preset
        match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", size)
        if match:
            return int(match.group(1)), int(match.group(2))
    if isinstance(size, (list, tuple)) and len(size) == 2 and all(isinstance(v, int) for v in size):
        return int(size[0]), int(size[1])
    raise PlanError(f"The film size must look like 1920x1080; got {size!r}.")


def _positive(what: str, value: Any, *, minimum: float, maximum: float) -> None:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not minimum <= value <= maximum:
        raise PlanError(f"The {what} must be a number of seconds from {minimum:g} to {maximum:g}; got {value!r}.")


def _choice(what: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise PlanError(f"The {what} must be one of {', '.join(allowed)}; got {value!r}.")
