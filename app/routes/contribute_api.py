"""The JSON API the uploader (contribute.js) uses for one's own moments: list, change, delete. The contributor
cookie says whose moments; the invite token, which project."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.cookies import contributor_token_of
from app.deps import IdPath, SessionDep, StorageDep
from app.error_models import API_ERRORS
from app.schemas import MomentPublic, OwnMomentUpdate
from app.services import contributors, projects

# tagged as before the split (contribute, then api per route): the OpenAPI document stays the same
router = APIRouter(tags=["contribute"], responses=API_ERRORS)


@router.get("/api/invites/{token}/me/moments", response_model=list[MomentPublic], tags=["api"])
def my_moments_api(token: str, request: Request, session: SessionDep) -> list[MomentPublic]:
    """The moments this contributor (cookie) shared in this project."""
    project = projects.project_by_invite(session=session, token=token)
    moments = contributors.my_moments(session=session, project=project,
                                      contributor_token=contributor_token_of(request, project.id))
    return [MomentPublic.of(m) for m in moments]


@router.patch("/api/invites/{token}/me/moments/{moment_id}", response_model=MomentPublic, tags=["api"])
def my_moment_update_api(
    token: str, moment_id: IdPath, body: OwnMomentUpdate, request: Request, session: SessionDep
) -> MomentPublic:
    """Change caption, time, mood, name or role of one's own moment, or confirm its time."""
    project = projects.project_by_invite(session=session, token=token)
    moment = contributors.update_own_moment(
        session=session, project=project, moment_id=moment_id,
        contributor_token=contributor_token_of(request, project.id),
        patch=contributors.OwnMomentPatch(**body.model_dump(exclude_unset=True)),
    )
    return MomentPublic.of(moment)


@router.delete("/api/invites/{token}/me/moments/{moment_id}", status_code=204, tags=["api"])
def my_moment_delete_api(
    token: str, moment_id: IdPath, request: Request, session: SessionDep, storage: StorageDep
) -> Response:
    """Delete one's own moment and its files."""
    project = projects.project_by_invite(session=session, token=token)
    contributors.delete_own_moment(
        session=session, storage=storage, project=project, moment_id=moment_id,
        contributor_token=contributor_token_of(request, project.id),
    )
    return Response(status_code=204)
