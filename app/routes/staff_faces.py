"""Bystanders' faces: the project's blur policy, and per moment boxes, consent and the override."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app.deps import CurrentStaffOptional, IdPath, SessionDep
from app.models import Moment
from app.services import faces, staff_access
from app.services.errors import Invalid
from app.staff_pages import member_project, staff_or_redirect

router = APIRouter()


def _moment(request: Request, session: SessionDep, user: CurrentStaffOptional, moment_id: int) -> Moment:
    staff = staff_or_redirect(request, user)
    return staff_access.moment_for(session=session, user=staff, moment_id=moment_id)


def _back(moment_id: int) -> RedirectResponse:
    return RedirectResponse(f"/staff/moments/{moment_id}?saved=1#faces", status_code=303)


@router.post("/projects/{project_id}/faces/policy")
def save_policy(project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional,
                policy: str = Form(...)) -> RedirectResponse:
    """When bystanders' faces are blurred in films, collages, the wall and the presentation link."""
    _user, project = member_project(request, session, user, project_id)
    faces.set_policy(session=session, project=project, policy=policy)
    return RedirectResponse(f"/staff/projects/{project_id}/settings?saved=1#faces", status_code=303)


@router.post("/moments/{moment_id}/faces/add")
def add_face(moment_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional,
             x: str = Form(...), y: str = Form(...), w: str = Form(...), h: str = Form(...)) -> RedirectResponse:
    """Add a box the detector missed (percent of the picture)."""
    moment = _moment(request, session, user, moment_id)
    try:
        left, top, width, height = (float(v) / 100 for v in (x, y, w, h))
    except ValueError:
        raise Invalid("give the box as numbers: percent of the picture from the left and top, width and height") \
            from None
    faces.add_box(session=session, moment=moment, x=left, y=top, w=width, h=height)
    return _back(moment_id)


@router.post("/moments/{moment_id}/faces/{face_id}/remove")
def remove_face(moment_id: IdPath, face_id: IdPath, request: Request, session: SessionDep,
                user: CurrentStaffOptional) -> RedirectResponse:
    """Remove a box that is not a face."""
    moment = _moment(request, session, user, moment_id)
    faces.remove_face(session=session, moment=moment, face_id=face_id)
    return _back(moment_id)


@router.post("/moments/{moment_id}/faces/{face_id}/consent")
def consent_face(moment_id: IdPath, face_id: IdPath, request: Request, session: SessionDep,
                 user: CurrentStaffOptional, consented: bool = Form(...)) -> RedirectResponse:
    """Mark a face as the contributor's own (consented: not blurred), or not."""
    moment = _moment(request, session, user, moment_id)
    faces.set_consented(session=session, moment=moment, face_id=face_id, consented=consented)
    return _back(moment_id)


@router.post("/moments/{moment_id}/faces/override")
def override(moment_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional,
             override: str = Form("")) -> RedirectResponse:
    """Blur this moment, keep it as it is, or follow the project's policy ('')."""
    moment = _moment(request, session, user, moment_id)
    faces.set_override(session=session, moment=moment, override=override)
    return _back(moment_id)
