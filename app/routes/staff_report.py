"""The workshop report: a page for screens with the actions the room decided, and the PDF for the board."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from app.deps import CurrentStaff, CurrentStaffOptional, IdPath, SessionDep, StorageDep
from app.services import projects, report, workshop
from app.staff_pages import member_project, staff_ctx
from app.web import page

router = APIRouter()


class ActionIn(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False)

    text: str = Field(max_length=workshop.MAX_ACTION_CHARS)
    owner: str = Field("", max_length=workshop.MAX_OWNER_CHARS)
    due: str = Field("", max_length=10)


@router.get("/projects/{project_id}/report", response_class=HTMLResponse)
def report_page(project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional,
                storage: StorageDep, scope: str | None = None) -> HTMLResponse:
    """The workshop report for screens, the actions, and the PDF to download."""
    user, project = member_project(request, session, user, project_id)
    values = report.report_page_values(session=session, storage=storage, project=project, scope=scope)
    return page(request, "staff/report.html", staff_ctx(request, user, project=project, **values))


@router.get("/projects/{project_id}/report.pdf")
def report_pdf(project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional,
               storage: StorageDep, scope: str | None = None) -> Response:
    """The workshop report as a PDF, made now from the moments whose consent allows `scope`."""
    user, project = member_project(request, session, user, project_id)
    pdf = report.report_pdf(session=session, storage=storage, project=project, scope=scope)
    name = f"dayreel-report-{project.id}-{report.check_scope(scope)}.pdf"
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/projects/{project_id}/actions")
def add_action(project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional,
               text: str = Form(""), owner: str = Form(""), due: str = Form("")) -> RedirectResponse:
    """Add an action (text, owner, date) from the report page."""
    user, project = member_project(request, session, user, project_id)
    workshop.add_action(session=session, project=project, text=text, owner=owner, due=due, user=user)
    return RedirectResponse(f"/staff/projects/{project_id}/report#actions", status_code=303)


@router.post("/projects/{project_id}/actions.json", status_code=201)
def add_action_json(project_id: IdPath, body: ActionIn, session: SessionDep, user: CurrentStaff) -> dict[str, object]:
    """Add an action from presentation mode (a signed-in session sends its X-CSRF-Token)."""
    project = projects.project_for(session=session, user=user, project_id=project_id)
    action = workshop.add_action(session=session, project=project, text=body.text, owner=body.owner, due=body.due,
                                 user=user)
    return workshop.action_dict(action)


@router.post("/projects/{project_id}/actions/{action_id}/delete")
def delete_action(project_id: IdPath, action_id: IdPath, request: Request, session: SessionDep,
                  user: CurrentStaffOptional) -> RedirectResponse:
    """Remove an action."""
    user, project = member_project(request, session, user, project_id)
    workshop.delete_action(session=session, project=project, action_id=action_id)
    return RedirectResponse(f"/staff/projects/{project_id}/report#actions", status_code=303)
