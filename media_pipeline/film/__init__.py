"""Life in a Day films: `build_film_plan` (moments + options -> FilmPlan, pure) and `render_film` (plan -> MP4)."""

from media_pipeline.film.cache import prune_cache
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
from media_pipeline.film.render import FilmResult, render_film

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
    "build_film_plan",
    "prune_cache",
    "render_film",
]
