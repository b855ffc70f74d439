"""A fair, representative order of moments, for when there are more moments than room.

Films (the length budget) and collages (the legible tile count) both take the first so many moments of
`fair_order`. Any prefix of the order is as fair as its length allows:

1. one moment from every hour that has moments (busiest hours first), each from a contributor and a
   role not yet picked where the hour has one: with as many slots as hours, every hour is in;
2. then round-robin across contributors: every contributor's best moment before anyone's second,
   every second before anyone's third. Within a round, each (hour, role) stratum advances in
   proportion to its size, so a busy morning gets more room than a quiet night and roles their share;
3. a contributor's own moments go best-rated first, and varied: a different hour before a second from
   the same hour, a clip beside photos.

Best-rated: the mood (1-5; none counts as 3) with half a point for a caption. Ties are broken by a
seeded shuffle, so the order is deterministic for a seed and never depends on the input order.
O(N log N).
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from media_pipeline.types import Moment

NEUTRAL_MOOD = 3  # an unrated moment ranks between liked and disliked ones
CAPTION_BONUS = 0.5  # a caption says what the moment is: worth half a mood point


@dataclass(frozen=True)
class Candidate:
    """What fairness needs to know of a moment (or of a film's pair of moments)."""

    id: str
    hour: Hashable  # when, as a stratum: the hour of the day (with its date when days differ)
    contributor: str
    role: str = ""
    kind: str = "photo"
    quality: float = NEUTRAL_MOOD


def quality_of(moments: Sequence[Moment]) -> float:
    """The best of the moments' ratings: mood (none = neutral) plus a bonus for a caption."""
    return max((m.mood if m.mood is not None else NEUTRAL_MOOD) + (CAPTION_BONUS if m.caption.strip() else 0.0)
               for m in moments)


def contributor_of(m: Moment) -> str:
    """A stable key for who contributed: their id, else their alias."""
    return m.contributor or m.alias.strip() or "(anonymous)"


def candidate_of(m: Moment, hour: Hashable) -> Candidate:
    return Candidate(m.id, hour, contributor_of(m), m.role, m.kind, quality_of([m]))


def fair_order(candidates: Sequence[Candidate], seed: int) -> list[int]:
    """Indices into `candidates`, in the order they should be taken (see the module's docstring)."""
    n = len(candidates)
    shuffled = list(range(n))
    # ties by a seeded shuffle of the ids, sorted first so the input order never matters
    by_id = sorted(range(n), key=lambda i: candidates[i].id)
    random.Random(seed).shuffle(shuffled)
    tie = [0] * n
    for rank, i in zip(shuffled, by_id, strict=True):
        tie[i] = rank

    rating = [(-c.quality, tie[i]) for i, c in enumerate(candidates)]
    best_first = rating.__getitem__  # the sort key: best-rated first, ties by the seeded shuffle

    hours: dict[Hashable, list[int]] = defaultdict(list)
    for i in sorted(range(n), key=best_first):
        hours[candidates[i].hour].append(i)

    # 1. one per hour, busiest first: a contributor and role not yet shown where the hour has one
    picked: list[int] = []
    taken = [False] * n
    used_people: set[str] = set()
    used_roles: Counter[str] = Counter()
    busiest = sorted(hours, key=lambda h: (-len(hours[h]), tie[hours[h][0]]))
    for hour in busiest:
        members = hours[hour]
        fresh = [i for i in members if candidates[i].contributor not in used_people] or members
        least = min(used_roles[candidates[i].role] for i in fresh)
        choice = next(i for i in fresh if used_roles[candidates[i].role] == least)
        picked.append(choice)
        taken[choice] = True
        used_people.add(candidates[choice].contributor)
        used_roles[candidates[choice].role] += 1

    # 2. round-robin across contributors; a contributor's moments varied and best first
    already = Counter(candidates[i].contributor for i in picked)
    round_of = [0] * n
    per_person: dict[str, list[int]] = defaultdict(list)
    picked_hours: dict[str, list[Hashable]] = defaultdict(list)
    for i in picked:
        picked_hours[candidates[i].contributor].append(candidates[i].hour)
    for i in range(n):
        if not taken[i]:
            per_person[candidates[i].contributor].append(i)
    for person, members in per_person.items():
        seen_hour: Counter[Hashable] = Counter(picked_hours[person])
        seen_kind: Counter[str] = Counter()
        variety = {}
        for i in sorted(members, key=best_first):
            c = candidates[i]
            variety[i] = (seen_hour[c.hour], seen_kind[c.kind])
            seen_hour[c.hour] += 1
            seen_kind[c.kind] += 1
        for rank, i in enumerate(sorted(members, key=lambda i: (variety[i], rating[i]))):
            round_of[i] = already[person] + rank

    # within a round, each (hour, role) stratum advances in proportion to its size
    strata: dict[tuple[int, Hashable, str], list[int]] = defaultdict(list)
    size: Counter[tuple[Hashable, str]] = Counter()
    for i in range(n):
        if not taken[i]:
            strata[(round_of[i], candidates[i].hour, candidates[i].role)].append(i)
            size[(candidates[i].hour, candidates[i].role)] += 1
    share = [0.0] * n
    done: Counter[tuple[Hashable, str]] = Counter()
    for key in sorted(strata, key=lambda k: k[0]):
        stratum = (key[1], key[2])
        for i in sorted(strata[key], key=best_first):
            share[i] = (done[stratum] + 0.5) / size[stratum]
            done[stratum] += 1
    rest = sorted((i for i in range(n) if not taken[i]), key=lambda i: (round_of[i], share[i], rating[i]))
    return picked + rest
