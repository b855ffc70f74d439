"""What a collage is asked to be: layout, size or paper, format, labels, seed.

`CollageOptions.from_dict` is the one place raw input (CLI flags, API JSON) becomes options; it
raises `PlanError` with a sentence a facilitator understands.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

# One error class for every planner, so callers catch one name (media_pipeline.plan.PlanError).
from media_pipeline.film.options import PlanError

__all__ = ["CollageOptions", "PlanError"]

Layout = Literal["mosaic", "clock", "timeline", "grid", "lanes"]
Paper = Literal["A3", "A2"]
OutputFormat = Literal["png", "jpg", "pdf"]

LAYOUTS: tuple[Layout, ...] = ("mosaic", "clock", "timeline", "grid", "lanes")
FORMATS: tuple[OutputFormat, ...] = ("png", "jpg", "pdf")
PRINT_DPI = 300
# portrait pixels at 300 dpi (297x420 mm and 420x594 mm)
PAPER_PX: dict[Paper, tuple[int, int]] = {"A3": (3508, 4961), "A2": (4961, 7016)}
MIN_SIDE_PX = 64
MAX_SIDE_PX = 8192  # an A2 page is 7016 px; more than this is a typo, not a poster
MAX_TILES_LIMIT = 1000  # the most tiles anyone may ask for: beyond this no tile is a picture any more


class Canvas:
    """Pixels or paper: what collages and the themes map share (their dataclasses hold the fields)."""

    width: int
    height: int
    paper: Paper | None
    landscape: bool

    @property
    def size_px(self) -> tuple[int, int]:
        """(width, height) of the canvas in pixels; paper sizes are at 300 dpi."""
        if self.paper is None:
            return self.width, self.height
        w, h = PAPER_PX[self.paper]
        return (h, w) if self.landscape else (w, h)

    @property
    def dpi(self) -> int:
        """Resolution written into the file: 300 for paper, 72 otherwise (screens ignore it)."""
        return PRINT_DPI if self.paper is not None else 72


@dataclass(frozen=True)
class CollageOptions(Canvas):
    """How a collage should look. Sizes in pixels; `paper` (with `landscape`) overrides them for print."""

    layout: Layout = "mosaic"
    width: int = 3840
    height: int = 2160
    paper: Paper | None = None
    landscape: bool = False
    format: OutputFormat = "png"
    labels: bool = True  # local time + short caption on each tile
    title: bool = True  # the band with project title, date and contributor count
    seed: int = 0  # kept in the plan; ties in the fair choice of moments (when there are too many) use it
    max_tiles: int | None = None  # the most moments shown; None: as many as stay legible (layout and size)

    def __post_init__(self) -> None:
        if self.max_tiles is not None and (
            not isinstance(self.max_tiles, int) or not 1 <= self.max_tiles <= MAX_TILES_LIMIT
        ):
            raise PlanError(f"The most tiles must be a whole number from 1 to {MAX_TILES_LIMIT}, or empty for "
                            "as many as stay legible.")
        if self.layout not in LAYOUTS:
            raise PlanError(f"Unknown collage layout {self.layout!r}; choose one of {', '.join(LAYOUTS)}.")
        if self.format not in FORMATS:
            raise PlanError(f"Unknown collage format {self.format!r}; choose png, jpg or pdf.")
        if self.paper is not None and self.paper not in PAPER_PX:
            raise PlanError(f"Unknown paper size {self.paper!r}; choose A3 or A2.")
        for name, value in (("width", self.width), ("height", self.height)):
            if not isinstance(value, int) or not MIN_SIDE_PX <= value <= MAX_SIDE_PX:
                raise PlanError(
                    f"The collage {name} must be a whole number of pixels from {MIN_SIDE_PX} to {MAX_SIDE_PX}."
                )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CollageOptions:
        """Options from plain data; `size` may be "3840x2160", "1920x1080", "A3" or "A2".

        A paper size without an explicit format means a PDF. Unknown keys are refused, so a typo
        does not silently give the default.
        """
        data = dict(data)
        if str(data.get("max_tiles", "x")).strip() == "":  # an empty form field: the legible default
            del data["max_tiles"]
        values = option_values(data, {f.name for f in fields(cls)}, "collage",
                               ints=("width", "height", "seed", "max_tiles"), bools=("labels", "title", "landscape"))
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def option_values(data: Mapping[str, Any], known: set[str], what: str, *, ints: tuple[str, ...],
                  bools: tuple[str, ...]) -> dict[str, Any]:
    """Raw options (a form, JSON, CLI flags) as keyword values: unknown keys refused, `size` ("3840x2160",
    "A3") split into width/height or paper (a paper size means a PDF unless a format is given), format
    lower-cased (jpeg -> jpg), whole numbers and true/false read. Shared by collages and the themes map."""
    unknown = sorted(set(data) - known - {"size"})
    if unknown:
        raise PlanError(f"Unknown {what} option(s): {', '.join(unknown)}.")
    values: dict[str, Any] = {k: v for k, v in data.items() if k != "size" and v is not None}
    size = data.get("size")
    if size is not None:
        values.update(_parse_size(str(size)))
    if values.get("paper") is not None:
        paper = str(values["paper"]).upper()
        if paper not in PAPER_PX:
            raise PlanError(f"Unknown paper size {values['paper']!r}; choose A3 or A2.")
        values["paper"] = paper
        values.setdefault("format", "pdf")
    if "format" in values:
        fmt = str(values["format"]).lower()
        values["format"] = "jpg" if fmt == "jpeg" else fmt
    for name in ints:
        if name in values:
            values[name] = _as_int(name, values[name])
    for name in bools:
        if name in values:
            values[name] = _as_bool(name, values[name])
    return values


def _parse_size(size: str) -> dict[str, Any]:
    text = size.strip()
    if text.upper() in PAPER_PX:
        return {"paper": text.upper()}
    match = re.fullmatch(r"(\d+)\s*[xX×]\s*(\d+)", text)
    if match:
        try:
            return {"width": int(match.group(1)), "height": int(match.group(2)), "paper": None}
        except ValueError:  # int() reads at most 4300 digits; so many are no size either
            pass
    raise PlanError(f"Size {size!r} is not understood; use e.g. 3840x2160, 1920x1080, A3 or A2.")


def _as_int(name: str, value: Any) -> int:
    try:
        if isinstance(value, bool):
            raise ValueError
        return int(value)
    except (TypeError, ValueError, OverflowError):  # int(float("inf")) overflows
        raise PlanError(f"The collage option {name} must be a whole number, not {value!r}.") from None


def _as_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise PlanError(f"The collage option {name} must be true or false, not {value!r}.")
