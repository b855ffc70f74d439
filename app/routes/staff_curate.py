"""Curating: the moments grid with filters and bulk actions, and one moment's corrections and trim."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app.deps import CurrentStaffOptional, IdPath, SessionDep
from app.i18n import pick_language
from app.services import curate_view, curation, faces, projects, staff_access
from app.staff_pages import member_project, staff_ctx, staff_or_redirect
from app.web import page

router = APIRouter()


def _filter(status: str, kind: str, role: str, mood: str, hour: str) -> curate_view.MomentFilter:
    return curate_view.MomentFilter(status=status, kind=kind, role=role, mood=int(mood) if mood.isdigit() else None,
                                    hour=int(hour) if hour.isdigit() else None)


@router.get("/projects/{project_id}/moments", response_class=HTMLResponse)
def curate_page(
    project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional,
    status: str = "", kind: str = "", role: str = "", mood: str = "", hour: str = "", after: str = "",
) -> HTMLResponse:
    """A page of moments in time-of-day order under part-of-day headings, filtered, with bulk approve/hide."""
    user, project = member_project(request, session, user, project_id)
    wanted = _filter(status, kind, role, mood, hour)
    shown = curate_view.curation_page(session=session, project=project, wanted=wanted, cursor=after,
                                      language=pick_language(request, project.language))
    next_url = f"?{urlencode({**wanted.query(), 'after': shown.next_cursor})}" if shown.next_cursor else None
    return page(request, "staff/moments.html", staff_ctx(
        request, user, project=project, groups=shown.groups, wanted=wanted, count=shown.count,
        shown=sum(len(g[1]) for g in shown.groups), next_url=next_url, first_page=shown.first,
        first_url=f"?{urlencode(wanted.query())}"))


@router.post("/projects/{project_id}/moments/bulk")
def bulk(
    project_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional,
    action: str = Form(""), ids: list[int] = Form(default_factory=list), one: str = Form(""),
    back: str = Form(""), matching: bool = Form(False), status: str = Form(""), kind: str = Form(""),
    role: str = Form(""), mood: str = Form(""), hour: str = Form(""),
) -> RedirectResponse:
    """Approve or hide the ticked moments in one POST (or one moment: `one` is 'approve:42'), or, with
    `matching`, every moment the filter matches, on all pages."""
    user = staff_or_redirect(request, user)
    if matching and not one:
        project = projects.project_for(session=session, user=user, project_id=project_id)
        curate_view.bulk_set_status_matching(session=session, project=project, action=action,
                                             wanted=_filter(status, kind, role, mood, hour))
    else:
        if one:
            action, _, single = one.partition(":")
            ids = [int(single)] if single.isdigit() else []
        _project, moments = staff_access.moments_of_project(session=session, user=user, project_id=project_id,
                                                            ids=ids)
        curate_view.bulk_set_status(session=session, moments=moments, action=action)
    query = back if back.startswith("?") else ""
    return RedirectResponse(f"/staff/projects/{project_id}/moments{query}", status_code=303)


@router.post("/moments/{moment_id}/status")
def set_status(
    moment_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional,
    status: str = Form(...),
) -> RedirectResponse:
    """Approve or hide one moment."""
    user = staff_or_redirect(request, user)
    moment = staff_access.moment_for(session=session, user=user, moment_id=moment_id)
    curation.update_moment(session=session, moment=moment, patch=curation.MomentPatch(status=status))
    return RedirectResponse(f"/staff/projects/{moment.project_id}/moments#m{moment.id}", status_code=303)


@router.get("/moments/{moment_id}", response_class=HTMLResponse)
def moment_page(moment_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional) -> HTMLResponse:
    """One moment: correct its time and caption, trim a clip with a preview player."""
    user = staff_or_redirect(request, user)
    moment = staff_access.moment_for(session=session, user=user, moment_id=moment_id)
    values = curate_view.detail(moment, pick_language(request, moment.project.language))
    return page(request, "staff/moment.html", staff_ctx(request, user, project=moment.project,
                                                        faces=faces.staff_view(moment), **values))


@router.post("/moments/{moment_id}")
def correct_moment(
    moment_id: IdPath, request: Request, session: SessionDep, user: CurrentStaffOptional,
    local_time: str = Form(""), caption: str = Form(""), mood: str = Form(""),
) -> RedirectResponse:
    """Save a corrected time (marked 'corrected'), caption and mood."""
    user = staff_or_redirect(request, user)
    moment = staff_access.moment_for(session=session, user=user, moment_id=moment_id)
    curate_view.correct_from_form(session=session, moment=moment, local_time=local_time, caption=caption, mood=mood)
    return RedirectResponse(f"/staff/moments/{moment_id}?saved=1", status_code=303)
