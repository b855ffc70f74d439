"""The length budget: make the film as long as its target, choosing fairly when there is too much.

First every moment is shortened in proportion (photos show for less time, long clips lose most) down to
a floor. Only when the floors alone are too long does the film take a subset: moments in their fair order
(`media_pipeline.selection`: every hour first, then round-robin across contributors, best-rated and
varied first) for as long as they fit, then all of them stretched back toward their natural length to
fill the target. At least one moment is always kept. Everything else is left out with a reason.

The film's length is modelled exactly as the plan lays it out: fixed seconds for opening and closing,
a chapter card wherever the chapter changes between kept neighbours, and one transition's overlap per
segment. O(N log N).
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from media_pipeline.selection import Candidate, fair_order

OVER_BUDGET = "length budget: no room left"
HOUR_SHOWN = "length budget: this hour is already in the film"
CONTRIBUTOR_SHOWN = "length budget: this contributor is already in the film"
LEFT_OUT_REASONS = (CONTRIBUTOR_SHOWN, HOUR_SHOWN, OVER_BUDGET)


@dataclass(frozen=True)
class BudgetItem:
    """One segment's worth of moments, in film order. Seconds."""

    candidate: Candidate  # id, hour, contributor, role, kind and rating for the fair order
    natural_s: float
    floor_s: float
    chapter: Hashable  # a kept item whose chapter differs from its kept predecessor's costs a chapter card


@dataclass(frozen=True)
class Layout:
    """The seconds that are not moments: length = base + chapters * per_chapter + sum(duration + per_item)."""

    base_s: float  # opening + closing, less one overlap
    per_chapter_s: float  # a chapter card less its overlap (0 without chapters)
    per_item_s: float  # minus one overlap per moment segment


@dataclass(frozen=True)
class Budgeted:
    durations_s: dict[str, float]  # kept items only
    shortened: list[tuple[str, float, float]]  # (id, natural s, planned s)
    left_out: list[tuple[str, float, str]]  # (id, natural s, reason), in film order


def fit_budget(items: Sequence[BudgetItem], *, target_s: float | None, layout: Layout, seed: int) -> Budgeted:
    """Seconds per kept item so the film lasts `target_s` (within a fraction of a card), when it can."""
    natural = {it.candidate.id: it.natural_s for it in items}
    if target_s is None or _length([it.natural_s for it in items], _chapters(items), layout) <= target_s:
        return Budgeted(natural, [], [])

    floors = [min(it.natural_s, it.floor_s) for it in items]
    if _length(floors, _chapters(items), layout) <= target_s:
        kept = list(range(len(items)))
    else:
        kept = _fitting(items, floors, target_s, layout, seed)
    chapters = _chapters([items[i] for i in kept])
    room = target_s - layout.base_s - chapters * layout.per_chapter_s - len(kept) * layout.per_item_s
    low, high = 0.0, 1.0
    for _ in range(40):  # bisection on one shared factor: everyone gives up the same share
        mid = (low + high) / 2
        if sum(max(floors[i], items[i].natural_s * mid) for i in kept) > room:
            high = mid
        else:
            low = mid
    durations = {items[i].candidate.id: max(floors[i], items[i].natural_s * low) for i in kept}
    shortened = [(i, natural[i], d) for i, d in durations.items() if d < natural[i] - 1e-6]
    return Budgeted(durations, shortened, _left_out(items, kept))


def _length(durations: Sequence[float], chapters: int, layout: Layout) -> float:
    return layout.base_s + chapters * layout.per_chapter_s + sum(durations) + len(durations) * layout.per_item_s


def _chapters(items: Sequence[BudgetItem]) -> int:
    """Chapter cards: one at the start and one wherever the chapter changes."""
    return sum(1 for k, it in enumerate(items) if k == 0 or it.chapter != items[k - 1].chapter)


def _fitting(items: Sequence[BudgetItem], floors: Sequence[float], target_s: float, layout: Layout,
             seed: int) -> list[int]:
    """Positions (film order) of the longest prefix of the fair order that fits at the floors; never empty."""
    kept: list[int] = []
    length = layout.base_s
    for i in fair_order([it.candidate for it in items], seed):
        at = bisect.bisect_left(kept, i)
        here, has_after = items[i].chapter, at < len(kept)
        before = items[kept[at - 1]].chapter if at > 0 else None
        after = items[kept[at]].chapter if has_after else None
        # chapter cards: i starts a chapter unless its predecessor shares it; its successor may start
        # one now (i differs) where it did not before, or no longer (i shares it)
        cards = (at == 0 or before != here) + (has_after and here != after) \
            - (has_after and (at == 0 or before != after))
        grown = length + floors[i] + layout.per_item_s + cards * layout.per_chapter_s
        if kept and grown > target_s + 1e-9:
            break
        kept.insert(at, i)
        length = grown
    return kept


def _left_out(items: Sequence[BudgetItem], kept: Sequence[int]) -> list[tuple[str, float, str]]:
    """Why each item not kept is out: its contributor or its hour is already in, or simply no room."""
    kept_set = set(kept)
    people = {items[i].candidate.contributor for i in kept}
    hours = {items[i].candidate.hour for i in kept}
    out = []
    for i, it in enumerate(items):
        if i in kept_set:
            continue
        c = it.candidate
        reason = CONTRIBUTOR_SHOWN if c.contributor in people else HOUR_SHOWN if c.hour in hours else OVER_BUDGET
        out.append((c.id, it.natural_s, reason))
    return out
