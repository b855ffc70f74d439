"""The length budget: shorten fairly when the material is longer than the target length.

First every moment is shortened in proportion (photos show for less time, long clips lose most) down to a
floor; only if the floors alone are too long are moments dropped, always from the contributor with the
most moments left, so every contributor keeps at least one.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# (moment id, contributor, natural seconds, floor seconds, mood or None)
BudgetItem = tuple[str, str, float, float, int | None]
NEUTRAL_MOOD = 3  # an unrated moment ranks between liked and disliked ones


@dataclass(frozen=True)
class Budgeted:
    durations_s: dict[str, float]  # kept moments only
    shortened: list[tuple[str, float, float]]  # (id, natural s, planned s)
    dropped: list[tuple[str, float]]  # (id, natural s)


def fit_budget(
    items: Sequence[BudgetItem],
    *,
    target_s: float | None,
    fixed_s: Callable[[set[str]], float],
    seed: int,
) -> Budgeted:
    """Seconds per kept moment so that moments + `fixed_s(kept ids)` fit `target_s` where possible."""
    natural = {item[0]: item[2] for item in items}
    floor = {item[0]: min(item[2], item[3]) for item in items}
    kept = [item[0] for item in items]
    if target_s is None or sum(natural.values()) + fixed_s(set(kept)) <= target_s:
        return Budgeted(dict(natural), [], [])

    tie_break = {item[0]: rank for rank, item in enumerate(random.Random(seed).sample(list(items), len(items)))}
    by_id = {item[0]: item for item in items}
    dropped: list[tuple[str, float]] = []
    while sum(floor[i] for i in kept) + fixed_s(set(kept)) > target_s:
        victim = _next_to_drop([by_id[i] for i in kept], tie_break)
        if victim is None:
            break  # every contributor is down to one moment: keep them all, the film runs over
        kept.remove(victim)
        dropped.append((victim, natural[victim]))

    room = target_s - fixed_s(set(kept))
    low, high = 0.0, 1.0
    for _ in range(60):  # bisection on one shared factor: everyone gives up the same share
        mid = (low + high) / 2
        if sum(max(floor[i], natural[i] * mid) for i in kept) > room:
            high = mid
        else:
            low = mid
    durations = {i: max(floor[i], natural[i] * low) for i in kept}
    shortened = [(i, natural[i], durations[i]) for i in kept if durations[i] < natural[i] - 1e-6]
    return Budgeted(durations, shortened, dropped)


def _next_to_drop(kept: Sequence[BudgetItem], tie_break: dict[str, int]) -> str | None:
    counts: dict[str, int] = {}
    for item in kept:
        counts[item[1]] = counts.get(item[1], 0) + 1
    crowded = [item for item in kept if counts[item[1]] > 1]
    if not crowded:
        return None
    most = max(counts[item[1]] for item in crowded)
    candidates = [item for item in crowded if counts[item[1]] == most]
    victim = min(
        candidates,
        key=lambda item: (item[4] if item[4] is not None else NEUTRAL_MOOD, item[1], -tie_break[item[0]]),
    )
    return victim[0]
