"""Resumable uploads (tus 1.0): create, send chunks, resume; then finish into a moment.

POST /api/uploads (Upload-Length, Upload-Metadata: filename, filetype, invite, consent, consent_scope)
PATCH/HEAD/DELETE /api/uploads/{id}   chunks at Upload-Offset; the offset to resume from; give up
POST /api/invites/{token}/uploads/{id}/finish   caption, time, mood... -> 201 moment, or 413/415/422
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from tuspyserver import create_tus_router

from app.config import Settings
from app.deps import SessionDep, SettingsDep, StorageDep
from app.routes.api import contributor_cookie_name, parse_client_time
from app.routes.contribute import set_contributor_cookie
from app.schemas import MomentPublic
from app.services import projects, resumable
from app.services.ingest import UploadFields

TUS_PREFIX = "api/uploads"


class FinishUpload(BaseModel):
    caption: str = Field("", max_length=500)
    captured_at: str | None = Field(None, description="ISO 8601 with offset, e.g. the file's lastModified.")
    tz: str | None = Field(None, description="IANA time zone of the contributor's device.")
    mood: int | None = Field(None, ge=1, le=5)
    alias: str = Field("", max_length=100)
    role: str = ""
    consent: bool = Field(False, description="Defaults to the consent sent when the upload started.")
    consent_scope: str = ""


def _pre_create(session: SessionDep, settings: SettingsDep) -> Callable[[dict[str, str], dict[str, object]], None]:
    def check(metadata: dict[str, str], upload: dict[str, object]) -> None:
        size = upload.get("size")
        resumable.check_new_upload(session=session, settings=settings, metadata=metadata,
                                   size=size if isinstance(size, int) else None)

    return check


def build_router(settings: Settings) -> APIRouter:
    """The tus endpoints (files under DATA_DIR/tmp/tus, size limit from settings) and the finish endpoint."""
    router = APIRouter()
    router.include_router(create_tus_router(
        prefix=TUS_PREFIX,
        files_dir=str(resumable.tus_dir(settings)),
        max_size=settings.max_upload_bytes,
        days_to_keep=1,
        pre_create_dep=_pre_create,
        tags=["uploads"],
        strict_offset_validation=True,
    ))
    router.add_api_route(
        "/api/invites/{token}/uploads/{upload_id}/finish", finish_upload, methods=["POST"], status_code=201,
        response_model=MomentPublic, tags=["uploads"],
    )
    return router


def finish_upload(
    token: str,
    upload_id: str,
    body: FinishUpload,
    request: Request,
    response: Response,
    session: SessionDep,
    storage: StorageDep,
    settings: SettingsDep,
) -> MomentPublic:
    """Turn a completely sent upload into a moment (same checks as a direct upload); asking twice is safe."""
    fields = UploadFields(
        caption=body.caption, captured_at=parse_client_time(body.captured_at), tz=body.tz or None, mood=body.mood,
        alias=body.alias, role=body.role, consent=body.consent, consent_scope=body.consent_scope,
    )
    project = projects.project_by_invite(session=session, token=token)
    finished = resumable.finish_upload(
        session=session, storage=storage, settings=settings, project=project, upload_id=upload_id, fields=fields,
        contributor_token=request.cookies.get(contributor_cookie_name(project.id)),
    )
    if finished.contributor_token:
        set_contributor_cookie(response, finished.moment.project_id, finished.contributor_token, settings)
    if not finished.created:
        response.status_code = 200
    return MomentPublic.of(finished.moment)
