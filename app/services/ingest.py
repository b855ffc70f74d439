"""Upload -> store -> probe: a contributor's file becomes a Moment, whole or not at all."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.config import Settings
from app.context import jobs_of
from app.models import Contributor, Moment, Project, utcnow
from app.services import quotas
from app.services.errors import Forbidden, Invalid, TooLargeError, Unsupported
from app.services.moment_time import check_capture_time, in_window
from app.services.tokens import token_hash
from app.storage import Staged, Storage, TooLarge, original_key
from media_pipeline.capture_time import resolve_capture_time
from media_pipeline.probe import probe
from media_pipeline.types import MediaError, MediaInfo

ROLES = ("", "customer", "employee")
SCOPES = ("workshop", "organisation", "public")


@dataclass(frozen=True)
class UploadFields:
    """What the contributor said about one file, as received (validated by `check_fields`)."""

    caption: str = ""
    captured_at: datetime | None = None
    tz: str | None = None
    mood: int | None = None
    alias: str = ""
    role: str = ""
    place: str = ""
    consent: bool = False
    consent_scope: str = "workshop"
    original_name: str = ""


@dataclass(frozen=True)
class IngestResult:
    moment: Moment
    created: bool
    contributor_token: str | None  # set when a new contributor was made for this upload


def check_fields(fields: UploadFields, project: Project | None = None) -> None:
    """What the contributor said, checked; with `project`, also the client's time against the project's day."""
    if not fields.consent:
        raise Invalid("please tick the consent box: we can only keep your moment with your consent")
    if fields.mood is not None and not 1 <= fields.mood <= 5:
        raise Invalid("mood must be a number from 1 to 5")
    if fields.role not in ROLES:
        raise Invalid("role must be 'customer' or 'employee'")
    if fields.consent_scope not in SCOPES:
        raise Invalid(f"consent scope must be one of {', '.join(SCOPES)}")
    if len(fields.caption) > 500:
        raise Invalid("the caption is too long (500 characters at most)")
    if len(fields.alias) > 100:
        raise Invalid("the name is too long (100 characters at most)")
    if fields.tz:
        from app.services.projects import check_timezone

        check_timezone(fields.tz)
    if project is not None:
        check_capture_time(fields.captured_at, project.day)


def allowed_scopes(project: Project) -> list[str]:
    """The consent scopes this project offers, in a fixed order; 'workshop' when none are set."""
    wanted = (project.settings or {}).get("consent_scopes") or ["workshop"]
    return [s for s in SCOPES if s in wanted] or ["workshop"]


def check_scope(project: Project, scope: str) -> str:
    allowed = allowed_scopes(project)
    if scope not in allowed:
        raise Invalid(f"this project allows the consent scope(s) {', '.join(allowed)}, not '{scope}'")
    return scope


def find_contributor(*, session: Session, project: Project, token: str | None) -> Contributor | None:
    """The contributor behind a private-link token in this project (a token opens one project only)."""
    if not token:
        return None
    return session.scalar(
        select(Contributor).where(Contributor.token_hash == token_hash(token), Contributor.project_id == project.id)
    )


def contributor_for(
    *, session: Session, project: Project, token: str | None, alias: str
) -> tuple[Contributor, str | None]:
    """The contributor behind `token` in this project, or a new one (returning its new token)."""
    found = find_contributor(session=session, project=project, token=token)
    if found is not None:
        return found, None
    new_token = secrets.token_urlsafe(24)
    contributor = Contributor(project_id=project.id, token_hash=token_hash(new_token), alias=alias)
    session.add(contributor)
    session.flush()
    return contributor, new_token


def ingest_upload(
    *,
    session: Session,
    storage: Storage,
    settings: Settings,
    project: Project,
    source: Iterable[bytes] | BinaryIO | Path,
    fields: UploadFields,
    contributor_token: str | None = None,
    sha256: str | None = None,
    pending_upload: str | None = None,
) -> IngestResult:
    """Store, check and record one uploaded file; on any error nothing is left behind.
    `sha256`: the hash of a file on our disk computed as it arrived (not read again); `pending_upload`: the
    resumable upload being finished, which already counts toward the quotas as an upload under way."""
    if not project.contributions_open:
        raise Forbidden("this project does not take new moments any more")
    check_fields(fields, project)
    check_scope(project, fields.consent_scope)
    try:
        if isinstance(source, Path):  # already on our disk (resumable upload): move, don't copy
            staged = storage.adopt(source, max_bytes=settings.max_upload_bytes, sha256=sha256)
        else:
            staged = storage.stage(source, max_bytes=settings.max_upload_bytes)
    except TooLarge:
        raise TooLargeError(f"this file is larger than the limit of {settings.max_upload_mb} MB") from None
    try:
        # the same contributor sending the same bytes again gets their moment back; anyone else gets their own
        existing = _own_copy(session=session, project=project, contributor_token=contributor_token,
                             sha256=staged.sha256)
        if existing is not None:
            storage.discard(staged)
            return IngestResult(moment=existing, created=False, contributor_token=None)
        info = _probe_staged(staged, settings=settings, project=project)
        key = original_key(staged.sha256, info.format)
        had_file = storage.exists(key)  # another project may hold the same bytes
    except BaseException:
        storage.discard(staged)
        session.rollback()
        raise
    # check the limits and add the moment as one step, so parallel uploads cannot all pass the same check
    with quotas.project_lock(settings, project.id):
        try:
            quotas.check(session=session, settings=settings, project=project,
                         contributor=token_hash(contributor_token) if contributor_token else None,
                         add_bytes=staged.size_bytes, skip_upload=pending_upload)
            moment, token, created = _record(
                session=session, storage=storage, project=project, staged=staged, info=info,
                fields=fields, contributor_token=contributor_token,
            )
        except BaseException:
            storage.discard(staged)
            session.rollback()
            raise
        try:
            session.commit()
        except BaseException:
            session.rollback()
            if not had_file:
                storage.delete(key)
            raise
    if created:
        jobs_of(session).derive(moment.id)
    return IngestResult(moment=moment, created=created, contributor_token=token)


def _own_copy(*, session: Session, project: Project, contributor_token: str | None, sha256: str) -> Moment | None:
    contributor = find_contributor(session=session, project=project, token=contributor_token)
    if contributor is None:
        return None
    return _same_bytes_of(session, project.id, contributor.id, sha256)


def _same_bytes_of(session: Session, project_id: int, contributor_id: int, sha256: str) -> Moment | None:
    """The moment this contributor already made of these bytes in this project (deduplication is per sender)."""
    return session.scalar(select(Moment).where(
        Moment.project_id == project_id, Moment.contributor_id == contributor_id, Moment.sha256 == sha256
    ))


def _probe_staged(staged: Staged, *, settings: Settings, project: Project) -> MediaInfo:
    if staged.size_bytes == 0:
        raise Invalid("this file is empty (0 bytes); please choose the photo or clip again")
    max_clip = project.max_clip_s or settings.max_clip_s
    try:
        return probe(
            staged.path,
            max_pixels=settings.max_photo_pixels,
            max_duration_s=max_clip,
            timeout_s=settings.probe_timeout_s,
        )
    except MediaError as err:
        if err.code == "unsupported":
            raise Unsupported(err.message) from None
        raise Invalid(err.message) from None


def _record(
    *,
    session: Session,
    storage: Storage,
    project: Project,
    staged: Staged,
    info: MediaInfo,
    fields: UploadFields,
    contributor_token: str | None,
) -> tuple[Moment, str | None, bool]:
    captured = resolve_capture_time(
        embedded=info.captured,
        filename=fields.original_name or None,
        client_captured_at=fields.captured_at,
        device_tz=fields.tz,
        project_tz=project.timezone,
        uploaded_at=datetime.now(UTC),
    )
    contributor, new_token = contributor_for(
        session=session, project=project, token=contributor_token, alias=fields.alias
    )
    key = original_key(staged.sha256, info.format)
    gps = info.gps if project.keep_gps else None
    media_info = info.to_dict()
    media_info["gps"] = None  # kept in the gps columns only when the project allows it
    moment = Moment(
        project_id=project.id,
        contributor_id=contributor.id,
        storage_key=key,
        sha256=staged.sha256,
        size_bytes=staged.size_bytes,
        original_name=fields.original_name[:255],
        kind=info.kind,
        format=info.format,
        mime=info.mime,
        width=info.width,
        height=info.height,
        duration_s=info.duration_s,
        has_audio=info.has_audio,
        rotation=info.rotation,
        media_info=media_info,
        gps_lat=gps[0] if gps else None,
        gps_lon=gps[1] if gps else None,
        captured_local=captured.local,
        utc_offset_min=captured.utc_offset_min,
        time_source=captured.source,
        # only a time read from the file itself is trusted without asking the contributor, and only when it
        # falls near the project's day: a camera clock years off is kept (it is what the file says) but asked
        time_confirmed=captured.source in ("exif", "xmp", "quicktime", "container-utc")
        and in_window(captured.local, project.day),
        caption=fields.caption.strip(),
        mood=fields.mood,
        alias=fields.alias.strip(),
        role=fields.role,
        place=fields.place.strip(),
        consent_at=utcnow(),
        consent_version=project.consent_version,
        consent_scope=fields.consent_scope,
        status="approved" if project.auto_approve else "pending",
    )
    session.add(moment)
    try:
        session.flush()
    except IntegrityError:
        # the same contributor's file arrived twice at once: the other upload won, return its moment
        session.rollback()
        existing = _same_bytes_of(session, project.id, contributor.id, staged.sha256)
        if existing is None:
            raise
        storage.discard(staged)
        return existing, None, False
    storage.commit(staged, key)
    return moment, new_token, True
