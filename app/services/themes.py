"""Themes of a project: found in the captions once, then owned by staff.

The first extraction fills the table; after that, running it again only *suggests* new moments for the
existing themes (and offers new candidates): it never moves a moment staff placed, never brings back a
theme staff removed, never renames one. Staff rename, merge, split, remove, move moments, add by hand.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.models import Moment, Project, Theme, ThemeMember
from app.services.curation import moments_in_day_order, to_pipeline
from app.services.errors import Invalid, NotFound
from app.services.ingest import SCOPES
from app.storage.base import Storage
from media_pipeline.themes import extract
from media_pipeline.themes.draw import render_theme_map
from media_pipeline.themes.map import build_theme_map_plan
from media_pipeline.themes.options import ThemeMapOptions
from media_pipeline.types import Moment as PipelineMoment

MAX_NAME_CHARS = 120


@dataclass(frozen=True)
class ThemeView:
    """One theme as staff, the map and the report see it."""

    id: int
    name: str
    origin: str
    figures: extract.Theme  # the pipeline's theme: moment ids, mood, hours, roles
    moments: tuple[Moment, ...]  # accepted members, time-of-day order
    suggested: tuple[Moment, ...]  # proposed by a later extraction, waiting for staff


@dataclass(frozen=True)
class ThemesView:
    themes: tuple[ThemeView, ...]
    unthemed: tuple[Moment, ...]
    candidates: tuple[extract.Theme, ...]  # groups among the unthemed that could become a theme

    @property
    def suggestion_count(self) -> int:
        return sum(len(t.suggested) for t in self.themes)


def scope_allows(moment_scope: str, wanted: str | None) -> bool:
    """A moment consented for a wider use (public > organisation > workshop) may appear in a narrower one."""
    if wanted is None:
        return True
    order = {s: i for i, s in enumerate(SCOPES)}
    return order.get(moment_scope, 0) >= order.get(wanted, 0)


def eligible_moments(*, session: Session, project: Project, scope: str | None = None) -> list[Moment]:
    """Approved moments in day order; with `scope`, only those whose consent allows that use."""
    moments = moments_in_day_order(session=session, project=project, statuses=("approved",))
    return [m for m in moments if scope_allows(m.consent_scope, scope)]


def _themes(session: Session, project: Project) -> list[Theme]:
    return list(session.scalars(select(Theme).where(Theme.project_id == project.id)
                                .order_by(Theme.position, Theme.id)))


def _members(session: Session, project: Project) -> dict[int, ThemeMember]:
    rows = session.scalars(select(ThemeMember).where(ThemeMember.project_id == project.id))
    return {r.moment_id: r for r in rows}


def _theme(session: Session, project: Project, theme_id: int) -> Theme:
    theme = session.get(Theme, theme_id)
    if theme is None or theme.project_id != project.id or theme.removed:
        raise NotFound("no such theme")
    return theme


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise Invalid("a theme needs a name")
    if len(name) > MAX_NAME_CHARS:
        raise Invalid(f"a theme's name may be at most {MAX_NAME_CHARS} characters")
    return name


def _place(session: Session, project: Project, moment_id: int, theme_id: int | None, state: str) -> None:
    row = session.get(ThemeMember, moment_id)
    if row is None:
        session.add(ThemeMember(moment_id=moment_id, project_id=project.id, theme_id=theme_id, state=state))
    else:
        row.theme_id, row.state = theme_id, state


def _next_position(session: Session, project: Project) -> int:
    return max((t.position for t in _themes(session, project)), default=-1) + 1


def run_extraction(*, session: Session, project: Project) -> dict[str, int]:
    """Find themes. The first time, they fill the table; later, new moments are only suggested for the
    existing themes. Returns counts: themes created, moments suggested."""
    moments = eligible_moments(session=session, project=project)
    pipeline = {str(m.id): to_pipeline(m) for m in moments}
    if not _themes(session, project):
        found = extract.extract_themes(list(pipeline.values()), project.language)
        for position, t in enumerate(found.themes):
            row = Theme(project_id=project.id, key=t.key, name=t.name, terms=list(t.terms), position=position,
                        origin="tag" if t.from_tag else "extracted")
            session.add(row)
            session.flush()
            for mid in t.moment_ids:
                _place(session, project, int(mid), row.id, "extracted")
        for mid in found.unthemed:
            _place(session, project, int(mid), None, "extracted")
        session.flush()
        return {"created": len(found.themes), "suggested": 0}
    members = _members(session, project)
    # open: never seen, not placed by extraction, or suggested before (suggested afresh)
    open_ids = [mid for mid in pipeline if (member := members.get(int(mid))) is None
                or member.state == "suggested" or (member.state == "extracted" and member.theme_id is None)]
    active = [t for t in _themes(session, project) if not t.removed]
    targets = [(str(t.id), (t.key.split() or list(extract.name_terms(t.name, project.language))), t.terms)
               for t in active]
    found_for = extract.suggest_for_themes([pipeline[mid] for mid in open_ids], targets, project.language)
    for mid in open_ids:
        theme_id = found_for.get(mid)
        _place(session, project, int(mid), int(theme_id) if theme_id else None,
               "suggested" if theme_id else "extracted")
    session.flush()
    return {"created": 0, "suggested": len(found_for)}


def reset_themes(*, session: Session, project: Project) -> dict[str, int]:
    """Forget every theme and staff decision, and extract anew (asked for explicitly, never by a re-run)."""
    session.execute(delete(ThemeMember).where(ThemeMember.project_id == project.id))
    session.execute(delete(Theme).where(Theme.project_id == project.id))
    session.flush()
    return run_extraction(session=session, project=project)


def themes_view(*, session: Session, project: Project, scope: str | None = None) -> ThemesView:
    """The project's themes (staff's order, removed ones left out) with figures, members and suggestions."""
    moments = eligible_moments(session=session, project=project, scope=scope)
    members = _members(session, project)
    by_theme: dict[int, list[Moment]] = {}
    suggested: dict[int, list[Moment]] = {}
    unthemed: list[Moment] = []
    for m in moments:
        row = members.get(m.id)
        if row is None or row.theme_id is None:
            unthemed.append(m)
        elif row.state == "suggested":
            suggested.setdefault(row.theme_id, []).append(m)
            unthemed.append(m)
        else:
            by_theme.setdefault(row.theme_id, []).append(m)
    views = []
    for t in _themes(session, project):
        if t.removed:
            unthemed += by_theme.get(t.id, [])
            continue
        own = by_theme.get(t.id, [])
        figures = extract.describe_theme(t.key, t.name, t.terms, [to_pipeline(m) for m in own],
                                         from_tag=t.origin == "tag")
        views.append(ThemeView(t.id, t.name, t.origin, figures, tuple(own), tuple(suggested.get(t.id, []))))
    undecided = [to_pipeline(m) for m in unthemed
                 if (row := members.get(m.id)) is None or row.state != "staff"]
    candidates = extract.extract_themes(undecided, project.language).themes if undecided and views else ()
    taken = {v.name.casefold() for v in views}
    order = {m.id: i for i, m in enumerate(moments)}
    return ThemesView(tuple(views), tuple(sorted(set(unthemed), key=lambda m: order[m.id])),
                      tuple(c for c in candidates if c.name.casefold() not in taken))


def pipeline_themes(view: ThemesView) -> list[extract.Theme]:
    """The staff's themes as plain data for the map, the film and the report (empty themes left out)."""
    return [t.figures for t in view.themes if t.figures.moment_ids]


def map_moments(view: ThemesView, *, small: bool = False) -> list[PipelineMoment]:
    """The themed moments as pipeline moments; `small` draws from thumbnails (the live map on a page)."""
    out = []
    for t in view.themes:
        for m in t.moments:
            p = to_pipeline(m)
            out.append(replace(p, preview_key=m.thumb_key or m.preview_key) if small else p)
    return out


def ensure_extracted(*, session: Session, project: Project) -> None:
    """Themes are found on first look: a project without any gets its first extraction now."""
    if not _themes(session, project):
        run_extraction(session=session, project=project)


def map_inputs(*, session: Session, project: Project, scope: str | None = None,
               small: bool = False) -> tuple[list[extract.Theme], list[PipelineMoment]]:
    """The staff's themes and their moments for the map (extracted first when the project has none yet)."""
    ensure_extracted(session=session, project=project)
    view = themes_view(session=session, project=project, scope=scope)
    return pipeline_themes(view), map_moments(view, small=small)


def themes_json(*, session: Session, project: Project) -> dict[str, Any]:
    ensure_extracted(session=session, project=project)
    view = themes_view(session=session, project=project)
    return {
        "themes": [{**t.figures.to_dict(), "id": t.id, "origin": t.origin,
                    "suggested": [str(m.id) for m in t.suggested]} for t in view.themes],
        "unthemed": [str(m.id) for m in view.unthemed],
    }


def live_map_png(*, session: Session, storage: Storage, project: Project, width: int = 1600,
                 height: int = 900, scope: str | None = None) -> bytes:
    """The themes map as staff left it, drawn now from thumbnails (small, quick) for the staff page; with
    `scope`, only moments whose consent allows it."""
    if scope is not None and scope not in SCOPES:
        raise Invalid(f"the consent scope is one of {', '.join(SCOPES)}")
    found, themed = map_inputs(session=session, project=project, small=True, scope=scope)
    from app.services.rendering import project_info  # rendering imports this module

    plan = build_theme_map_plan(found, themed, project_info(project),
                                ThemeMapOptions(width=width, height=height, photos=3))
    with tempfile.TemporaryDirectory(dir=storage.temp_dir()) as work:
        out = render_theme_map(plan, Path(work) / "map.png", resolve=storage.path)
        return out.read_bytes()


def staff_values(*, session: Session, project: Project) -> dict[str, Any]:
    """What the staff themes page shows: themes with their moments and suggestions, the unthemed, candidates."""
    ensure_extracted(session=session, project=project)
    view = themes_view(session=session, project=project)

    def card(m: Moment) -> dict[str, Any]:
        return {"id": m.id, "time": m.captured_local.strftime("%H:%M"), "caption": m.caption, "mood": m.mood,
                "role": m.role,
                "thumb": f"/media/moments/{m.id}/{m.sha256[:16]}/thumb" if m.thumb_key else None}

    return {
        "themes": [{"id": t.id, "name": t.name, "origin": t.origin, "figures": t.figures,
                    "moments": [card(m) for m in t.moments], "suggested": [card(m) for m in t.suggested]}
                   for t in view.themes],
        "unthemed": [card(m) for m in view.unthemed],
        "candidates": [{"name": c.name, "moment_ids": c.moment_ids} for c in view.candidates],
        "suggestion_count": view.suggestion_count,
        "map_digest": _digest(view),
    }


def present_values(*, session: Session, project: Project, map_url: str, render_url: str | None) -> dict[str, Any]:
    """The themes for presentation mode: names, figures and moment ids (the slides give the pictures), and
    the map to show: the newest finished themes map picture when there is one, else the live one."""
    from app.models import Render

    view = themes_view(session=session, project=project)
    done = session.scalars(select(Render).where(Render.project_id == project.id, Render.kind == "themes",
                                                Render.status == "done").order_by(Render.id.desc()))
    newest = next((r for r in done if r.options.get("format") in ("png", "jpg")), None)  # a picture, not a file
    from app.services.workshop import action_dict, actions_of

    return {"actions": [action_dict(a) for a in actions_of(session=session, project=project)], "themes_data": {
        "map": render_url.format(id=newest.id) if newest is not None and render_url else f"{map_url}?v={_digest(view)}",
        "themes": [{"name": t.name, "mood": t.figures.mean_mood, "moments": [m.id for m in t.moments]}
                   for t in view.themes if t.moments],
    }}


def _digest(view: ThemesView) -> str:
    """Changes whenever the map would: the live image's URL carries it, so browsers fetch a new one."""
    text = repr([(t.id, t.name, [(m.id, m.updated_at) for m in t.moments]) for t in view.themes])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- staff edits ------------------------------------------------------------------------------------

def rename_theme(*, session: Session, project: Project, theme_id: int, name: str) -> Theme:
    theme = _theme(session, project, theme_id)
    theme.name = _clean_name(name)
    # the new name's words match new moments too; the old ones still do
    theme.terms = sorted(set(theme.terms) | set(extract.name_terms(theme.name, project.language)))
    session.flush()
    return theme


def add_theme(*, session: Session, project: Project, name: str, moment_ids: Sequence[int] = ()) -> Theme:
    """A theme made by hand (or from a candidate), with the moments given."""
    name = _clean_name(name)
    theme = Theme(project_id=project.id, key="", name=name, origin="staff",
                  terms=list(extract.name_terms(name, project.language)),
                  position=_next_position(session, project))
    session.add(theme)
    session.flush()
    for mid in _project_moment_ids(session, project, moment_ids):
        _place(session, project, mid, theme.id, "staff")
    session.flush()
    return theme


def merge_themes(*, session: Session, project: Project, theme_id: int, into_id: int) -> Theme:
    """Every moment (and suggestion) of one theme goes to another; the first is removed."""
    if theme_id == into_id:
        raise Invalid("choose another theme to merge with")
    source, target = _theme(session, project, theme_id), _theme(session, project, into_id)
    for row in session.scalars(select(ThemeMember).where(ThemeMember.theme_id == source.id)):
        row.theme_id = target.id
        if row.state != "suggested":
            row.state = "staff"
    target.terms = sorted(set(target.terms) | set(source.terms))
    source.removed = True
    session.flush()
    return target


def split_theme(*, session: Session, project: Project, theme_id: int, moment_ids: Sequence[int],
                name: str) -> Theme:
    """Some of a theme's moments become a theme of their own."""
    source = _theme(session, project, theme_id)
    members = {r.moment_id for r in session.scalars(select(ThemeMember).where(ThemeMember.theme_id == source.id))}
    chosen = [mid for mid in moment_ids if mid in members]
    if not chosen:
        raise Invalid("tick the moments that form the new theme")
    if len(chosen) == len(members):
        raise Invalid("leave at least one moment in the theme you split (or rename it instead)")
    return add_theme(session=session, project=project, name=name, moment_ids=chosen)


def remove_theme(*, session: Session, project: Project, theme_id: int) -> None:
    """The theme goes; its moments are decided to be in no theme (until staff place them)."""
    theme = _theme(session, project, theme_id)
    for row in session.scalars(select(ThemeMember).where(ThemeMember.theme_id == theme.id)):
        row.theme_id, row.state = None, "staff"
    theme.removed = True
    session.flush()


def move_moment(*, session: Session, project: Project, moment_id: int, theme_id: int | None) -> None:
    """Put a moment in a theme, or in none (`theme_id` None): staff's word, kept over any extraction."""
    if theme_id is not None:
        _theme(session, project, theme_id)
    (mid,) = _project_moment_ids(session, project, [moment_id]) or (None,)
    if mid is None:
        raise NotFound("no such moment")
    _place(session, project, mid, theme_id, "staff")
    session.flush()


def accept_suggestions(*, session: Session, project: Project, theme_id: int | None = None,
                       moment_id: int | None = None) -> int:
    """Suggested moments become members (of one theme, one moment, or all); returns how many."""
    query = select(ThemeMember).where(ThemeMember.project_id == project.id, ThemeMember.state == "suggested")
    if theme_id is not None:
        query = query.where(ThemeMember.theme_id == theme_id)
    if moment_id is not None:
        query = query.where(ThemeMember.moment_id == moment_id)
    rows = list(session.scalars(query))
    for row in rows:
        row.state = "staff"
    session.flush()
    return len(rows)


def _project_moment_ids(session: Session, project: Project, ids: Sequence[int]) -> list[int]:
    if not ids:
        return []
    found = session.scalars(select(Moment.id).where(Moment.project_id == project.id, Moment.id.in_(list(ids))))
    return sorted(found)
