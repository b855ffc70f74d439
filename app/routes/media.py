"""Uploaded and derived files, each behind an access check; uploads/ is never mounted."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse

from app.deps import CurrentStaffOptional, SessionDep, StorageDep
from app.models import Moment
from app.routes.api import contributor_cookie_name
from app.services.access import contributor_owns, staff_may_see

router = APIRouter(prefix="/media", tags=["media"])

Variant = Literal["thumb", "preview", "original"]
CACHE_FOREVER = "private, max-age=31536000, immutable"


@router.get("/moments/{moment_id}/{digest}/{variant}")
def moment_file(
    moment_id: int, digest: str, variant: Variant, request: Request, session: SessionDep,
    storage: StorageDep, user: CurrentStaffOptional,
) -> FileResponse:
    """A moment's thumbnail, preview or original, for its project's staff or its contributor."""
    moment = session.get(Moment, moment_id)
    if moment is None or not moment.sha256.startswith(digest):
        raise HTTPException(404, "no such file")
    allowed = staff_may_see(session=session, user=user, project_id=moment.project_id) or contributor_owns(
        session=session, moment=moment, token=request.cookies.get(contributor_cookie_name(moment.project_id))
    )
    if not allowed:
        raise HTTPException(404, "no such file")  # 404, not 403: don't confirm that it exists
    if variant == "original":
        key, media_type = moment.storage_key, moment.mime
    else:
        key = moment.thumb_key if variant == "thumb" else moment.preview_key
        media_type = "image/jpeg"
        if key is None:
            raise HTTPException(404, "this picture is still being prepared")
    return FileResponse(storage.path(key), media_type=media_type, headers={"Cache-Control": CACHE_FOREVER})
