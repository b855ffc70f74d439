"""What the projector shows: moments in day order, the live wall's new arrivals, the latest film and collage.

The presentation is reached by staff (signed in) or through the project's read-only present token;
`Links` says which URLs the page may use for each, so the public link never points at staff routes.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.models import Moment, Project, Render, utcnow
from app.services import faces
from app.services.curation import day_order_key
from app.services.errors import Invalid, NotFound
from app.services.page_views import project_view
from app.services.qr import qr_svg
from app.services.workshop import note_dict, notes_of, prompts_of
from app.storage import Storage
from media_pipeline.daytime import part_label, part_of_day
from media_pipeline.types import Kind, Role

VARIANTS = ("thumb", "preview")


@dataclass(frozen=True)
class Links:
    """URL patterns for one way in: staff routes, or /p/{token}/... for the present link."""

    media: str  # formatted with id, digest, variant
    render_file: str  # formatted with id
    render_poster: str
    render_captions: str
    events: str

    @classmethod
    def staff(cls, project_id: int) -> Links:
        # the wall is projected: its pictures are blurred like the present link's, not the staff's own
        return cls(media=f"/staff/projects/{project_id}/present/media/{{id}}/{{digest}}/{{variant}}",
                   render_file="/api/renders/{id}/file",
                   render_poster="/api/renders/{id}/poster", render_captions="/api/renders/{id}/captions",
                   events=f"/staff/projects/{project_id}/present/events")

    @classmethod
    def public(cls, token: str) -> Links:
        base = f"/p/{token}"
        return cls(media=base + "/media/{id}/{digest}/{variant}", render_file=base + "/renders/{id}/file",
                   render_poster=base + "/renders/{id}/poster", render_captions=base + "/renders/{id}/captions",
                   events=base + "/events")


def project_by_present_token(*, session: Session, token: str) -> Project:
    project = session.scalar(select(Project).where(Project.present_token == token)) if token else None
    if project is None:
        raise NotFound("this presentation link is not valid (any more); ask the organiser for a new one")
    return project


class SlideSource(Protocol):
    """What a slide is made of: a Moment, or a row of SLIDE_COLUMNS (5,000 rows load ~5x faster than entities)."""

    id: int
    kind: Kind
    captured_local: datetime
    caption: str
    mood: int | None
    alias: str
    role: Role
    sha256: str
    thumb_key: str | None
    preview_key: str | None
    width: int
    height: int


SLIDE_COLUMNS = (Moment.id, Moment.kind, Moment.captured_local, Moment.caption, Moment.mood, Moment.alias,
                 Moment.role, Moment.sha256, Moment.thumb_key, Moment.preview_key, Moment.width, Moment.height,
                 *faces.DECISION_COLUMNS)


def slide(m: SlideSource, links: Links, language: str, faces_version: str | None = None) -> dict[str, Any]:
    """A moment as plain data for the projector (and the wall's event stream); `faces_version` as
    faces.versions gives it for rows (a Moment works it out itself)."""
    version = faces_version
    if version is None:
        assert isinstance(m, Moment), "a row of SLIDE_COLUMNS comes with its faces_version (faces.versions)"
        version = faces.version(m)

    def url(variant: str, key: str | None) -> str | None:
        # the blur decision is in the address: a changed policy is never answered from a browser's cache
        return links.media.format(id=m.id, digest=m.sha256[:16], variant=variant) + f"?f={version}" if key else None

    return {
        "id": m.id, "kind": m.kind, "time": m.captured_local.strftime("%H:%M"),
        "part": part_label(part_of_day(m.captured_local.hour), language), "caption": m.caption, "mood": m.mood,
        "alias": m.alias, "role": m.role, "thumb": url("thumb", m.thumb_key), "preview": url("preview", m.preview_key),
        # width / height as displayed: the wall lays out its rows before any picture has loaded
        "ar": round(m.width / m.height, 3) if m.width > 0 and m.height > 0 else 1.5,
    }


def slides(*, session: Session, project: Project, links: Links, language: str) -> list[dict[str, Any]]:
    """Every approved moment in day order: the columns a slide needs, not whole entities."""
    shown = (Moment.project_id == project.id, Moment.status == "approved")
    rows = session.execute(select(*SLIDE_COLUMNS).where(*shown)).all()
    versions = faces.versions(session=session, project=project, rows=rows, where=shown)
    return [slide(m, links, language, versions[m.id]) for m in sorted(rows, key=day_order_key)]


def changed_since_queries(*, project_id: int, since: datetime, after_id: int = 0) -> tuple[Select[Moment], ...]:
    """The live wall's poll as two index ranges: moments changed after `since` (ix_moments_project_updated),
    and ids above `after_id` (the primary key; the newest id seen, so only rows created since). One query
    with an OR (or a UNION inside IN) is planned as a scan of every moment on PostgreSQL."""
    approved = (Moment.project_id == project_id, Moment.status == "approved")
    return (select(Moment).where(*approved, Moment.updated_at > since),
            select(Moment).where(*approved, Moment.id > after_id))


def changed_since(*, session: Session, project_id: int, since: datetime, after_id: int = 0) -> list[Moment]:
    """Approved moments changed after `since`, or with an id above `after_id` (new uploads, fresh approvals,
    thumbnails that became ready), oldest change first."""
    found = {m.id: m for query in changed_since_queries(project_id=project_id, since=since, after_id=after_id)
             for m in session.scalars(query)}
    return sorted(found.values(), key=lambda m: (m.updated_at, m.id))


def newest_id(*, session: Session, project_id: int) -> int:
    """The highest moment id of the project (0 when empty): where a stream without a cursor starts."""
    return session.scalar(select(func.max(Moment.id)).where(Moment.project_id == project_id)) or 0


def latest_renders(*, session: Session, project: Project, links: Links) -> dict[str, dict[str, Any] | None]:
    """The newest finished film and collage, with their chapter list (films)."""
    out: dict[str, dict[str, Any] | None] = {"film": None, "collage": None}
    for kind in out:
        render = session.scalar(select(Render).where(
            Render.project_id == project.id, Render.kind == kind, Render.status == "done",
        ).order_by(Render.id.desc()))
        if render is not None:
            out[kind] = {
                "id": render.id, "file": links.render_file.format(id=render.id),
                "poster": links.render_poster.format(id=render.id) if render.poster_key else None,
                "captions": links.render_captions.format(id=render.id) if render.captions_key else None,
                "chapters": (render.plan or {}).get("chapters", []) if kind == "film" else [],
                "format": render.options.get("format", "mp4"),
                "hw": (render.options.get("height") or 9) / (render.options.get("width") or 16),  # picture h / w
            }
    return out


def moment_file_key(
    *, session: Session, storage: Storage, project: Project, moment_id: int, digest: str, variant: str
) -> tuple[str, str]:
    """(storage key, media type) of an approved moment's thumbnail or preview, for the present link and the
    wall: with bystanders' faces hidden when the project's policy says so."""
    moment = session.get(Moment, moment_id)
    if (moment is None or moment.project_id != project.id or moment.status != "approved"
            or not digest or not moment.sha256.startswith(digest) or variant not in VARIANTS):
        raise NotFound("no such file")
    return faces.shown_key(storage=storage, moment=moment, variant=variant), "image/jpeg"


def render_of(*, session: Session, project: Project, render_id: int) -> Render:
    """A finished render of this project (the present link shows nothing else)."""
    render = session.get(Render, render_id)
    if render is None or render.project_id != project.id or render.status != "done":
        raise NotFound("no such file")
    return render


def page_values(*, session: Session, project: Project, links: Links, language: str, invite_url: str) -> dict[str, Any]:
    """Everything the presentation page starts with; the wall then follows the event stream."""
    moments = slides(session=session, project=project, links=links, language=language)
    return {
        "project": project_view(project), "slides": moments,
        "renders": latest_renders(session=session, project=project, links=links),
        "prompts": prompts_of(project, language),
        "notes": [note_dict(n) for n in notes_of(session=session, project=project)],
        "invite_url": invite_url, "short_url": invite_url.split("://", 1)[-1], "qr": qr_svg(invite_url, light=None),
        "events_url": links.events, "since": utcnow().isoformat(),
        "after_id": newest_id(session=session, project_id=project.id),
    }


MAX_CURSOR_ID = 2**63 - 1  # no row has a larger id; the database driver overflows on one


def _cursor(text: str | None) -> tuple[datetime, int] | None:
    """'2024-07-24T07:15:30.123456|42' (the last event id) -> (updated_at, moment id); unreadable: None."""
    if not text or "|" not in text:
        return None
    when, _, ident = text.partition("|")
    try:
        since, moment_id = datetime.fromisoformat(when), int(ident)
    except ValueError:
        return None
    if since.tzinfo is not None:  # the database keeps naive UTC; an aware time would not compare with it
        since = since.astimezone(UTC).replace(tzinfo=None)
    return (since, moment_id) if 0 <= moment_id <= MAX_CURSOR_ID else None


def check_cursor(text: str | None) -> None:
    """Refuse a last-event id whose moment id no row can have (an unreadable one just starts from now)."""
    if text and "|" in text:
        ident = text.partition("|")[2].strip()
        # ASCII digits only, and the length first: int() refuses over 4300 digits with a ValueError of its own
        if re.fullmatch(r"-?[0-9]+", ident) and (len(ident) > 19 or not 0 <= int(ident) <= MAX_CURSOR_ID):
            raise Invalid(f"the event id's moment number must be from 0 to {MAX_CURSOR_ID}")


def _poll(sessions: sessionmaker[Session], project_id: int, links: Links, language: str, since: datetime,
          after_id: int) -> list[tuple[datetime, int, str]]:
    with sessions() as session:
        rows = changed_since(session=session, project_id=project_id, since=since, after_id=after_id)
        return [(m.updated_at, m.id, json.dumps(slide(m, links, language), ensure_ascii=False)) for m in rows]


def _newest(sessions: sessionmaker[Session], project_id: int) -> int:
    with sessions() as session:
        return newest_id(session=session, project_id=project_id)


async def wall_events(
    *, sessions: sessionmaker[Session], project_id: int, links: Links, language: str, start: str | None,
    after_id: int | None, disconnected: Callable[[], Awaitable[bool]], limit_s: float = 300.0, poll_s: float = 1.0,
) -> AsyncIterator[str]:
    """Server-sent events: each approved moment that is new or changed, as it happens.

    Polls the database every `poll_s`; ends when the client goes or after `limit_s` (EventSource then
    reconnects with Last-Event-ID, which resumes from the same point), so no stream lives forever.
    """
    cursor = _cursor(start)
    if cursor is None:  # no cursor: from now on, not every approved moment the project holds at once
        if after_id is None:
            after_id = await asyncio.to_thread(_newest, sessions, project_id)
        cursor = (utcnow(), after_id)
    since, last_id = cursor
    yield "retry: 2000\n\n"
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline and not await disconnected():
        for updated_at, moment_id, data in await asyncio.to_thread(_poll, sessions, project_id, links, language,
                                                                   since, last_id):
            since, last_id = max(since, updated_at), max(last_id, moment_id)
            yield f"id: {since.isoformat()}|{last_id}\nevent: moment\ndata: {data}\n\n"
        await asyncio.sleep(poll_s)
