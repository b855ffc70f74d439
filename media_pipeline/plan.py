"""Moments + options -> plans (plain data). One import point for the film and collage planners."""

from media_pipeline.collage import CollageOptions, CollagePlan, build_collage_plan, render_collage
from media_pipeline.film import FilmOptions, FilmPlan, FilmResult, PlanError, build_film_plan, render_film

__all__ = [
    "CollageOptions",
    "CollagePlan",
    "FilmOptions",
    "FilmPlan",
    "FilmResult",
    "PlanError",
    "build_collage_plan",
    "build_film_plan",
    "render_collage",
    "render_film",
]
