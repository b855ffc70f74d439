"""The film and collage builders: form values -> options, and a film plan preview built in the request.

Planning is pure and cheap (no media is decoded), so staff see chapters, order, length and what the
budget cut before they spend minutes rendering.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from app.models import Project, Render, User
from app.schemas import RenderPublic
from app.services import rendering
from app.services.curation import to_pipeline
from app.services.errors import Invalid
from media_pipeline.film.budget import CONTRIBUTOR_SHOWN, HOUR_SHOWN, OVER_BUDGET
from media_pipeline.film.plan import NO_ROLE
from media_pipeline.plan import FilmOptions, PlanError, build_film_plan

log = logging.getLogger("dayreel.builder")

FILM_FIELDS = ("size", "fps", "target_length_s", "photo_s", "max_clip_s", "transition_s", "chapters", "ordering",
               "language", "quality")
NUMBERS = {"fps": int, "target_length_s": float, "photo_s": float, "max_clip_s": float, "transition_s": float}
FILM_DEFAULTS: dict[str, Any] = {"size": "1280x720", "fps": 25, "target_length_s": "", "photo_s": 4.0,
                                 "max_clip_s": 8.0, "transition_s": 0.5, "chapters": "parts",
                                 "ordering": "time-of-day", "language": "", "quality": "final", "lanes": False,
                                 "music": False}
COLLAGE_SIZES = ("3840x2160", "1920x1080", "A3", "A2")
COLLAGE_FORMATS = ("png", "jpg", "pdf")
PREVIEW_COLLAGE = {"size": "960x540", "format": "png"}
# why a moment is not in the film (the plan says it in English) -> the page's words for it
LEFT_OUT_KEYS = {OVER_BUDGET: "left_out.over_budget", HOUR_SHOWN: "left_out.hour_shown",
                 CONTRIBUTOR_SHOWN: "left_out.contributor_shown", NO_ROLE: "left_out.no_role"}
# why the planner cut a moment (its English words) → the film page's translated words (cut.reason.<key>)
CUT_REASONS = {"longer than the longest clip": "longest_clip", "length budget": "budget",
               "no role: lanes show customers and employees": "no_role"}


def film_options_from_form(form: Mapping[str, str], *, music_key: str | None = None) -> dict[str, Any]:
    """Film options from a form (or query string); empty fields keep the planner's defaults."""
    options: dict[str, Any] = {}
    for name in FILM_FIELDS:
        value = str(form.get(name, "")).strip()
        if not value:
            continue
        if name in NUMBERS:
            try:
                number = NUMBERS[name](value)
                if not math.isfinite(number):  # "nan" and "inf" parse as floats but are no length
                    raise ValueError(value)
            except ValueError:
                raise Invalid(f"{name.replace('_', ' ')} must be a number, not '{value}'") from None
            options[name] = number
        else:
            options[name] = value
    if str(form.get("lanes", "")).lower() in ("1", "on", "true"):
        options["lanes"] = True
    if music_key and str(form.get("music", "")).lower() in ("1", "on", "true"):
        options["music_key"] = music_key
    return options


def form_values(form: Mapping[str, str]) -> dict[str, Any]:
    """What to show in the film form: the defaults, overridden by what was asked."""
    values = dict(FILM_DEFAULTS)
    values.update({k: v for k, v in form.items() if k in FILM_DEFAULTS and str(v).strip()})
    for flag in ("lanes", "music"):
        values[flag] = str(form.get(flag, "")).lower() in ("1", "on", "true")
    return values


def _segment_moment_ids(seg: dict[str, Any]) -> list[str]:
    if seg.get("moment_id"):
        return [seg["moment_id"]]
    return [lane["moment"]["moment_id"] for lane in seg.get("lanes") or [] if lane.get("moment")]


def film_plan_preview(*, session: Session, project: Project, options: dict[str, Any]) -> dict[str, Any]:
    """The plan these options would render, summarised for people: chapters, order, length, cuts."""
    moments = rendering.approved_moments(session, project)
    if not moments:
        raise Invalid("there are no approved moments yet: approve some moments first")
    try:
        film_options = FilmOptions.from_dict(options)
        plan = build_film_plan([to_pipeline(m) for m in moments], rendering.project_info(project), film_options,
                               rendering.film_themes(session, project, film_options)).to_dict()
    except PlanError as err:
        raise Invalid(str(err)) from None
    except Exception as err:  # the preview answers with a sentence, never a 500; the log keeps the details
        log.exception("film plan preview of project %s failed", project.id)
        raise Invalid(f"the plan could not be made ({type(err).__name__}); "
                      "check the times of the moments, or tell the administrator") from None
    by_id = {str(m.id): m for m in moments}
    rows = []
    for seg in plan["segments"]:
        # a lanes segment shows two moments side by side: one row each, at the same start
        for moment_id in _segment_moment_ids(seg) or [""]:
            m = by_id.get(moment_id)
            rows.append({
                "kind": seg["kind"], "chapter": seg["chapter"], "start_s": seg["start_s"],
                "duration_s": seg["duration_s"], "title": (seg.get("card") or {}).get("title", ""),
                "moment_id": m.id if m else None,
                "time": m.captured_local.strftime("%H:%M") if m else "", "caption": m.caption if m else "",
            })
    cuts = [{**c, "time": by_id[c["moment_id"]].captured_local.strftime("%H:%M") if c["moment_id"] in by_id else "",
             "caption": by_id[c["moment_id"]].caption if c["moment_id"] in by_id else "",
             "reason_key": CUT_REASONS.get(c["reason"], "")}
            for c in plan["cuts"] if c["action"] != "dropped"]
    return {"length_s": plan["length_s"], "natural_length_s": plan["natural_length_s"],
            "target_length_s": plan["target_length_s"], "chapters": plan["chapters"], "segments": rows, "cuts": cuts,
            "left_out": left_out_summary(plan["cuts"]),
            "moment_count": sum(1 for r in rows if r["moment_id"]), "size": f"{plan['width']}x{plan['height']}",
            "fps": plan["fps"]}


def left_out_summary(cuts: list[dict[str, Any]]) -> dict[str, Any]:
    """The moments not in the film, counted by reason (most common first): thousands fit in a few lines."""
    reasons = Counter(c["reason"] for c in cuts if c["action"] == "dropped")
    return {"count": sum(reasons.values()),
            "reasons": [{"reason": r, "key": LEFT_OUT_KEYS.get(r), "count": n} for r, n in reasons.most_common()]}


def collage_options_from_form(form: Mapping[str, str]) -> dict[str, Any]:
    options: dict[str, Any] = {k: str(form[k]) for k in ("layout", "size", "format", "max_tiles")
                               if str(form.get(k, "")).strip()}
    for flag in ("labels", "title", "landscape"):
        options[flag] = str(form.get(flag, "")).lower() in ("1", "on", "true")
    return options


def request_collage_with_preview(
    *, session: Session, project: Project, options: dict[str, Any], user: User
) -> tuple[Render, Render | None]:
    """Queue a small PNG preview first (it finishes long before the full size), then the collage asked for."""
    rendering.parse_options("collage", options)  # a bad option fails (Invalid) before anything is queued
    preview = None
    if options.get("size") not in (None, PREVIEW_COLLAGE["size"]) or options.get("format", "png") != "png":
        preview = rendering.request_render(session=session, project=project, kind="collage",
                                           options={**options, **PREVIEW_COLLAGE, "landscape": False}, user=user)
    main = rendering.request_render(session=session, project=project, kind="collage", options=options, user=user)
    return main, preview


def render_label(render: Render) -> dict[str, str]:
    """What a staff member picks a download by: the layout ('film' for a film; the page translates it), the size
    ('1920x1080', 'A3') and the file type ('mp4', 'pdf'); templates show it with _partials.render_label."""
    o = render.options
    size = o.get("paper") or f"{o.get('width')}x{o.get('height')}"
    return {"what": o.get("layout", "film"), "size": size, "format": rendering.output_ext(render)}


def past_renders(*, session: Session, project: Project, kind: str) -> list[dict[str, Any]]:
    """The project's films or collages, newest first, each with its label and an 'outdated' mark."""
    rows = session.scalars(select(Render).where(Render.project_id == project.id, Render.kind == kind)
                           .order_by(Render.id.desc()).options(defer(Render.plan)))
    # the same test as rendering.is_outdated, with the current digest computed once for the whole list
    current = rendering.moments_digest(session, project)
    return [{"render": RenderPublic.of(r), "label": render_label(r),
             "outdated": r.status == "done" and not rendering.digest_matches(session, r, current)} for r in rows]


def watch_values(*, session: Session, render: Render, preview_id: int | None) -> dict[str, Any]:
    """The watch page: the render, its chapters, and (collages) the small preview queued alongside."""
    preview = None
    if preview_id:
        other = session.get(Render, preview_id)
        if other is not None and other.project_id == render.project_id and other.kind == "collage":
            preview = RenderPublic.of(other)
    return {"render": RenderPublic.of(render), "label": render_label(render),
            "chapters": (render.plan or {}).get("chapters", []) if render.kind == "film" else [],
            "preview": preview, "outdated": render.status == "done" and rendering.is_outdated(session=session,
                                                                                             render=render),
            "sizes": COLLAGE_SIZES, "formats": COLLAGE_FORMATS}
