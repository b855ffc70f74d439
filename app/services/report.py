"""The workshop report of a project, on demand: gathered here (only moments whose consent allows the report's
scope), drawn by media_pipeline.report (PDF) or the staff HTML page."""

from __future__ import annotations

import tempfile
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path
from statistics import fmean
from typing import Any

from sqlalchemy.orm import Session

from app.models import Moment, Project
from app.services import themes, workshop
from app.services.coverage import HourCount, hour_counts, missing_ranges
from app.services.curation import to_pipeline
from app.services.errors import Conflict, Invalid
from app.services.ingest import SCOPES
from app.storage.base import Storage
from media_pipeline.collage import CollageOptions, build_collage_plan, render_collage
from media_pipeline.report.model import ReportAction, ReportData, ReportMoment, ReportTheme
from media_pipeline.report.pdf import build_report_pdf
from media_pipeline.themes.draw import render_theme_map
from media_pipeline.themes.map import build_theme_map_plan
from media_pipeline.themes.options import ThemeMapOptions
from media_pipeline.themes.quotes import quote_text, strongest_quotes

DEFAULT_SCOPE = "organisation"  # the report leaves the room for the board
HIGH_LOW = 2  # moments shown for the day's high and low points
QUOTES = 3  # per theme


def check_scope(scope: str | None) -> str:
    scope = scope or DEFAULT_SCOPE
    if scope not in SCOPES:
        raise Invalid(f"the report's consent scope is one of {', '.join(SCOPES)}")
    return scope


def _path(storage: Storage, key: str | None) -> str | None:
    if not key:
        return None
    try:
        return str(storage.path(key))
    except Exception:  # a missing file leaves a gap in the report, never a failed report
        return None


def _moment(m: Moment, storage: Storage) -> ReportMoment:
    return ReportMoment(m.captured_local.strftime("%H:%M"), quote_text(m.caption), m.mood, m.role,
                        _path(storage, m.preview_key or m.thumb_key),
                        f"/media/moments/{m.id}/{m.sha256[:16]}/thumb" if m.thumb_key else "")


def _role_ranges(counts: list[HourCount], role: str, first: int, last: int) -> tuple[tuple[int, int], ...]:
    only = [HourCount(c.hour, c.customers if role == "customer" else 0, c.employees if role == "employee" else 0, 0)
            for c in counts]
    return tuple(missing_ranges(only, first=first, last=last))


def _hour_role_counts(moments: list[Moment]) -> list[tuple[int, str, int]]:
    """(hour, role, count) rows, as coverage.hour_counts takes them from SQL, for the report's chosen moments."""
    return [(hour, role, n) for (hour, role), n in Counter((m.captured_local.hour, m.role) for m in moments).items()]


def report_data(*, session: Session, storage: Storage, project: Project, scope: str, work: Path,
                images: bool = True) -> ReportData:
    """Everything the report says; with `images`, the cover collage and themes map are drawn into `work`."""
    moments = themes.eligible_moments(session=session, project=project, scope=scope)
    if not moments:
        raise Conflict(f"there are no approved moments whose consent allows '{scope}' use yet")
    language = project.language if project.language in ("en", "nl") else "en"
    from app.services.rendering import project_info  # rendering imports themes, which this module uses

    info = project_info(project)
    by_hour: dict[int, list[int]] = defaultdict(list)
    for m in moments:
        if m.mood is not None:
            by_hour[m.captured_local.hour].append(m.mood)
    moody = sorted((m for m in moments if m.mood is not None and m.caption.strip()),
                   key=lambda m: (m.mood, m.captured_local))
    high = [m for m in reversed(moody) if (m.mood or 0) >= 4][:HIGH_LOW]
    low = [m for m in moody if (m.mood or 5) <= 2][:HIGH_LOW]
    themes.ensure_extracted(session=session, project=project)
    view = themes.themes_view(session=session, project=project, scope=scope)
    found = themes.pipeline_themes(view)
    report_themes = []
    for t in view.themes:
        if not t.moments:
            continue
        f = t.figures
        quotes = strongest_quotes([to_pipeline(m) for m in t.moments], QUOTES)
        report_themes.append(ReportTheme(t.name, len(t.moments), f.mean_mood, f"{f.first_time}–{f.last_time}",
                                         f.customers, f.employees, tuple(quote_text(q.caption) for q in quotes)))
    cover = themes_map = None
    if images:
        small = [replace(to_pipeline(m), preview_key=m.thumb_key or m.preview_key) for m in moments]
        collage = build_collage_plan(small, info, CollageOptions(layout="mosaic", width=2400, height=1600,
                                                                 format="jpg", title=False, labels=False))
        cover = str(render_collage(collage, work / "cover.jpg", resolve=storage.path, workers=1))
        if found:
            plan = build_theme_map_plan(found, themes.map_moments(view), info,
                                        ThemeMapOptions(width=3200, height=2000, format="png", light=True))
            themes_map = str(render_theme_map(plan, work / "themes.png", resolve=storage.path))
    counts = hour_counts(_hour_role_counts(moments))
    hours = [m.captured_local.hour for m in moments]
    first, last = min(hours), max(hours)
    return ReportData(
        title=project.title, date=project.day.isoformat(), language=language, scope=scope, moments=len(moments),
        contributors=len({m.contributor_id or m.alias or m.id for m in moments}),
        customers=sum(1 for m in moments if m.role == "customer"),
        employees=sum(1 for m in moments if m.role == "employee"),
        cover_image=cover, mood_hourly=tuple((h, round(fmean(v), 2)) for h, v in sorted(by_hour.items())),
        high=tuple(_moment(m, storage) for m in high), low=tuple(_moment(m, storage) for m in low),
        themes_map=themes_map, themes=tuple(report_themes), first_hour=first, last_hour=last,
        missing_hours=tuple(missing_ranges(counts, first=first, last=last)),
        missing_customers=_role_ranges(counts, "customer", first, last),
        missing_employees=_role_ranges(counts, "employee", first, last),
        notes=tuple((p, tuple(n)) for p, n in workshop.notes_by_prompt(session=session, project=project)),
        actions=tuple(ReportAction(str(a["text"]), str(a["owner"]), str(a["due"]))  # all three are str already
                      for a in map(workshop.action_dict, workshop.actions_of(session=session, project=project))),
        brand_color=project.brand_color,
    )


def report_pdf(*, session: Session, storage: Storage, project: Project, scope: str | None = None) -> bytes:
    """The workshop report as PDF bytes (made now; a few seconds for a big day)."""
    scope = check_scope(scope)
    with tempfile.TemporaryDirectory(dir=storage.temp_dir()) as work_dir:
        work = Path(work_dir)
        data = report_data(session=session, storage=storage, project=project, scope=scope, work=work)
        return build_report_pdf(data, work / "report.pdf").read_bytes()


def report_page_values(*, session: Session, storage: Storage, project: Project, scope: str | None) -> dict[str, Any]:
    """The report for screens: the same data, pictures through the staff's media links."""
    scope = check_scope(scope)
    try:
        with tempfile.TemporaryDirectory(dir=storage.temp_dir()) as work_dir:
            data = report_data(session=session, storage=storage, project=project, scope=scope,
                               work=Path(work_dir), images=False)
    except Conflict as err:
        data, empty = None, err.message
    else:
        empty = ""
    return {"report": data, "empty": empty, "scope": scope, "scopes": SCOPES,
            "actions": [workshop.action_dict(a) for a in workshop.actions_of(session=session, project=project)]}
