"""The Content-Security-Policy blocks nothing the pages need: no violation report on any main page."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.models import Project
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.test_staff_flow import sign_in
from tests.mediagen import make_photo

pytestmark = pytest.mark.browser

# runs before any page script and outside the page's CSP: records each violation the browser reports
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def test_main_pages_report_no_csp_violation(
    live_server: LiveServer, desktop, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    ctx = live_server.ctx
    staff = factories.make_staff(ctx)
    project = factories.make_project(ctx, owner_email=staff.email)
    moment = factories.make_moment(ctx, project, make_photo(tmp_path / "p.jpg", size=(160, 120)), status="approved")
    with ctx.sessions() as s:
        row = s.get(Project, project.id)
        assert row is not None
        present = row.present_token

    console: list[str] = []
    desktop.on("console", lambda msg: console.append(msg.text))
    desktop.add_init_script(RECORD_VIOLATIONS)
    base = live_server.url
    pages = [f"/c/{project.invite_token}", f"/c/{project.invite_token}/me/{moment.contributor_token}",
             f"/p/{present}", f"/p/{present}?view=wall"]
    sign_in(desktop, live_server, staff)
    pages += [f"/staff/projects/{project.id}", f"/staff/projects/{project.id}/moments", f"/staff/moments/{moment.id}",
              f"/staff/projects/{project.id}/settings", f"/staff/projects/{project.id}/film",
              f"/staff/projects/{project.id}/collage", f"/staff/projects/{project.id}/present"]
    violations: dict[str, list[str]] = {}
    for path in pages:
        response = desktop.goto(base + path, wait_until="load")
        assert response is not None and response.headers.get("content-security-policy"), path
        found = desktop.evaluate("window.__csp")
        if found:
            violations[path] = found
    blocked = [text for text in console if "Content Security Policy" in text]
    assert violations == {} and blocked == [], (violations, blocked)
