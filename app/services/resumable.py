"""Resumable (tus) uploads: who may start one, turning a finished one into a Moment, cleaning up.

The tus router (tuspyserver) streams chunks to DATA_DIR/tmp/tus/<32 hex id> with a JSON sidecar
`<id>.info` holding offset, size and metadata. A finished upload goes through `ingest_upload`, the
one upload path, so it gets the same checks, errors and dedupe as a plain form post; afterwards only a
small `<id>.result` note stays, so a client that lost the answer can ask again and get the same moment.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.config import Settings
from app.context import Context
from app.models import Moment, Project
from app.services.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError, TooLargeError, Unsupported
from app.services.ingest import IngestResult, UploadFields, check_fields, check_scope, ingest_upload
from app.services.projects import project_by_invite
from app.storage import Storage

_UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
# a browser that cannot name the type sends one of these; anything else must look like media
_NEUTRAL_TYPES = ("", "application/octet-stream")


def tus_dir(settings: Settings) -> Path:
    """Where partial uploads live: inside the data dir, named by random id, never by a user's name."""
    return settings.data_dir / "tmp" / "tus"


@dataclass(frozen=True)
class Finished:
    """The outcome of finishing an upload: the moment, whether it is new, the contributor's new token."""

    moment: Moment
    created: bool
    contributor_token: str | None


def check_new_upload(*, session: Session, settings: Settings, metadata: dict[str, str], size: int | None) -> None:
    """Refuse to start an upload that could never become a moment (tus pre-create hook)."""
    project = project_by_invite(session=session, token=metadata.get("invite", ""))
    if not project.contributions_open:
        raise Forbidden("this project does not take new moments any more")
    if metadata.get("consent") not in ("1", "true"):
        raise Invalid("please tick the consent box: we can only keep your moment with your consent")
    check_scope(project, metadata.get("consent_scope") or "workshop")
    if size is None:
        raise Invalid("send Upload-Length: the size of the whole file must be known in advance")
    if size > settings.max_upload_bytes:
        raise TooLargeError(f"this file is larger than the limit of {settings.max_upload_mb} MB")
    filetype = metadata.get("filetype", "").lower()
    if filetype not in _NEUTRAL_TYPES and not filetype.startswith(("image/", "video/")):
        raise Unsupported(
            "This file is not a photo or video we can use. Please send a JPEG, PNG, HEIC, WebP or GIF "
            "photo, or an MP4, MOV, WebM or 3GP video."
        )


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
    paths = _paths(settings, upload_id)
    done = _read_json(paths.result)
    if done is not None and done.get("project_id") == project.id:
        moment = session.get(Moment, done.get("moment_id"))
        if moment is None:
            raise NotFound("this moment was deleted")
        return Finished(moment=moment, created=False, contributor_token=None)
    info = _read_json(paths.info)
    if info is None or not paths.data.is_file():
        raise NotFound("no such upload; it may have expired. Please choose the file again")
    metadata: dict[str, str] = info.get("metadata") or {}
    if metadata.get("invite") != project.invite_token:
        raise NotFound("no such upload; it may have expired. Please choose the file again")
    size, offset = info.get("size"), int(info.get("offset") or 0)
    if size is None or offset < size or paths.data.stat().st_size < size:
        raise Conflict(f"this upload is not complete yet: {offset} of {size} bytes arrived")
    fields = _with_metadata_defaults(fields, metadata)
    check_fields(fields, project)  # a field mistake keeps the bytes, so the client can correct and ask again
    check_scope(project, fields.consent_scope)
    try:
        result = ingest_upload(
            session=session, storage=storage, settings=settings, project=project, source=paths.data,
            fields=fields, contributor_token=contributor_token,
        )
    except ServiceError:
        _remove(paths)  # the bytes themselves were refused: keeping them helps nobody
        raise
    _write_result(paths, project, result)
    return Finished(moment=result.moment, created=result.created, contributor_token=result.contributor_token)


def cleanup_partial_uploads(ctx: Context, older_than_s: float = 86400) -> int:
    """Delete uploads (partial, or finished notes) untouched for `older_than_s` seconds; returns how many."""
    folder = tus_dir(ctx.settings)
    if not folder.is_dir():
        return 0
    cutoff = time.time() - older_than_s
    removed = 0
    ids = {p.name.split(".", 1)[0] for p in folder.iterdir() if _UPLOAD_ID.match(p.name.split(".", 1)[0])}
    for upload_id in ids:
        paths = _paths(ctx.settings, upload_id)
        touched = [p.stat().st_mtime for p in (paths.data, paths.info, paths.result) if p.exists()]
        if touched and max(touched) < cutoff:
            _remove(paths)
            paths.result.unlink(missing_ok=True)
            removed += 1
    return removed


# --- files of one upload ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Paths:
    data: Path
    info: Path
    result: Path
    lock: Path


def _paths(settings: Settings, upload_id: str) -> _Paths:
    if not _UPLOAD_ID.match(upload_id):
        raise NotFound("no such upload")
    folder = tus_dir(settings)
    return _Paths(
        data=folder / upload_id,
        info=folder / f"{upload_id}.info",
        result=folder / f"{upload_id}.result",
        lock=folder / ".locks" / f"{upload_id}.lock",
    )


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _remove(paths: _Paths) -> None:
    for path in (paths.data, paths.info, paths.lock):
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def _write_result(paths: _Paths, project: Project, result: IngestResult) -> None:
    tmp = paths.result.with_suffix(".tmp")
    tmp.write_text(json.dumps({"project_id": project.id, "moment_id": result.moment.id}))
    os.replace(tmp, paths.result)
    _remove(paths)


def _with_metadata_defaults(fields: UploadFields, metadata: dict[str, str]) -> UploadFields:
    """The finish request's fields, with the name and consent given when the upload started."""
    return replace(
        fields,
        original_name=fields.original_name or metadata.get("filename", ""),
        consent=fields.consent or metadata.get("consent") in ("1", "true"),
        consent_scope=fields.consent_scope or metadata.get("consent_scope") or "workshop",
    )
