"""Resumable (tus) uploads: who may start one, where it may go on, turning a finished one into a Moment.

The bytes and their bookkeeping live in `tus_store` (DATA_DIR/tmp/tus/<32 hex id> plus `<id>.info`).
A finished upload goes through `ingest_upload`, the one upload path, so it gets the same checks, errors and
dedupe as a plain form post, with the sha256 computed while the bytes arrived (never read again);
afterwards only a small `<id>.result` note stays, so a client that lost the answer can ask again and get
the same moment.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.config import Settings
from app.context import Context
from app.models import Moment, Project
from app.services import quotas, tus_store
from app.services.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError, TooLargeError, Unsupported
from app.services.ingest import IngestResult, UploadFields, check_fields, check_scope, find_contributor, ingest_upload
from app.services.projects import project_by_invite
from app.storage import Storage

# a browser that cannot name the type sends one of these; anything else must look like media
_NEUTRAL_TYPES = ("", "application/octet-stream")
tus_dir = tus_store.tus_dir


@dataclass(frozen=True)
class Finished:
    """The outcome of finishing an upload: the moment, whether it is new, the contributor's new token."""

    moment: Moment
    created: bool
    contributor_token: str | None


def check_new_upload(*, session: Session, settings: Settings, metadata: dict[str, str], size: int) -> Project:
    """Refuse to start an upload that could never become a moment; returns its project."""
    project = project_by_invite(session=session, token=metadata.get("invite", ""))
    if not project.contributions_open:
        raise Forbidden("this project does not take new moments any more")
    if metadata.get("consent") not in ("1", "true"):
        raise Invalid("please tick the consent box: we can only keep your moment with your consent")
    check_scope(project, metadata.get("consent_scope") or "workshop")
    if size > settings.max_upload_bytes:
        raise TooLargeError(f"this file is larger than the limit of {settings.max_upload_mb} MB")
    filetype = metadata.get("filetype", "").lower()
    if filetype not in _NEUTRAL_TYPES and not filetype.startswith(("image/", "video/")):
        raise Unsupported(
            "This file is not a photo or video we can use. Please send a JPEG, PNG, HEIC, WebP or GIF "
            "photo, or an MP4, MOV, WebM or 3GP video."
        )
    return project


def start_upload(*, session: Session, settings: Settings, metadata: dict[str, str], size: int,
                 cookie_of: Any) -> tuple[Project, tus_store.UploadInfo]:
    """Check, then reserve room (quotas) and create the upload, atomically per project.
    `cookie_of(project_id)` gives the contributor cookie the request carries for that project, if any."""
    project = check_new_upload(session=session, settings=settings, metadata=metadata, size=size)
    token = cookie_of(project.id)
    known = find_contributor(session=session, project=project, token=token) if token else None
    contributor = known.token_hash if known is not None else None
    with quotas.project_lock(settings, project.id):
        quotas.check(session=session, settings=settings, project=project, contributor=contributor, add_bytes=size)
        info = tus_store.create(settings, length=size, project_id=project.id, metadata=metadata,
                                contributor=contributor)
    return project, info


def check_can_continue(*, session: Session, settings: Settings, info: tus_store.UploadInfo) -> None:
    """Before a PATCH reads its body: the project still exists under that invite, is open, and the upload
    still fits its limits (which staff may have lowered since it started)."""
    project = session.get(Project, info.project_id)
    if project is None or project.invite_token != info.metadata.get("invite"):
        raise NotFound("this invite link is not valid (any more); ask the organiser for a new one")
    if not project.contributions_open:
        raise Forbidden("this project does not take new moments any more")
    quotas.check(session=session, settings=settings, project=project, contributor=info.contributor,
                 add_bytes=info.length, skip_upload=info.id)


def finish_upload(
    *,
    session: Session,
    storage: Storage,
    settings: Settings,
    project: Project,
    upload_id: str,
    fields: UploadFields,
    contributor_token: str | None,
) -> Finished:
    """Ingest a completely received upload; asking again returns the same moment."""
    paths = tus_store.paths(settings, upload_id)
    done = _read_json(paths.result)
    if done is not None and done.get("project_id") == project.id:
        moment = session.get(Moment, done.get("moment_id"))
        if moment is None:
            raise NotFound("this moment was deleted")
        # the random upload id is the sender's key; someone else's cookie never gets another's moment back
        asker = find_contributor(session=session, project=project, token=contributor_token)
        if asker is not None and asker.id != moment.contributor_id:
            raise NotFound(tus_store.GONE)
        return Finished(moment=moment, created=False, contributor_token=None)
    try:
        held = tus_store.Held(settings, upload_id)  # cuts any torn tail: only recorded bytes remain
    except NotFound:
        raise NotFound(tus_store.GONE) from None
    with held:
        info = held.info
        if info.metadata.get("invite") != project.invite_token or info.project_id != project.id:
            raise NotFound(tus_store.GONE)
        if info.offset < info.length:
            raise Conflict(f"this upload is not complete yet: {info.offset} of {info.length} bytes arrived")
        fields = _with_metadata_defaults(fields, info.metadata)
        check_fields(fields, project)  # a field mistake keeps the bytes, so the client can correct and ask again
        check_scope(project, fields.consent_scope)
        try:
            result = ingest_upload(
                session=session, storage=storage, settings=settings, project=project, source=paths.data,
                fields=fields, contributor_token=contributor_token, sha256=info.sha256, pending_upload=info.id,
            )
        except ServiceError as err:
            if not isinstance(err, (quotas.OverQuota, quotas.OverQuotaBytes, Forbidden)):
                held.remove()  # the bytes themselves were refused: keeping them helps nobody
            raise
        _write_result(paths, project, result)
        held.remove()
    return Finished(moment=result.moment, created=result.created, contributor_token=result.contributor_token)


def cleanup_partial_uploads(ctx: Context, older_than_s: float = tus_store.EXPIRE_S) -> int:
    """Delete uploads (partial, or finished notes) untouched for `older_than_s` seconds; returns how many."""
    folder = tus_dir(ctx.settings)
    if not folder.is_dir():
        return 0
    cutoff = time.time() - older_than_s
    removed = 0
    ids = {p.name.split(".", 1)[0] for p in folder.iterdir()}
    for upload_id in ids:
        if not tus_store.UPLOAD_ID.match(upload_id):
            continue
        paths = tus_store.paths(ctx.settings, upload_id)
        tmp = paths.info.with_name(paths.info.name + ".tmp")
        files = (paths.data, paths.info, paths.result, tmp)
        touched = [p.stat().st_mtime for p in files if p.exists()]
        if touched and max(touched) < cutoff:
            tus_store.forget_hash(upload_id)
            for p in files:
                with contextlib.suppress(OSError):
                    p.unlink(missing_ok=True)
            removed += 1
    # lock files the old tus library left behind
    for stale in (folder / ".locks").glob("*") if (folder / ".locks").is_dir() else ():
        with contextlib.suppress(OSError):
            if stale.stat().st_mtime < cutoff:
                stale.unlink()
    return removed


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _write_result(paths: tus_store.Paths, project: Project, result: IngestResult) -> None:
    tmp = paths.result.with_suffix(".tmp")
    tmp.write_text(json.dumps({"project_id": project.id, "moment_id": result.moment.id}))
    os.replace(tmp, paths.result)


def _with_metadata_defaults(fields: UploadFields, metadata: dict[str, str]) -> UploadFields:
    """The finish request's fields, with the name and consent given when the upload started."""
    return replace(
        fields,
        original_name=fields.original_name or metadata.get("filename", ""),
        consent=fields.consent or metadata.get("consent") in ("1", "true"),
        consent_scope=fields.consent_scope or metadata.get("consent_scope") or "workshop",
    )

