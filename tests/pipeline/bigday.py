"""Synthetic big days for planning tests and benchmarks: metadata only, no files."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from media_pipeline.types import Moment

DAY = datetime(2025, 6, 21)
SHAPES = [(4032, 3024), (3024, 4032), (1920, 1080), (1080, 1920), (3000, 3000)]


def big_day(count: int, *, per_contributor: int = 5, seed: int = 11) -> list[Moment]:
    """`count` moments from 06:00 to 23:00 (busiest around lunch), `per_contributor` from each contributor,
    half customers and half employees, one in eight a clip, moods and captions on some."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        person = i // per_contributor
        hour = min(23.99, max(6.0, rng.triangular(6.0, 24.0, 12.5)))
        clip = i % 8 == 7
        w, h = SHAPES[i % len(SHAPES)]
        out.append(Moment(
            id=f"m{i:05d}", key=f"m{i:05d}.{'mp4' if clip else 'jpg'}", kind="clip" if clip else "photo",
            width=w, height=h, local_time=DAY + timedelta(hours=hour), utc_offset_min=120,
            duration_s=rng.uniform(2.0, 30.0) if clip else None, caption="Koffie" if rng.random() < 0.3 else "",
            alias=f"Person {person}", contributor=f"c{person}", role=("customer", "employee")[person % 2],
            mood=rng.choice([None, 1, 2, 3, 4, 5]),
        ))
    rng.shuffle(out)
    return out
