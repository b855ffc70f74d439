"""The length budget on big days: the target is kept, the subset is fair, the rest is named with a reason."""

from __future__ import annotations

import random

import pytest

from media_pipeline.film import FilmOptions, FilmPlan, build_film_plan
from media_pipeline.film.budget import LEFT_OUT_REASONS
from media_pipeline.film.plan import CHAPTER_S
from media_pipeline.selection import contributor_of
from media_pipeline.types import Moment, ProjectInfo
from tests.pipeline.bigday import big_day

PROJECT = ProjectInfo(title="Een grote dag", date="2025-06-21", language="nl")


def kept_ids(plan: FilmPlan) -> list[str]:
    return [s.moment_id for s in plan.segments if s.moment_id]


@pytest.mark.parametrize(("count", "target_s"), [(10, 30.0), (1_000, 120.0), (5_000, 120.0)])
@pytest.mark.parametrize("chapters", ["parts", "hours", "none"])
def test_the_film_lasts_its_target_within_one_card(count: int, target_s: float, chapters: str) -> None:
    plan = build_film_plan(big_day(count), PROJECT, FilmOptions(target_length_s=target_s, chapters=chapters))  # type: ignore[arg-type]
    assert plan.natural_length_s > target_s  # there was too much: the budget had work to do
    assert abs(plan.length_s - target_s) <= CHAPTER_S
    kept = set(kept_ids(plan))
    dropped = [c.moment_id for c in plan.cuts if c.action == "dropped"]
    assert len(kept) + len(dropped) == count and not kept & set(dropped)  # every moment in, or named once
    assert {c.reason for c in plan.cuts if c.action == "dropped"} <= set(LEFT_OUT_REASONS)


def test_lanes_films_keep_the_target_too() -> None:
    plan = build_film_plan(big_day(1_000), PROJECT, FilmOptions(target_length_s=120, lanes=True))
    assert abs(plan.length_s - 120) <= CHAPTER_S
    assert len([s for s in plan.segments if s.kind == "lanes"]) > 10


def test_every_hour_with_moments_is_in_the_film_and_contributors_are_spread() -> None:
    moments = big_day(1_000)
    plan = build_film_plan(moments, PROJECT, FilmOptions(target_length_s=150, chapters="hours"))
    by_id = {m.id: m for m in moments}
    kept = [by_id[i] for i in kept_ids(plan)]
    hours = {m.local_time.hour for m in moments}
    assert len(kept) >= len(hours)  # slots >= hours ...
    assert {m.local_time.hour for m in kept} == hours  # ... so every hour is in
    # 200 contributors and fewer slots: nobody twice while others are not in at all
    assert len({contributor_of(m) for m in kept}) == len(kept)
    roles = [m.role for m in kept]
    assert abs(roles.count("customer") - roles.count("employee")) <= len(kept) // 4
    # the busiest hours get more room than the quiet ones
    per_hour = {h: sum(1 for m in kept if m.local_time.hour == h) for h in hours}
    assert per_hour[12] > per_hour[6] and per_hour[13] > per_hour[23]


def test_best_rated_moments_go_first() -> None:
    moments = big_day(1_000)
    plan = build_film_plan(moments, PROJECT, FilmOptions(target_length_s=120))
    by_id = {m.id: m for m in moments}
    kept = [by_id[i] for i in kept_ids(plan)]
    dropped = [by_id[c.moment_id] for c in plan.cuts if c.action == "dropped"]

    def mean_mood(ms: list[Moment]) -> float:
        return sum(m.mood if m.mood is not None else 3 for m in ms) / len(ms)

    assert mean_mood(kept) > mean_mood(dropped) + 0.5


def test_a_contributor_already_shown_is_the_reason_when_it_is() -> None:
    # four people, twenty moments each, all in one hour: room for a few; each person's first goes in first
    moments = [Moment(id=f"p{p}-{i}", key="k", kind="photo", width=4, height=3, contributor=f"p{p}",
                      local_time=big_day(1)[0].local_time.replace(hour=10, minute=i), mood=3)
               for p in range(4) for i in range(20)]
    plan = build_film_plan(moments, PROJECT, FilmOptions(target_length_s=30, chapters="none"))
    kept = kept_ids(plan)
    assert {k.split("-")[0] for k in kept} == {"p0", "p1", "p2", "p3"}  # everyone before anyone twice
    reasons = {c.reason for c in plan.cuts if c.action == "dropped"}
    assert reasons == {"length budget: this contributor is already in the film"}


def test_the_choice_is_deterministic_for_a_seed_and_ignores_input_order() -> None:
    moments = big_day(1_000)
    options = FilmOptions(target_length_s=120, seed=4)
    first = build_film_plan(moments, PROJECT, options)
    shuffled = list(moments)
    random.Random(9).shuffle(shuffled)
    assert build_film_plan(shuffled, PROJECT, options).to_dict() == first.to_dict()
    other = build_film_plan(moments, PROJECT, FilmOptions(target_length_s=120, seed=5))
    assert kept_ids(other) != kept_ids(first)
