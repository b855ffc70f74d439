"""Uploaded and derived files, each behind an access check; uploads/ is never mounted."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.cookies import contributor_token_of
from app.deps import CurrentStaffOptional, IdPath, SessionDep, StorageDep
from app.error_models import API_ERRORS
from app.file_responses import stored_file
from app.services import access

router = APIRouter(prefix="/media", tags=["media"], responses=API_ERRORS)

Variant = Literal["thumb", "preview", "original"]
CACHE_FOREVER = "private, max-age=31536000, immutable"


@router.get("/moments/{moment_id}/{digest}/{variant}")
def moment_file(
    moment_id: IdPath, digest: str, variant: Variant, request: Request, session: SessionDep,
    storage: StorageDep, user: CurrentStaffOptional,
) -> Response:
    """A moment's thumbnail, preview or original, for its project's staff or its contributor."""
    key, media_type = access.moment_file(
        session=session, user=user, moment_id=moment_id, digest=digest, variant=variant,
        contributor_token_for=lambda project_id: contributor_token_of(request, project_id),
    )
    return stored_file(request, storage, key, media_type=media_type, headers={"Cache-Control": CACHE_FOREVER})
