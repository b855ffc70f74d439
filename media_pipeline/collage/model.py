"""The collage plan as plain data: everything `render_collage` needs, nothing it has to decide.

A plan is JSON-serialisable (`to_dict` / `from_dict` round-trip), so the render row can store it and
any collage can be re-rendered or debugged from data alone. Pixels are canvas pixels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from media_pipeline.collage.geometry import Crop, Rect
from media_pipeline.types import FaceSpans

Point = tuple[float, float]
RGB = tuple[int, int, int]


@dataclass(frozen=True)
class TileLabel:
    """Local time and a short caption, drawn on a darkened strip at the bottom of a tile."""

    rect: Rect  # the strip, inside the tile
    font_px: int
    lines: tuple[str, ...]  # first line holds the time (bold), the rest the caption


@dataclass(frozen=True)
class CollageTile:
    moment_id: str
    key: str  # the original, for resolve()
    preview_key: str | None  # a ~1920 px derived JPEG, used when large enough
    kind: str  # photo | clip
    source_size: tuple[int, int]  # displayed size of the original, px
    rect: Rect
    crop: Crop  # the part of the source shown in `rect`
    seconds_of_day: float
    time_text: str  # "07:32"
    caption: str
    label: TileLabel | None = None
    leader: tuple[Point, Point] | None = None  # clock / timeline: from the exact time on the dial/axis
    frame_at_s: float | None = None  # clips without a preview: the source second shown
    stacked: tuple[str, ...] = ()  # clock: moments under this tile (a crowded time), counted on it as "+N"
    faces: FaceSpans = ()  # faces to hide (media_pipeline.faces.blur)


@dataclass(frozen=True)
class TitleBand:
    """Project title, date and contributor count: a band on top, or a disc in the clock's centre."""

    rect: Rect
    shape: str  # band | disc
    title: str
    subtitle: str
    title_px: int
    subtitle_px: int
    logo_rect: Rect | None = None


@dataclass(frozen=True)
class Palette:
    background: RGB
    ink: RGB  # text and lines on the background
    muted: RGB  # secondary lines and text
    accent: RGB  # the project's brand colour
    accent_ink: RGB  # text on the accent
    placeholder: RGB


@dataclass(frozen=True)
class DialPart:
    start_deg: float  # clockwise from the top of the dial
    end_deg: float
    part: str  # night | dawn | morning | midday | afternoon | evening
    label: str  # in the project's language


@dataclass(frozen=True)
class ClockDial:
    centre: Point
    radius: float  # outer edge of the ring of parts of the day
    ring_px: float  # thickness of that ring
    noon_at_top: bool
    parts: tuple[DialPart, ...]
    hour_font_px: int
    part_font_px: int


@dataclass(frozen=True)
class MoodMark:
    point: Point
    mood: float
    text: str  # "highest 4.5 · 14:00"


@dataclass(frozen=True)
class TimelineAxis:
    y: int
    x0: int
    x1: int
    start_hour: int
    end_hour: int
    ticks: tuple[tuple[int, str], ...]  # (x, "07:00")
    tick_font_px: int
    mood_band: Rect  # where the mood curve lives (1 at the bottom, 5 at the top)
    mood_hourly: tuple[tuple[int, float], ...]  # (hour, average of contributors' moods)
    mood_curve: tuple[Point, ...]  # the smoothed curve in canvas pixels
    low: MoodMark | None
    high: MoodMark | None
    legend: str


@dataclass(frozen=True)
class LaneRow:
    """One role's row of the lanes layout: a coloured header strip and the area its tiles live in."""

    role: str  # customer | employee
    label: str  # "Customers" / "Klanten"
    header: Rect  # the strip left of the row; its name reads upward
    area: Rect  # the row itself, across every hour column


@dataclass(frozen=True)
class LanesAxis:
    """The lanes layout's frame: hour columns shared by both rows, hour labels between them."""

    band: Rect  # between the rows: the hour labels
    # (hour, start, length) along the hour axis (x; y when `vertical`); an hour empty in both rows is narrower
    columns: tuple[tuple[int, int, int], ...]
    ticks: tuple[tuple[int, str], ...]  # (centre of the column along the axis, "07:00"), only where it fits
    tick_font_px: int
    header_font_px: int
    rows: tuple[LaneRow, ...]  # customers first (the upper row; the left one when `vertical`)
    empty: tuple[Rect, ...]  # faint placeholders in the hour cells of a row that has no moment there
    left_out: int  # moments without a role: not in either row
    note: str  # "3 moments without a role not shown"; "" when none
    note_rect: Rect | None = None  # the footnote line under the lanes
    vertical: bool = False  # portrait pages: hours run down, customers left of employees


@dataclass(frozen=True)
class MoreNote:
    """'+ 4,213 more moments': how many moments the collage leaves out to keep its tiles legible."""

    count: int
    text: str
    rect: Rect  # the strip along the bottom of the canvas that holds it, clear of every tile
    font_px: int


@dataclass(frozen=True)
class CollagePlan:
    """Everything a collage is: canvas, title, tiles in time order, and the layout's extras."""

    layout: str
    width: int
    height: int
    format: str  # png | jpg | pdf
    dpi: int
    seed: int
    language: str
    palette: Palette
    gutter_px: int
    tiles: tuple[CollageTile, ...]
    title: TitleBand | None = None
    logo_key: str | None = None
    dial: ClockDial | None = None
    axis: TimelineAxis | None = None
    lanes: LanesAxis | None = None
    more: MoreNote | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for tile in data["tiles"]:
            if not tile["faces"]:  # plans of moments with no faces to hide stay as they were
                del tile["faces"]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CollagePlan:
        """The plan `to_dict` gave (lists back into tuples)."""
        return cls(
            layout=data["layout"],
            width=data["width"],
            height=data["height"],
            format=data["format"],
            dpi=data["dpi"],
            seed=data["seed"],
            language=data["language"],
            palette=Palette(**{k: _rgb(v) for k, v in data["palette"].items()}),
            gutter_px=data["gutter_px"],
            tiles=tuple(_tile(t) for t in data["tiles"]),
            title=_title(data["title"]) if data.get("title") else None,
            logo_key=data.get("logo_key"),
            dial=_dial(data["dial"]) if data.get("dial") else None,
            axis=_axis(data["axis"]) if data.get("axis") else None,
            lanes=_lanes(data["lanes"]) if data.get("lanes") else None,
            more=MoreNote(**{**data["more"], "rect": _rect(data["more"]["rect"])}) if data.get("more") else None,
        )


def _rect(v: Any) -> Rect:
    return (int(v[0]), int(v[1]), int(v[2]), int(v[3]))


def _rgb(v: Any) -> RGB:
    return (int(v[0]), int(v[1]), int(v[2]))


def _point(v: Any) -> Point:
    return (float(v[0]), float(v[1]))


def _tile(d: Mapping[str, Any]) -> CollageTile:
    label = d.get("label")
    leader = d.get("leader")
    return CollageTile(
        moment_id=d["moment_id"],
        key=d["key"],
        preview_key=d.get("preview_key"),
        kind=d["kind"],
        source_size=(int(d["source_size"][0]), int(d["source_size"][1])),
        rect=_rect(d["rect"]),
        crop=(float(d["crop"][0]), float(d["crop"][1]), float(d["crop"][2]), float(d["crop"][3])),
        seconds_of_day=float(d["seconds_of_day"]),
        time_text=d["time_text"],
        caption=d["caption"],
        label=TileLabel(_rect(label["rect"]), int(label["font_px"]), tuple(label["lines"])) if label else None,
        leader=(_point(leader[0]), _point(leader[1])) if leader else None,
        frame_at_s=d.get("frame_at_s"),
        stacked=tuple(d.get("stacked", ())),
        faces=tuple(tuple(span) for span in d.get("faces", ())),
    )


def _title(d: Mapping[str, Any]) -> TitleBand:
    logo = d.get("logo_rect")
    return TitleBand(**{**d, "rect": _rect(d["rect"]), "logo_rect": _rect(logo) if logo else None})


def _dial(d: Mapping[str, Any]) -> ClockDial:
    return ClockDial(**{**d, "centre": _point(d["centre"]), "parts": tuple(DialPart(**p) for p in d["parts"])})


def _mark(d: Mapping[str, Any] | None) -> MoodMark | None:
    return MoodMark(_point(d["point"]), float(d["mood"]), d["text"]) if d else None


def _axis(d: Mapping[str, Any]) -> TimelineAxis:
    return TimelineAxis(
        **{
            **d,
            "ticks": tuple((int(x), str(t)) for x, t in d["ticks"]),
            "mood_band": _rect(d["mood_band"]),
            "mood_hourly": tuple((int(h), float(m)) for h, m in d["mood_hourly"]),
            "mood_curve": tuple(_point(p) for p in d["mood_curve"]),
            "low": _mark(d.get("low")),
            "high": _mark(d.get("high")),
        }
    )


def _lanes(d: Mapping[str, Any]) -> LanesAxis:
    return LanesAxis(
        **{
            **d,
            "band": _rect(d["band"]),
            "columns": tuple((int(h), int(x), int(w)) for h, x, w in d["columns"]),
            "ticks": tuple((int(x), str(t)) for x, t in d["ticks"]),
            "rows": tuple(LaneRow(r["role"], r["label"], _rect(r["header"]), _rect(r["area"])) for r in d["rows"]),
            "empty": tuple(_rect(r) for r in d["empty"]),
            "note_rect": _rect(d["note_rect"]) if d.get("note_rect") else None,
        }
    )


@dataclass(frozen=True)
class Placement:
    """A layout's answer for one moment, before labels: where it goes and what part of it shows."""

    index: int  # position in time order
    rect: Rect
    crop: Crop
    leader: tuple[Point, Point] | None = None
    members: tuple[int, ...] = ()  # clock: the moments stacked under this one (positions in time order)
