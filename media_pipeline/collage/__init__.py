"""Collages of a day's moments: mosaic, 24-hour clock, timeline with mood, grid, customer/employee lanes;
PNG, JPEG or PDF.

`build_collage_plan` (pure) decides where everything goes; `render_collage` paints it.
"""

from media_pipeline.collage.model import CollagePlan, CollageTile
from media_pipeline.collage.options import CollageOptions, PlanError
from media_pipeline.collage.plan import build_collage_plan
from media_pipeline.collage.render import render_collage

__all__ = [
    "CollageOptions",
    "CollagePlan",
    "CollageTile",
    "PlanError",
    "build_collage_plan",
    "render_collage",
]
