"""Moments + options -> FilmPlan: order, chapters, cards, captions, Ken Burns moves and the length budget.

Pure and deterministic: no media is opened, all randomness comes from the options' seed and is written
into the plan, so a plan can be stored, inspected, compared with a literal and rendered again later.
All times on the film's timeline are whole frames; seconds are derived for people.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from media_pipeline.daytime import PARTS, PartOfDay, part_label, part_of_day, seconds_of_day, utc_instant
from media_pipeline.film.budget import Budgeted, fit_budget
from media_pipeline.film.options import FilmOptions, PlanError
from media_pipeline.film.words import contributors_line, counts_line, long_date, role_word, thanks
from media_pipeline.types import Moment, ProjectInfo

PLAN_VERSION = 1
OPENING_S = 4.0
CHAPTER_S = 2.5
CLOSING_S = 5.0
KEN_BURNS_ZOOM = 0.12  # the most a photo zooms over its time: gentle enough for a projector

SegmentKind = Literal["card", "photo", "clip"]
CardStyle = Literal["opening", "chapter", "closing"]


@dataclass(frozen=True)
class Card:
    """A full-frame card: opening (title, date, contributors), chapter, or closing (thanks, counts, names)."""

    style: CardStyle
    title: str
    subtitle: str = ""
    detail: str = ""
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Caption:
    """The lower third of a moment: who, what they are or where, local time (07:32) and their words."""

    name: str
    detail: str
    time: str
    text: str

    def header(self) -> str:
        return " · ".join(part for part in (self.name, self.detail, self.time) if part)

    def cue_text(self) -> str:
        return "\n".join(part for part in (self.header(), self.text) if part)


@dataclass(frozen=True)
class KenBurns:
    """A photo's move: zoom factor from/to (>= 1) and the window's position from/to, 0..1 of the slack."""

    zoom_from: float
    zoom_to: float
    x_from: float
    y_from: float
    x_to: float
    y_to: float


@dataclass(frozen=True)
class Segment:
    """One card or moment on the timeline; it overlaps its neighbours by the plan's transition."""

    id: str
    kind: SegmentKind
    frames: int
    start_frame: int
    chapter: str = ""
    card: Card | None = None
    moment_id: str | None = None
    key: str | None = None
    preview_key: str | None = None
    sha256: str = ""
    src_width: int = 0
    src_height: int = 0
    rotation: int = 0
    has_audio: bool = False
    clip_in_s: float | None = None  # clips: where in the source the segment starts, s
    clip_s: float | None = None  # clips: how much of the source is shown; shorter than the segment = hold last frame
    ken_burns: KenBurns | None = None
    caption: Caption | None = None


@dataclass(frozen=True)
class Chapter:
    title: str
    start_frame: int


@dataclass(frozen=True)
class Cut:
    """What the plan took away from a moment, and why (durations in seconds)."""

    moment_id: str
    action: Literal["capped", "shortened", "dropped"]
    from_s: float
    to_s: float
    reason: str


@dataclass(frozen=True)
class FilmPlan:
    """Everything the renderer needs, as plain data. Sizes in px, times in frames of `fps`."""

    width: int
    height: int
    fps: int
    transition_frames: int
    quality: str
    language: str
    title: str
    brand_color: str
    music_key: str | None
    seed: int
    segments: tuple[Segment, ...]
    chapters: tuple[Chapter, ...]
    natural_length_s: float
    target_length_s: float | None
    cuts: tuple[Cut, ...] = field(default_factory=tuple)
    version: int = PLAN_VERSION

    @property
    def length_frames(self) -> int:
        if not self.segments:
            return 0
        last = self.segments[-1]
        return last.start_frame + last.frames

    @property
    def length_s(self) -> float:
        return self.length_frames / self.fps

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly; also carries seconds (start_s, duration_s, length_s) for people, ignored on load."""
        data = asdict(self)
        data["length_s"] = round(self.length_s, 3)
        for seg in data["segments"]:
            seg["start_s"] = round(seg["start_frame"] / self.fps, 3)
            seg["duration_s"] = round(seg["frames"] / self.fps, 3)
        for chapter in data["chapters"]:
            chapter["start_s"] = round(chapter["start_frame"] / self.fps, 3)
        return _lists(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FilmPlan:
        """The plan that `to_dict` gave (derived seconds are recomputed, not read)."""
        data = dict(data)
        data.pop("length_s", None)
        segments = []
        for seg_in in data.pop("segments"):
            seg = {k: v for k, v in seg_in.items() if k not in ("start_s", "duration_s")}
            if seg.get("card"):
                seg["card"] = Card(**{**seg["card"], "names": tuple(seg["card"].get("names", ()))})
            if seg.get("caption"):
                seg["caption"] = Caption(**seg["caption"])
            if seg.get("ken_burns"):
                seg["ken_burns"] = KenBurns(**seg["ken_burns"])
            segments.append(Segment(**seg))
        chapters = tuple(Chapter(title=c["title"], start_frame=c["start_frame"]) for c in data.pop("chapters"))
        cuts = tuple(Cut(**c) for c in data.pop("cuts", ()))
        return cls(segments=tuple(segments), chapters=chapters, cuts=cuts, **data)


def _lists(value: Any) -> Any:
    """Tuples as lists, so to_dict() equals its own JSON round trip."""
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    return value


def start_frames(frames: Sequence[int], transition_frames: int) -> list[int]:
    """Where each segment starts when each overlaps the one before by `transition_frames`."""
    starts, at = [], 0
    for count in frames:
        starts.append(at)
        at += count - transition_frames
    return starts


def build_film_plan(moments: Sequence[Moment], project: ProjectInfo, options: FilmOptions) -> FilmPlan:
    """The film these moments make with these options; pure (no media is opened) and deterministic.

    Raises PlanError for bad options or when there is nothing to show.
    """
    options.validate()
    if not moments:
        raise PlanError("There are no moments to make a film from.")
    if len({m.id for m in moments}) != len(moments):
        raise PlanError("Each moment must have its own id.")
    language = options.language or project.language or "en"
    fps = options.fps
    transition_frames = round(options.transition_s * fps)
    min_frames = 2 * transition_frames + 1  # every segment shows at least one frame outside its fades

    ordered = _ordered(moments, options)
    groups = {m.id: _chapter_key(m, options, ordered) for m in ordered}
    names = _names(ordered)

    def card_frames(seconds: float) -> int:
        return max(min_frames, round(seconds * fps))

    def chapter_count(kept: Sequence[Moment]) -> int:
        if options.chapters == "none":
            return 0
        return len({groups[m.id] for m in kept})

    def fixed_s(kept: Sequence[Moment]) -> float:
        """Seconds that are not moments: cards, minus every overlap between segments."""
        segments = 2 + chapter_count(kept) + len(kept)
        cards = card_frames(OPENING_S) + card_frames(CLOSING_S) + chapter_count(kept) * card_frames(CHAPTER_S)
        return (cards - (segments - 1) * transition_frames) / fps

    natural = [_natural_s(m, options) for m in ordered]
    floor_s = max(2.0, min_frames / fps)
    budgeted: Budgeted = fit_budget(
        [
            (m.id, _contributor(m), natural_s, min(natural_s, floor_s) if m.kind == "clip" else floor_s, m.mood)
            for m, natural_s in zip(ordered, natural, strict=True)
        ],
        target_s=options.target_length_s,
        fixed_s=lambda kept_ids: fixed_s([m for m in ordered if m.id in kept_ids]),
        seed=options.seed,
    )
    natural_length_s = round(sum(natural) + fixed_s(ordered), 3)

    cuts: list[Cut] = []
    for m in ordered:
        full = _available_s(m, options)
        if m.kind == "clip" and full is not None and full > options.max_clip_s:
            cuts.append(Cut(m.id, "capped", round(full, 3), float(options.max_clip_s), "longer than the longest clip"))
    for moment_id, from_s, to_s in budgeted.shortened:
        cuts.append(Cut(moment_id, "shortened", round(from_s, 3), round(to_s, 3), "length budget"))
    for moment_id, from_s in budgeted.dropped:
        cuts.append(Cut(moment_id, "dropped", round(from_s, 3), 0.0, "length budget"))

    kept = [m for m in ordered if m.id in budgeted.durations_s]
    segments: list[Segment] = []
    opening = Card(
        "opening",
        project.title,
        long_date(project.date, language),
        contributors_line(len({_contributor(m) for m in kept}), language),
    )
    segments.append(Segment("opening", "card", card_frames(OPENING_S), 0, chapter=project.title, card=opening))
    current_group: object = None
    chapter_title = project.title
    for m in kept:
        if options.chapters != "none" and groups[m.id] != current_group:
            current_group = groups[m.id]
            chapter_title, subtitle = _chapter_words(m, options, language, ordered)
            segments.append(
                Segment(
                    f"chapter-{len(segments)}",
                    "card",
                    card_frames(CHAPTER_S),
                    0,
                    chapter=chapter_title,
                    card=Card("chapter", chapter_title, subtitle),
                )
            )
        segments.append(_moment_segment(m, budgeted.durations_s[m.id], options, language, min_frames, chapter_title))
    closing = Card(
        "closing",
        thanks(language),
        counts_line(len(kept), len({_contributor(m) for m in kept}), language),
        names=tuple(n for n in names if n in {m.alias.strip() for m in kept}),
    )
    segments.append(Segment("closing", "card", card_frames(CLOSING_S), 0, chapter=closing.title, card=closing))

    starts = start_frames([s.frames for s in segments], transition_frames)
    segments = [replace(s, start_frame=start) for s, start in zip(segments, starts, strict=True)]
    chapters: list[Chapter] = []
    for seg in segments:
        if not chapters or chapters[-1].title != seg.chapter:
            chapters.append(Chapter(seg.chapter, seg.start_frame))

    return FilmPlan(
        width=options.width,
        height=options.height,
        fps=fps,
        transition_frames=transition_frames,
        quality=options.quality,
        language=language,
        title=project.title,
        brand_color=project.brand_color,
        music_key=options.music_key,
        seed=options.seed,
        segments=tuple(segments),
        chapters=tuple(chapters),
        natural_length_s=natural_length_s,
        target_length_s=options.target_length_s,
        cuts=tuple(cuts),
    )


def _ordered(moments: Sequence[Moment], options: FilmOptions) -> list[Moment]:
    if options.ordering == "chronological":
        return sorted(moments, key=lambda m: (utc_instant(m.local_time, m.utc_offset_min), m.id))
    # the Life in a Day fold: one 24-hour clock by local time; the UTC instant only breaks ties
    return sorted(
        moments, key=lambda m: (seconds_of_day(m.local_time), utc_instant(m.local_time, m.utc_offset_min), m.id)
    )


def _contributor(m: Moment) -> str:
    return m.contributor or m.alias.strip() or "(anonymous)"


def _names(ordered: Sequence[Moment]) -> list[str]:
    """Contributors' aliases in order of first appearance, for the closing card."""
    seen: dict[str, None] = {}
    for m in ordered:
        if m.alias.strip():
            seen.setdefault(m.alias.strip(), None)
    return list(seen)


def _spans_days(ordered: Sequence[Moment]) -> bool:
    return len({m.local_time.date() for m in ordered}) > 1


def _chapter_key(m: Moment, options: FilmOptions, ordered: Sequence[Moment]) -> object:
    day = m.local_time.date() if options.ordering == "chronological" and _spans_days(ordered) else None
    if options.chapters == "hours":
        return (day, m.local_time.hour)
    return (day, part_of_day(m.local_time.hour))


def _part_hours(part: PartOfDay, hour: int) -> str:
    """'05:00 – 08:00' for the stretch of the day that `hour` (of `part`) falls in."""
    bounds = [first for first, _ in PARTS] + [24]
    for index, (first, name) in enumerate(PARTS):
        if name == part and first <= hour < bounds[index + 1]:
            end = bounds[index + 1]
            if name == "night" and end == 24:
                end = 5  # the night that starts at 23:00 runs on to 05:00
            elif name == "night" and first == 0:
                first = 23
            return f"{first:02d}:00 – {end:02d}:00"
    return ""


def _chapter_words(m: Moment, options: FilmOptions, language: str, ordered: Sequence[Moment]) -> tuple[str, str]:
    hour = m.local_time.hour
    part = part_of_day(hour)
    if options.chapters == "hours":
        title, subtitle = f"{hour:02d}:00", part_label(part, language)
    else:
        title, subtitle = part_label(part, language), _part_hours(part, hour)
    if options.ordering == "chronological" and _spans_days(ordered):
        subtitle = f"{long_date(m.local_time.date().isoformat(), language)} · {subtitle}"
    return title, subtitle


def _available_s(m: Moment, options: FilmOptions) -> float | None:
    """A clip's usable seconds between its trims; None when the duration is unknown."""
    if m.kind != "clip" or m.duration_s is None:
        return None
    start = max(0.0, m.trim_in_s or 0.0)
    end = m.duration_s if m.trim_out_s is None else min(m.duration_s, m.trim_out_s)
    return max(0.0, end - start)


def _natural_s(m: Moment, options: FilmOptions) -> float:
    if m.kind == "photo":
        return options.photo_s
    available = _available_s(m, options)
    if available is None:
        return min(options.photo_s, options.max_clip_s)
    return max(0.1, min(available, options.max_clip_s))


def _moment_segment(
    m: Moment, duration_s: float, options: FilmOptions, language: str, min_frames: int, chapter: str
) -> Segment:
    frames = max(min_frames, round(duration_s * options.fps))
    detail = " · ".join(part for part in (role_word(m.role, language), m.place.strip()) if part)
    caption = Caption(m.alias.strip(), detail, m.local_time.strftime("%H:%M"), m.caption.strip())
    common: dict[str, Any] = {
        "chapter": chapter,
        "moment_id": m.id,
        "key": m.key,
        "preview_key": m.preview_key,
        "sha256": m.sha256,
        "src_width": m.width,
        "src_height": m.height,
        "rotation": m.rotation,
        "caption": caption,
    }
    if m.kind == "photo":
        rng = random.Random(f"{options.seed}:{m.id}")  # per moment, so editing one leaves the others alone
        zoom_in = rng.random() < 0.5
        far = round(1 + KEN_BURNS_ZOOM * rng.uniform(0.6, 1.0), 4)
        zoom_from, zoom_to = (1.0, far) if zoom_in else (far, 1.0)
        move = KenBurns(zoom_from, zoom_to, *(round(rng.uniform(0.2, 0.8), 4) for _ in range(4)))
        return Segment(f"m-{m.id}", "photo", frames, 0, ken_burns=move, **common)
    available = _available_s(m, options)
    shown = frames / options.fps if available is None else min(available, frames / options.fps)
    start = max(0.0, m.trim_in_s or 0.0)
    if available is not None and available > shown:
        start += (available - shown) / 2  # a long clip keeps its middle: equal parts go from start and end
    return Segment(
        f"m-{m.id}",
        "clip",
        frames,
        0,
        has_audio=m.has_audio,
        clip_in_s=round(start, 3),
        clip_s=round(shown, 3),
        **common,
    )
