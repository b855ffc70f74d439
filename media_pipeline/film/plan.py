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

from media_pipeline.daytime import PARTS, PartOfDay, part_label, part_of_day, seconds_of_day, utc_microseconds
from media_pipeline.film.budget import Budgeted, BudgetItem, Layout, fit_budget
from media_pipeline.film.options import FilmOptions, PlanError
from media_pipeline.film.words import counts_line, lane_label, lanes_line, thanks
from media_pipeline.selection import Candidate, candidate_of, contributor_of, quality_of
from media_pipeline.types import FaceSpans, Moment, ProjectInfo
from media_pipeline.words import ROLES, contributor_count, role_word, written_date

PLAN_VERSION = 2  # 2: segments may be "lanes" (split screen) and carry `lanes`
OPENING_S = 4.0
CHAPTER_S = 2.5
CLOSING_S = 5.0
KEN_BURNS_ZOOM = 0.12  # the most a photo zooms over its time: gentle enough for a projector

SegmentKind = Literal["card", "photo", "clip", "lanes"]
LANE_ROLES = ROLES  # first lane: left (landscape) or top (vertical)
CardStyle = Literal["opening", "chapter", "closing"]
NO_ROLE = "no role: lanes show customers and employees"  # why a lanes film leaves a moment out


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
    lanes: tuple[Lane, ...] = ()  # kind "lanes": the customer's lane, then the employee's
    faces: FaceSpans = ()  # faces to hide; part of the segment's cache key, so a change re-renders it alone

    def cue_text(self) -> str:
        """The words of the segment's caption(s) for the WebVTT file; lanes say whose lane each is."""
        if self.lanes:
            shown = [lane for lane in self.lanes if lane.moment and lane.moment.cue_text()]
            return "\n".join(f"{lane.label}: {lane.moment.cue_text()}" for lane in shown if lane.moment)
        return self.caption.cue_text() if self.caption else ""


@dataclass(frozen=True)
class Lane:
    """One half of a split-screen segment: a moment (a photo or clip segment as long as the pair), or a
    calm placeholder with the lane's label and the hour when that lane has no moment to pair."""

    role: str
    label: str
    hour: str
    moment: Segment | None = None


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
            drop_no_faces(seg)
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
        segments = [_segment_from_dict(seg_in) for seg_in in data.pop("segments")]
        chapters = tuple(Chapter(title=c["title"], start_frame=c["start_frame"]) for c in data.pop("chapters"))
        cuts = tuple(Cut(**c) for c in data.pop("cuts", ()))
        return cls(segments=tuple(segments), chapters=chapters, cuts=cuts, **data)


def drop_no_faces(seg: dict[str, Any]) -> None:
    """A segment with no faces to hide says nothing of faces: plans (and cache keys) stay as they were."""
    if not seg.get("faces"):
        seg.pop("faces", None)
    for lane in seg.get("lanes", ()):
        if lane.get("moment"):
            drop_no_faces(lane["moment"])


def _segment_from_dict(seg_in: dict[str, Any]) -> Segment:
    seg = {k: v for k, v in seg_in.items() if k not in ("start_s", "duration_s")}
    if seg.get("card"):
        seg["card"] = Card(**{**seg["card"], "names": tuple(seg["card"].get("names", ()))})
    if seg.get("caption"):
        seg["caption"] = Caption(**seg["caption"])
    if seg.get("ken_burns"):
        seg["ken_burns"] = KenBurns(**seg["ken_burns"])
    seg["faces"] = tuple(tuple(span) for span in seg.get("faces", ()))
    seg["lanes"] = tuple(
        Lane(**{**lane, "moment": _segment_from_dict(lane["moment"]) if lane.get("moment") else None})
        for lane in seg.get("lanes", ())
    )
    return Segment(**seg)


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


@dataclass(frozen=True)
class _Unit:
    """What one segment shows: a moment, or (lanes) a customer's and an employee's moment of the same hour."""

    id: str
    moments: tuple[Moment, ...]
    candidate: Candidate  # who, when, which role and how well rated: for the budget's fair order
    natural_s: float
    floor_s: float
    pair: tuple[Moment | None, Moment | None] | None = None  # lanes only: (customer, employee)

    @property
    def lead(self) -> Moment:
        """The earliest moment: it places the unit in a chapter."""
        return self.moments[0]


def build_film_plan(moments: Sequence[Moment], project: ProjectInfo, options: FilmOptions,
                    themes: Sequence[tuple[str, Sequence[str]]] = ()) -> FilmPlan:
    """The film these moments make with these options; pure (no media is opened) and deterministic.

    With chapters "themes", `themes` are (name, moment ids) in the order to show: each theme is a chapter,
    its moments in time order; moments in no theme follow in a last chapter.

    With `options.lanes` every hour's customer and employee moments are paired, in order, into split-screen
    segments (a placeholder where one lane has fewer); moments without a role are left out and named in
    the plan's cuts. Raises PlanError for bad options or when there is nothing to show.
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
    spans_days = _spans_days(ordered)
    theme_of: dict[str, int] = {}
    if options.chapters == "themes":
        if options.lanes:
            raise PlanError("Chapters by theme and customer/employee lanes do not go together; choose one.")
        if not themes:
            raise PlanError("There are no themes yet for chapters by theme; find themes first or choose other "
                            "chapters.")
        for index, (_, ids) in enumerate(themes):
            for mid in ids:
                theme_of.setdefault(mid, index)
        ordered.sort(key=lambda m: theme_of.get(m.id, len(themes)))  # stable: time order within a theme
    floor_s = max(2.0, min_frames / fps)
    cuts: list[Cut] = []
    if options.lanes:
        roleless = [m for m in ordered if m.role not in LANE_ROLES]
        ordered = [m for m in ordered if m.role in LANE_ROLES]
        if not ordered:
            raise PlanError("A customer and employee lanes film needs moments with a role (customer or employee); "
                            "none of these moments has one.")
        cuts += [Cut(m.id, "dropped", round(_natural_s(m, options), 3), 0.0, NO_ROLE) for m in roleless]
        units = _lane_units(ordered, options, floor_s, spans_days)
    else:
        units = [_Unit(m.id, (m,), candidate_of(m, _hour_key(m, options, spans_days)), _natural_s(m, options),
                       _floor_s(m, options, floor_s)) for m in ordered]
    groups = {u.id: theme_of.get(u.lead.id, len(themes)) if theme_of else _chapter_key(u.lead, options, spans_days)
              for u in units}
    names = _names(ordered)

    def card_frames(seconds: float) -> int:
        return max(min_frames, round(seconds * fps))

    layout = Layout(
        base_s=(card_frames(OPENING_S) + card_frames(CLOSING_S) - transition_frames) / fps,
        per_chapter_s=0.0 if options.chapters == "none" else (card_frames(CHAPTER_S) - transition_frames) / fps,
        per_item_s=-transition_frames / fps,
    )
    items = [BudgetItem(u.candidate, u.natural_s, u.floor_s, groups[u.id]) for u in units]
    budgeted: Budgeted = fit_budget(items, target_s=options.target_length_s, layout=layout, seed=options.seed)
    chapter_runs = sum(1 for k, it in enumerate(items) if k == 0 or it.chapter != items[k - 1].chapter)
    natural_length_s = round(layout.base_s + chapter_runs * layout.per_chapter_s
                             + sum(u.natural_s + layout.per_item_s for u in units), 3)

    by_id = {u.id: u for u in units}
    for u in units:
        if u.id not in budgeted.durations_s:
            continue
        for m in u.moments:
            full = _available_s(m)
            if m.kind == "clip" and full is not None and full > options.max_clip_s:
                cuts.append(Cut(m.id, "capped", round(full, 3), float(options.max_clip_s),
                                "longer than the longest clip"))
    for unit_id, _, to_s in budgeted.shortened:
        for m in by_id[unit_id].moments:
            if to_s < _natural_s(m, options) - 1e-6:  # in a pair, the shorter side may keep all it had
                cuts.append(Cut(m.id, "shortened", round(_natural_s(m, options), 3), round(to_s, 3), "length budget"))
    for unit_id, _, reason in budgeted.left_out:
        for m in by_id[unit_id].moments:
            cuts.append(Cut(m.id, "dropped", round(_natural_s(m, options), 3), 0.0, reason))

    kept = [u for u in units if u.id in budgeted.durations_s]
    kept_moments = [m for u in kept for m in u.moments]
    contributors = contributor_count(len({contributor_of(m) for m in kept_moments}), language)
    segments: list[Segment] = []
    opening = Card(
        "opening",
        project.title,
        written_date(project.date, language),
        f"{contributors} · {lanes_line(language)}" if options.lanes else contributors,
    )
    segments.append(Segment("opening", "card", card_frames(OPENING_S), 0, chapter=project.title, card=opening))
    current_group: object = None
    chapter_title = project.title
    for u in kept:
        if options.chapters != "none" and groups[u.id] != current_group:
            current_group = groups[u.id]
            if theme_of:
                members = [k for k in kept if groups[k.id] == current_group]
                theme = theme_of.get(u.lead.id, len(themes))  # its group, typed as the theme's index it is
                chapter_title, subtitle = _theme_words(themes, theme, members, language)
            else:
                chapter_title, subtitle = _chapter_words(u.lead, options, language, spans_days)
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
        duration_s = budgeted.durations_s[u.id]
        if u.pair is not None:
            segments.append(_lanes_segment(u, duration_s, options, language, min_frames, chapter_title))
        else:
            segments.append(_moment_segment(u.lead, duration_s, options, language, min_frames, chapter_title))
    kept_aliases = {m.alias.strip() for m in kept_moments}
    closing = Card(
        "closing",
        thanks(language),
        counts_line(len(kept_moments), len({contributor_of(m) for m in kept_moments}), language),
        names=tuple(n for n in names if n in kept_aliases),
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


def _floor_s(m: Moment, options: FilmOptions, floor_s: float) -> float:
    """The least a moment may be shortened to: a short clip is never stretched by the budget."""
    return min(_natural_s(m, options), floor_s) if m.kind == "clip" else floor_s


def _lane_units(ordered: Sequence[Moment], options: FilmOptions, floor_s: float, spans_days: bool) -> list[_Unit]:
    """Per hour of the (folded) day, its customer and employee moments paired in order; a missing side is None."""
    hours: dict[object, dict[str, list[Moment]]] = {}
    position = {m.id: k for k, m in enumerate(ordered)}
    for m in ordered:
        hours.setdefault(_hour_key(m, options, spans_days), {"customer": [], "employee": []})[m.role].append(m)
    units = []
    for hour, lanes in hours.items():
        customers, employees = lanes["customer"], lanes["employee"]
        for index in range(max(len(customers), len(employees))):
            pair = (customers[index] if index < len(customers) else None,
                    employees[index] if index < len(employees) else None)
            shown = sorted((m for m in pair if m is not None), key=lambda m: position[m.id])
            unit_id = "+".join(m.id if m else "_" for m in pair)
            people = "+".join(contributor_of(m) for m in shown)
            kind = "clip" if any(m.kind == "clip" for m in shown) else "photo"
            units.append(_Unit(
                unit_id,
                tuple(shown),
                Candidate(unit_id, hour, people, "pair", kind, quality_of(shown)),
                max(_natural_s(m, options) for m in shown),
                max(_floor_s(m, options, floor_s) for m in shown),
                pair,
            ))
    return units


def _lanes_segment(
    unit: _Unit, duration_s: float, options: FilmOptions, language: str, min_frames: int, chapter: str
) -> Segment:
    """Split screen: each side a moment segment as long as the pair (a shorter clip holds its last frame,
    a photo's Ken Burns spans the pair), or a placeholder."""
    assert unit.pair is not None
    frames = max(min_frames, round(duration_s * options.fps))
    hour = unit.lead.local_time.strftime("%H:00")
    lanes = tuple(
        Lane(role, lane_label(role, language), hour,
             _moment_segment(m, frames / options.fps, options, language, min_frames, chapter) if m else None)
        for role, m in zip(LANE_ROLES, unit.pair, strict=True)
    )
    return Segment(f"l-{unit.id}", "lanes", frames, 0, chapter=chapter, lanes=lanes)


def _ordered(moments: Sequence[Moment], options: FilmOptions) -> list[Moment]:
    if options.ordering == "chronological":
        return sorted(moments, key=lambda m: (utc_microseconds(m.local_time, m.utc_offset_min), m.id))
    # the Life in a Day fold: one 24-hour clock by local time; the UTC instant only breaks ties
    return sorted(
        moments, key=lambda m: (seconds_of_day(m.local_time), utc_microseconds(m.local_time, m.utc_offset_min), m.id)
    )


def _names(ordered: Sequence[Moment]) -> list[str]:
    """Contributors' aliases in order of first appearance, for the closing card."""
    seen: dict[str, None] = {}
    for m in ordered:
        if m.alias.strip():
            seen.setdefault(m.alias.strip(), None)
    return list(seen)


def _spans_days(ordered: Sequence[Moment]) -> bool:
    return len({m.local_time.date() for m in ordered}) > 1


def _chapter_key(m: Moment, options: FilmOptions, spans_days: bool) -> tuple[object, ...]:
    if options.chapters == "hours":
        return _hour_key(m, options, spans_days)
    return (_day(m, options, spans_days), part_of_day(m.local_time.hour))


def _hour_key(m: Moment, options: FilmOptions, spans_days: bool) -> tuple[object, ...]:
    """The hour a moment belongs to on the film's clock (its date too when a chronological film spans days)."""
    return (_day(m, options, spans_days), m.local_time.hour)


def _day(m: Moment, options: FilmOptions, spans_days: bool) -> object:
    return m.local_time.date() if options.ordering == "chronological" and spans_days else None


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


def _chapter_words(m: Moment, options: FilmOptions, language: str, spans_days: bool) -> tuple[str, str]:
    hour = m.local_time.hour
    part = part_of_day(hour)
    if options.chapters == "hours":
        title, subtitle = f"{hour:02d}:00", part_label(part, language)
    else:
        title, subtitle = part_label(part, language), _part_hours(part, hour)
    if options.ordering == "chronological" and spans_days:
        subtitle = f"{written_date(m.local_time.date().isoformat(), language)} · {subtitle}"
    return title, subtitle


def _theme_words(themes: Sequence[tuple[str, Sequence[str]]], index: int, units: Sequence[_Unit],
                 language: str) -> tuple[str, str]:
    """A theme's chapter card: its name, and the hours its moments in the film span."""
    title = themes[index][0] if index < len(themes) else {"nl": "Overige momenten"}.get(language, "Other moments")
    times = sorted(u.lead.local_time.strftime("%H:%M") for u in units)
    return title, times[0] if times[0] == times[-1] else f"{times[0]} – {times[-1]}"


def _available_s(m: Moment) -> float | None:
    """A clip's usable seconds between its trims; None when the duration is unknown."""
    if m.kind != "clip" or m.duration_s is None:
        return None
    start = max(0.0, m.trim_in_s or 0.0)
    end = m.duration_s if m.trim_out_s is None else min(m.duration_s, m.trim_out_s)
    return max(0.0, end - start)


def _natural_s(m: Moment, options: FilmOptions) -> float:
    if m.kind == "photo":
        return options.photo_s
    available = _available_s(m)
    if available is None:
        return min(options.photo_s, options.max_clip_s)
    return max(0.1, min(available, options.max_clip_s))


def _moment_segment(
    m: Moment, duration_s: float, options: FilmOptions, language: str, min_frames: int, chapter: str
) -> Segment:
    frames = max(min_frames, round(duration_s * options.fps))
    role = "" if options.lanes else role_word(m.role, language)  # in lanes, the lane's label says it
    detail = " · ".join(part for part in (role, m.place.strip()) if part)
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
        "faces": m.faces,
    }
    if m.kind == "photo":
        rng = random.Random(f"{options.seed}:{m.id}")  # per moment, so editing one leaves the others alone
        zoom_in = rng.random() < 0.5
        far = round(1 + KEN_BURNS_ZOOM * rng.uniform(0.6, 1.0), 4)
        zoom_from, zoom_to = (1.0, far) if zoom_in else (far, 1.0)
        move = KenBurns(zoom_from, zoom_to, *(round(rng.uniform(0.2, 0.8), 4) for _ in range(4)))
        return Segment(f"m-{m.id}", "photo", frames, 0, ken_burns=move, **common)
    available = _available_s(m)
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
