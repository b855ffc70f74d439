"""The contributor's side: the invite's QR code, consent scopes, and "my moments" (list, edit, delete).

A contributor has no account: the token in their private link (kept in a cookie) is the key, and it
opens their own moments in one project and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Contributor, Moment, Project
from app.services import faces, qr
from app.services.curation import MomentPatch, day_order_key, update_moment
from app.services.errors import NotFound
from app.services.ingest import find_contributor
from app.services.projects import DEFAULT_CONSENT, invite_url, project_by_invite
from app.storage import Storage

QrKind = Literal["png", "svg"]


def consent_text(project: Project, lang: str) -> str:
    """The project's consent text; our own default one is shown in the contributor's language."""
    if project.consent_text.strip() in DEFAULT_CONSENT.values():
        return DEFAULT_CONSENT.get(lang, project.consent_text)
    return project.consent_text


def invite_qr(*, session: Session, token: str, base_url: str, kind: QrKind) -> bytes:
    """The invite link as a QR code: PNG for slides and screens, SVG for print."""
    url = invite_url(base_url, project_by_invite(session=session, token=token))
    return qr.qr_png(url, scale=12) if kind == "png" else qr.qr_svg(url).encode()


def open_private_link(*, session: Session, token: str, contributor_token: str) -> Project:
    """The project behind a private 'my moments' link, if the contributor token belongs to it."""
    project = project_by_invite(session=session, token=token)
    if find_contributor(session=session, project=project, token=contributor_token) is None:
        raise NotFound("this private link is not valid; it may have been mistyped")
    return project


@dataclass(frozen=True)
class PrivateLink:
    """A private link opened on a device that may already hold another contributor's cookie."""

    project: Project
    linked: Contributor
    current: Contributor | None  # the cookie's contributor, when it is someone else: ask before switching


def open_private_link_on(
    *, session: Session, token: str, contributor_token: str, cookie_token: Callable[[int], str | None]
) -> PrivateLink:
    """Who the link is for and, if the device's cookie (read by project id) names another contributor, who."""
    project = project_by_invite(session=session, token=token)
    linked = find_contributor(session=session, project=project, token=contributor_token)
    if linked is None:
        raise NotFound("this private link is not valid; it may have been mistyped")
    current = find_contributor(session=session, project=project, token=cookie_token(project.id))
    return PrivateLink(project=project, linked=linked, current=current if current and current.id != linked.id else None)


def display_name(*, session: Session, contributor: Contributor) -> str:
    """The name a contributor gave (first upload, else their latest moment), or '' when none."""
    if contributor.alias.strip():
        return contributor.alias.strip()
    latest = session.scalar(select(Moment.alias).where(Moment.contributor_id == contributor.id, Moment.alias != "")
                            .order_by(Moment.id.desc()).limit(1))
    return (latest or "").strip()


def my_moments(*, session: Session, project: Project, contributor_token: str | None) -> list[Moment]:
    """The contributor's own moments in this project, in time-of-day order."""
    contributor = find_contributor(session=session, project=project, token=contributor_token)
    if contributor is None:
        return []
    rows = session.scalars(
        select(Moment).where(Moment.project_id == project.id, Moment.contributor_id == contributor.id)
    )
    return sorted(rows, key=day_order_key)


def own_moment(*, session: Session, project: Project, contributor_token: str | None, moment_id: int) -> Moment:
    """One of the contributor's moments; anyone else's answers 404 (we don't confirm it exists)."""
    contributor = find_contributor(session=session, project=project, token=contributor_token)
    moment = session.get(Moment, moment_id)
    if contributor is None or moment is None or moment.contributor_id != contributor.id:
        raise NotFound("no such moment among yours; open your private link again")
    return moment


@dataclass(frozen=True)
class OwnMomentPatch:
    """What a contributor may change about their own moment (not its status or trim)."""

    caption: str | None = None
    captured_local: datetime | None = None
    mood: int | None = None
    alias: str | None = None
    role: str | None = None
    confirm_time: bool = False


def update_own_moment(
    *, session: Session, project: Project, contributor_token: str | None, moment_id: int, patch: OwnMomentPatch
) -> Moment:
    moment = own_moment(session=session, project=project, contributor_token=contributor_token, moment_id=moment_id)
    shown_before = _shown(moment)
    captured, confirm = patch.captured_local, patch.confirm_time
    if captured is not None and captured.tzinfo is None and _same_minute(captured, moment.captured_local):
        # a form sends the time it showed: saving it unchanged confirms it, it does not correct it
        captured, confirm = None, True
    update_moment(
        session=session,
        moment=moment,
        patch=MomentPatch(caption=patch.caption, captured_local=captured, mood=patch.mood,
                          alias=patch.alias, role=patch.role),
    )
    if confirm:
        moment.time_confirmed = True  # "yes, that time is right": keep it, stop asking
    if moment.status == "approved" and not project.auto_approve and _shown(moment) != shown_before:
        # staff approved what they saw; a changed moment waits for them again before the link or wall shows it
        moment.status = "pending"
    session.flush()
    return moment


def _shown(moment: Moment) -> tuple[object, ...]:
    """What the presentation link and live wall show of a moment (its media cannot be changed by its sender)."""
    return (moment.caption, moment.captured_local, moment.utc_offset_min, moment.mood, moment.alias, moment.role)


def _same_minute(a: datetime, b: datetime) -> bool:
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def delete_own_moment(
    *, session: Session, storage: Storage, project: Project, contributor_token: str | None, moment_id: int
) -> None:
    """Delete the moment and its files; files another moment (any project) shares by content stay."""
    moment = own_moment(session=session, project=project, contributor_token=contributor_token, moment_id=moment_id)
    keys = [moment.storage_key, moment.thumb_key, moment.preview_key]
    sha256 = moment.sha256
    session.delete(moment)
    session.flush()
    shared = session.scalar(select(func.count()).select_from(Moment).where(Moment.sha256 == sha256)) or 0
    # commit first: a failed commit must not leave a moment whose files are gone
    session.commit()
    if not shared:
        for key in keys:
            if key:
                storage.delete(key)
        faces.delete_blurred_copies(storage, sha256)
