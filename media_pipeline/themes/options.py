"""What a themes map is asked to be: size or paper, format, photos per branch, quotes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from media_pipeline.collage.options import (
    MAX_SIDE_PX,
    MIN_SIDE_PX,
    PAPER_PX,
    Canvas,
    Paper,
    PlanError,
    option_values,
)

MapFormat = Literal["png", "jpg", "svg", "pdf"]
MAP_FORMATS: tuple[MapFormat, ...] = ("png", "jpg", "svg", "pdf")


@dataclass(frozen=True)
class ThemeMapOptions(Canvas):
    """How the themes map should look. Sizes in pixels; `paper` (with `landscape`) overrides them for print."""

    width: int = 3840
    height: int = 2160
    paper: Paper | None = None
    landscape: bool = True  # a mind map reads best wide, on paper too
    format: MapFormat = "png"
    photos: int = 3  # per branch, 2-4 (fewer when a theme has fewer moments)
    quotes: bool = True
    language: str | None = None  # None: the project's
    light: bool | None = None  # None: light for print (pdf, svg, paper), dark for screens
    seed: int = 0

    def __post_init__(self) -> None:
        if self.format not in MAP_FORMATS:
            raise PlanError(f"Unknown map format {self.format!r}; choose png, jpg, svg or pdf.")
        if self.paper is not None and self.paper not in PAPER_PX:
            raise PlanError(f"Unknown paper size {self.paper!r}; choose A3 or A2.")
        if not 2 <= self.photos <= 4:
            raise PlanError("A branch shows 2 to 4 photos.")
        if self.language not in (None, "en", "nl"):
            raise PlanError("The map's language is en or nl.")
        for name, value in (("width", self.width), ("height", self.height)):
            if not isinstance(value, int) or not MIN_SIDE_PX <= value <= MAX_SIDE_PX:
                raise PlanError(f"The map {name} must be a whole number of pixels from {MIN_SIDE_PX} to {MAX_SIDE_PX}.")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ThemeMapOptions:
        """Options from plain data; `size` may be "3840x2160", "1920x1080", "A3" or "A2" (a paper size means PDF
        unless a format is given). Unknown keys are refused."""
        values = option_values(data, {f.name for f in fields(cls)}, "map", ints=("width", "height", "seed", "photos"),
                               bools=("landscape", "quotes", "light"))
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
