"""Film options and plans: order across days and zones, chapters, cards, length budget, determinism."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from media_pipeline.film import Cut, FilmOptions, FilmPlan, KenBurns, PlanError, build_film_plan
from media_pipeline.film.budget import HOUR_SHOWN
from media_pipeline.film.lettering import shape
from media_pipeline.types import Moment, ProjectInfo

PROJECT_NL = ProjectInfo(title="Een dag", date="2024-07-24", language="nl")
PROJECT_EN = ProjectInfo(title="One day", date="2024-07-24", language="en")


def photo(mid: str, when: datetime, offset_min: int | None = 120, **extra: object) -> Moment:
    return Moment(id=mid, key=f"{mid}.jpg", kind="photo", width=4032, height=3024, local_time=when,
                  utc_offset_min=offset_min, **extra)  # type: ignore[arg-type]


def clip(mid: str, when: datetime, duration_s: float, offset_min: int | None = 120, **extra: object) -> Moment:
    return Moment(id=mid, key=f"{mid}.mp4", kind="clip", width=1920, height=1080, local_time=when,
                  utc_offset_min=offset_min, duration_s=duration_s, has_audio=True, **extra)  # type: ignore[arg-type]


def order(plan: FilmPlan) -> list[str]:
    """The film as card titles and moment ids, in order."""
    return [s.card.title if s.card else str(s.moment_id) for s in plan.segments]


def test_a_small_plan_is_exactly_this() -> None:
    moments = [
        clip("c1", datetime(2024, 7, 24, 7, 45), 12.0, sha256="bb", alias="Sem", role="employee", trim_in_s=1.0),
        photo("p1", datetime(2024, 7, 24, 7, 32), sha256="aa", alias="Zoë", role="customer", place="Utrecht",
              caption="Eerste koffie"),
    ]
    plan = build_film_plan(moments, PROJECT_NL, FilmOptions(fps=25, chapters="none", max_clip_s=6))
    card_fields = {"moment_id": None, "key": None, "preview_key": None, "sha256": "", "src_width": 0,
                   "src_height": 0, "rotation": 0, "has_audio": False, "clip_in_s": None, "clip_s": None,
                   "ken_burns": None, "caption": None, "lanes": []}
    assert plan.to_dict() == {
        "width": 1280, "height": 720, "fps": 25, "transition_frames": 12, "quality": "final", "language": "nl",
        "title": "Een dag", "brand_color": "#E4572E", "music_key": None, "seed": 0,
        "segments": [
            {"id": "opening", "kind": "card", "frames": 100, "start_frame": 0, "chapter": "Een dag",
             "card": {"style": "opening", "title": "Een dag", "subtitle": "24 juli 2024", "detail": "2 deelnemers",
                      "names": []},
             **card_fields, "start_s": 0.0, "duration_s": 4.0},
            {"id": "m-p1", "kind": "photo", "frames": 100, "start_frame": 88, "chapter": "Een dag", "card": None,
             "moment_id": "p1", "key": "p1.jpg", "preview_key": None, "sha256": "aa", "src_width": 4032,
             "src_height": 3024, "rotation": 0, "has_audio": False, "clip_in_s": None, "clip_s": None,
             "ken_burns": {"zoom_from": 1.0, "zoom_to": 1.1164, "x_from": 0.4566, "y_from": 0.3124,
                           "x_to": 0.7697, "y_to": 0.5343},
             "caption": {"name": "Zoë", "detail": "klant · Utrecht", "time": "07:32", "text": "Eerste koffie"},
             "lanes": [],
             "start_s": 3.52, "duration_s": 4.0},
            # 11 s between the trims, capped at 6 s: the middle 6 s (from 1.0 + 2.5 s)
            {"id": "m-c1", "kind": "clip", "frames": 150, "start_frame": 176, "chapter": "Een dag", "card": None,
             "moment_id": "c1", "key": "c1.mp4", "preview_key": None, "sha256": "bb", "src_width": 1920,
             "src_height": 1080, "rotation": 0, "has_audio": True, "clip_in_s": 3.5, "clip_s": 6.0,
             "ken_burns": None, "caption": {"name": "Sem", "detail": "medewerker", "time": "07:45", "text": ""},
             "lanes": [],
             "start_s": 7.04, "duration_s": 6.0},
            {"id": "closing", "kind": "card", "frames": 125, "start_frame": 314, "chapter": "Dank je wel",
             "card": {"style": "closing", "title": "Dank je wel", "subtitle": "2 momenten van 2 deelnemers",
                      "detail": "", "names": ["Zoë", "Sem"]},
             **card_fields, "start_s": 12.56, "duration_s": 5.0},
        ],
        "chapters": [{"title": "Een dag", "start_frame": 0, "start_s": 0.0},
                     {"title": "Dank je wel", "start_frame": 314, "start_s": 12.56}],
        "natural_length_s": 17.56, "target_length_s": None,
        "cuts": [{"moment_id": "c1", "action": "capped", "from_s": 11.0, "to_s": 6.0,
                  "reason": "longer than the longest clip"}],
        "version": 2, "length_s": 17.56,
    }


ACROSS_ZONES = [
    photo("tokyo", datetime(2024, 7, 24, 22, 0), 540),  # 13:00 UTC on the 24th
    photo("lisbon", datetime(2024, 7, 24, 7, 0), 60),  # 06:00 UTC
    photo("amsterdam", datetime(2024, 7, 25, 6, 30), 120),  # 04:30 UTC on the 25th
    photo("new-york", datetime(2024, 7, 24, 12, 0), -240),  # 16:00 UTC
    photo("unknown-zone", datetime(2024, 7, 24, 7, 0), None),  # taken as UTC: 07:00 UTC
]


def test_time_of_day_folds_days_and_zones_onto_one_clock() -> None:
    plan = build_film_plan(ACROSS_ZONES, PROJECT_EN, FilmOptions(chapters="none"))
    # 06:30, then the two 07:00s (Lisbon's is earlier in UTC), 12:00, 22:00
    assert order(plan) == ["One day", "amsterdam", "lisbon", "unknown-zone", "new-york", "tokyo", "Thank you"]


def test_chronological_orders_by_utc_instant_with_a_chapter_per_day_part() -> None:
    plan = build_film_plan(ACROSS_ZONES, PROJECT_EN, FilmOptions(ordering="chronological"))
    assert order(plan) == ["One day", "Dawn", "lisbon", "unknown-zone", "Evening", "tokyo", "Midday", "new-york",
                           "Dawn", "amsterdam", "Thank you"]
    subtitles = [s.card.subtitle for s in plan.segments if s.card and s.card.style == "chapter"]
    assert subtitles == ["24 July 2024 · 05:00 – 08:00", "24 July 2024 · 18:00 – 23:00",
                         "24 July 2024 · 12:00 – 14:00", "25 July 2024 · 05:00 – 08:00"]


DAY = [
    photo("late", datetime(2024, 7, 24, 23, 30), alias="Ahmed"),
    photo("early", datetime(2024, 7, 24, 4, 10), alias="Zoë"),
    photo("breakfast", datetime(2024, 7, 24, 8, 5), alias="Zoë"),
    photo("coffee", datetime(2024, 7, 24, 8, 50), alias="Piet"),
    photo("lunch", datetime(2024, 7, 24, 12, 15), alias="Ahmed"),
    photo("walk", datetime(2024, 7, 24, 15, 0), alias="Eén"),
    photo("dinner", datetime(2024, 7, 24, 18, 30), alias="Piet"),
]


def test_chapters_by_part_of_day_in_dutch() -> None:
    plan = build_film_plan(DAY, PROJECT_NL, FilmOptions())
    assert order(plan) == ["Een dag", "Nacht", "early", "Ochtend", "breakfast", "coffee", "Middag", "lunch",
                           "Namiddag", "walk", "Avond", "dinner", "Nacht", "late", "Dank je wel"]
    assert [c.title for c in plan.chapters] == ["Een dag", "Nacht", "Ochtend", "Middag", "Namiddag", "Avond",
                                                "Nacht", "Dank je wel"]
    opening, closing = plan.segments[0].card, plan.segments[-1].card
    assert (opening.subtitle, opening.detail) == ("24 juli 2024", "4 deelnemers")  # type: ignore[union-attr]
    assert closing.subtitle == "7 momenten van 4 deelnemers"  # type: ignore[union-attr]
    assert closing.names == ("Zoë", "Piet", "Ahmed", "Eén")  # type: ignore[union-attr]


def test_chapters_by_hour_in_english_and_none() -> None:
    plan = build_film_plan(DAY, PROJECT_NL, FilmOptions(chapters="hours", language="en"))
    chapters = [(s.card.title, s.card.subtitle) for s in plan.segments if s.card and s.card.style == "chapter"]
    assert chapters == [("04:00", "Night"), ("08:00", "Morning"), ("12:00", "Midday"), ("15:00", "Afternoon"),
                        ("18:00", "Evening"), ("23:00", "Night")]
    assert plan.segments[-1].card.title == "Thank you"  # type: ignore[union-attr]
    bare = build_film_plan(DAY, PROJECT_NL, FilmOptions(chapters="none"))
    assert [s.kind for s in bare.segments] == ["card"] + ["photo"] * 7 + ["card"]


def test_segments_overlap_by_the_transition_and_add_up_to_the_length() -> None:
    plan = build_film_plan(DAY, PROJECT_NL, FilmOptions(fps=30, transition_s=0.5, photo_s=3.0))
    assert plan.transition_frames == 15
    for before, after in zip(plan.segments, plan.segments[1:], strict=False):
        assert after.start_frame == before.start_frame + before.frames - 15
    photos = [s for s in plan.segments if s.kind == "photo"]
    assert {s.frames for s in photos} == {90}
    assert plan.length_frames == sum(s.frames for s in plan.segments) - 15 * (len(plan.segments) - 1)


def test_length_budget_shortens_fairly_and_keeps_every_contributor() -> None:
    moments = [clip(f"c{i}", datetime(2024, 7, 24, 9, i), 20.0, alias="Zoë" if i < 6 else f"p{i}")
               for i in range(9)]
    natural = build_film_plan(moments, PROJECT_EN, FilmOptions(chapters="none", max_clip_s=8))
    assert natural.length_s == pytest.approx(natural.natural_length_s, abs=0.05)
    assert natural.length_s > 70

    shortened = build_film_plan(moments, PROJECT_EN, FilmOptions(chapters="none", max_clip_s=8, target_length_s=45))
    assert shortened.length_s == pytest.approx(45, abs=0.5)
    clips = [s for s in shortened.segments if s.kind == "clip"]
    assert len(clips) == 9 and len({s.frames for s in clips}) == 1  # everyone gave up the same share
    assert [c.action for c in shortened.cuts].count("shortened") == 9
    # a shortened clip keeps its middle
    first = clips[0]
    assert first.clip_in_s == pytest.approx((20.0 - first.clip_s) / 2, abs=0.01)  # type: ignore[operator]

    dropped = build_film_plan(moments, PROJECT_EN, FilmOptions(chapters="none", max_clip_s=8, target_length_s=20))
    kept = {s.moment_id for s in dropped.segments if s.moment_id}
    gone = [c.moment_id for c in dropped.cuts if c.action == "dropped"]
    assert {"c6", "c7", "c8"} <= kept  # the three with one moment each stay
    assert gone and all(g in {"c0", "c1", "c2", "c3", "c4", "c5"} for g in gone)
    assert kept & {"c0", "c1", "c2", "c3", "c4", "c5"}  # and so does Zoë
    assert dropped.length_s <= 20.5
    assert dropped.cuts == build_film_plan(
        moments, PROJECT_EN, FilmOptions(chapters="none", max_clip_s=8, target_length_s=20)
    ).cuts


def test_target_too_short_keeps_the_best_moment_and_says_why_the_rest_are_out() -> None:
    # the old budget stopped at one moment per contributor: six people made a 5 s target last 25 s
    moments = [photo(f"p{i}", datetime(2024, 7, 24, 10, i), alias=f"person {i}", mood=5 if i == 4 else 3)
               for i in range(6)]
    plan = build_film_plan(moments, PROJECT_EN, FilmOptions(chapters="none", target_length_s=5))
    assert [s.moment_id for s in plan.segments if s.moment_id] == ["p4"]  # the best-rated one
    out = {c.moment_id: c.reason for c in plan.cuts if c.action == "dropped"}
    assert sorted(out) == ["p0", "p1", "p2", "p3", "p5"]
    assert set(out.values()) == {HOUR_SHOWN}  # six people, one hour: the hour is in the film


def test_plan_is_deterministic_and_round_trips_through_json() -> None:
    options = FilmOptions(seed=7, target_length_s=30)
    first = build_film_plan(DAY, PROJECT_NL, options)
    again = build_film_plan(list(reversed(DAY)), PROJECT_NL, options)
    assert first.to_dict() == again.to_dict()
    loaded = FilmPlan.from_dict(json.loads(json.dumps(first.to_dict())))
    assert loaded == first
    other_seed = build_film_plan(DAY, PROJECT_NL, FilmOptions(seed=8, target_length_s=30))
    assert [s.ken_burns for s in other_seed.segments] != [s.ken_burns for s in first.segments]


def test_editing_one_moment_changes_only_its_segment() -> None:
    edited = [m if m.id != "lunch" else Moment(**{**m.__dict__, "caption": "Soep!"}) for m in DAY]
    before = build_film_plan(DAY, PROJECT_NL, FilmOptions())
    after = build_film_plan(edited, PROJECT_NL, FilmOptions())
    changed = [b.id for b, a in zip(before.segments, after.segments, strict=True) if a != b]
    assert changed == ["m-lunch"]


def test_options_from_dict() -> None:
    options = FilmOptions.from_dict({"size": "1080x1920", "fps": 25, "chapters": "hours", "language": "nl",
                                     "target_length_s": None})
    assert (options.width, options.height, options.fps, options.chapters) == (1080, 1920, 25, "hours")
    assert FilmOptions.from_dict({"size": "4k"}).width == 3840
    assert FilmOptions.from_dict({}).to_dict() == FilmOptions().to_dict()
    assert FilmOptions.from_dict(FilmOptions(quality="preview").to_dict()) == FilmOptions(quality="preview")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"size": "1920*1080p"}, "must look like 1920x1080"),
        ({"width": 1281}, "even number"),
        ({"fps": 0}, "Frames per second"),
        ({"chapters": "weeks"}, "chapter style must be one of parts, hours, themes, none"),
        ({"language": "fr"}, "language must be one of en, nl"),
        ({"photo_s": -1}, "seconds per photo"),
        ({"target_length_s": 1}, "target length"),
        ({"colour": "red"}, "Unknown film option(s): colour"),
    ],
)
def test_bad_options_say_what_is_wrong(data: dict[str, object], message: str) -> None:
    with pytest.raises(PlanError, match=message.replace("(", r"\(").replace(")", r"\)")):
        FilmOptions.from_dict(data)


def test_no_moments_is_a_plan_error() -> None:
    with pytest.raises(PlanError, match="no moments"):
        build_film_plan([], PROJECT_EN, FilmOptions())


def test_letters_lato_lacks_are_composed_not_boxed() -> None:
    plain, marks = shape("Mevr. Ğ. Çelik, ĳsje, Őz", "regular")
    assert plain == "Mevr. G. Çelik, ijsje, Oz"
    assert marks == [(6, "˘"), (23, "˝")]
    assert shape("Eén dag, Zoë", "bold") == ("Eén dag, Zoë", [])


LANES_DAY = [
    photo("zoe-coffee", datetime(2024, 7, 24, 7, 10), alias="Zoë", role="customer", caption="Koffie"),
    clip("sem-ovens", datetime(2024, 7, 24, 7, 25), 6.0, alias="Sem", role="employee"),
    photo("zoe-bus", datetime(2024, 7, 24, 7, 40), alias="Zoë", role="customer"),
    photo("guest", datetime(2024, 7, 24, 8, 0), alias="Gast"),  # no role
    clip("ahmed-meeting", datetime(2024, 7, 24, 9, 5), 1.5, alias="Ahmed", role="employee", caption="Overleg"),
]


def lanes_of(plan: FilmPlan) -> list[tuple[str | None, str | None]]:
    """Per lanes segment: (customer moment id, employee moment id), None for a placeholder."""
    return [tuple(lane.moment.moment_id if lane.moment else None for lane in s.lanes)  # type: ignore[misc]
            for s in plan.segments if s.kind == "lanes"]


def test_lanes_pair_each_hours_customers_and_employees_in_order() -> None:
    plan = build_film_plan(LANES_DAY, PROJECT_NL, FilmOptions(lanes=True, chapters="hours", photo_s=4.0, fps=10))
    assert order(plan) == ["Een dag", "07:00", "None", "None", "09:00", "None", "Dank je wel"]
    assert lanes_of(plan) == [("zoe-coffee", "sem-ovens"), ("zoe-bus", None), (None, "ahmed-meeting")]
    first, second, third = (s for s in plan.segments if s.kind == "lanes")
    assert [(lane.role, lane.label, lane.hour) for lane in second.lanes] == [
        ("customer", "Klant", "07:00"), ("employee", "Medewerker", "07:00")]
    assert [lane.hour for lane in third.lanes] == ["09:00", "09:00"]
    # a pair lasts as long as its longer side; each side is a whole moment segment of that length
    assert first.frames == 60 and {lane.moment.frames for lane in first.lanes} == {60}  # type: ignore[union-attr]
    photo_side, clip_side = (lane.moment for lane in first.lanes)
    assert photo_side.kind == "photo" and photo_side.ken_burns is not None  # type: ignore[union-attr]
    assert (clip_side.kind, clip_side.clip_s) == ("clip", 6.0)  # type: ignore[union-attr]
    # a 1.5 s clip beside a placeholder: the pair is as long as the clip
    assert third.frames == 15 and third.lanes[1].moment.clip_s == 1.5  # type: ignore[union-attr]
    # the lane says the role, so the caption does not repeat it
    assert photo_side.caption.header() == "Zoë · 07:10"  # type: ignore[union-attr]
    assert first.cue_text() == "Klant: Zoë · 07:10\nKoffie\nMedewerker: Sem · 07:25"
    opening, closing = plan.segments[0].card, plan.segments[-1].card
    assert opening.detail == "3 deelnemers · klanten en medewerkers naast elkaar"  # type: ignore[union-attr]
    assert closing.subtitle == "4 momenten van 3 deelnemers"  # type: ignore[union-attr]


def test_lanes_leave_out_moments_without_a_role_and_say_so() -> None:
    plan = build_film_plan(LANES_DAY, PROJECT_EN, FilmOptions(lanes=True))
    assert "guest" not in {m for pair in lanes_of(plan) for m in pair}
    assert [c for c in plan.cuts if c.moment_id == "guest"] == [
        Cut("guest", "dropped", 4.0, 0.0, "no role: lanes show customers and employees")]
    assert [lane.label for lane in plan.segments[2].lanes] == ["Customer", "Employee"]
    nobody = [m for m in LANES_DAY if not m.role]
    with pytest.raises(PlanError, match="needs moments with a role"):
        build_film_plan(nobody, PROJECT_EN, FilmOptions(lanes=True))


def test_lanes_budget_shortens_pairs_and_keeps_one_per_hour() -> None:
    moments = [photo(f"c{i}", datetime(2024, 7, 24, 9, i), role="customer") for i in range(6)]
    moments += [photo(f"e{i}", datetime(2024, 7, 24, 9, 30 + i), role="employee") for i in range(6)]
    moments += [photo("late", datetime(2024, 7, 24, 17, 0), role="employee")]
    shortened = build_film_plan(moments, PROJECT_EN, FilmOptions(lanes=True, chapters="none", target_length_s=20))
    assert len(lanes_of(shortened)) == 7 and shortened.length_s == pytest.approx(20, abs=0.5)
    assert sorted(c.moment_id for c in shortened.cuts if c.action == "shortened") == sorted(m.id for m in moments)
    plan = build_film_plan(moments, PROJECT_EN, FilmOptions(lanes=True, chapters="none", target_length_s=12))
    pairs = lanes_of(plan)
    assert (None, "late") in pairs and any(p != (None, "late") for p in pairs)  # each hour keeps a pair
    dropped = {c.moment_id for c in plan.cuts if c.action == "dropped"}
    assert dropped and dropped <= {m.id for m in moments[:12]}
    assert all(f"c{i}" in dropped and f"e{i}" in dropped for i in range(6) if (f"c{i}", f"e{i}") not in pairs)
    assert plan.length_s <= 12.5


def test_lanes_plan_is_deterministic_and_round_trips_through_json() -> None:
    options = FilmOptions(lanes=True, seed=3, target_length_s=25)
    first = build_film_plan(LANES_DAY, PROJECT_NL, options)
    assert first.to_dict() == build_film_plan(list(reversed(LANES_DAY)), PROJECT_NL, options).to_dict()
    data = json.loads(json.dumps(first.to_dict()))
    bus = next(i for i, s in enumerate(data["segments"]) if s["id"] == "l-zoe-bus+_")
    assert data["version"] == 2 and data["segments"][bus]["lanes"][1]["moment"] is None
    loaded = FilmPlan.from_dict(data)
    assert loaded == first
    assert isinstance(loaded.segments[bus].lanes[0].moment.ken_burns, KenBurns)  # type: ignore[union-attr]


def test_lanes_option_from_dict_and_validation() -> None:
    assert FilmOptions.from_dict({"lanes": True}).lanes is True
    assert FilmOptions().to_dict()["lanes"] is False
    assert FilmOptions.from_dict(FilmOptions(lanes=True).to_dict()) == FilmOptions(lanes=True)
    with pytest.raises(PlanError, match="must be true or false"):
        FilmOptions.from_dict({"lanes": "yes"})
