"""Life in a Day films: `build_film_plan` (moments + options -> FilmPlan, pure), `render_film` (plan -> MP4) and,
to spread one film over several machines, `render_segment` (one segment into a shared cache)."""

from media_pipeline.film.cache import SharedCache, prune_cache
from media_pipeline.film.options import FilmOptions, PlanError
from media_pipeline.film.plan import (
    Caption,
    Card,
    Chapter,
    Cut,
    FilmPlan,
    KenBurns,
    Lane,
    Segment,
    build_film_plan,
)
from media_pipeline.film.render import FilmResult, SegmentOutcome, render_film, render_segment

__all__ = [
    "Caption",
    "Card",
    "Chapter",
    "Cut",
    "FilmOptions",
    "FilmPlan",
    "FilmResult",
    "KenBurns",
    "Lane",
    "PlanError",
    "Segment",
    "SegmentOutcome",
    "SharedCache",
    "build_film_plan",
    "prune_cache",
    "render_film",
    "render_segment",
]
