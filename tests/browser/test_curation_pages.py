"""Curating a big day in a real browser: pages of 200, and 'select all matching' approving every page."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.models import Moment
from tests import factories
from tests.browser.conftest import LiveServer, wait_for_js
from tests.browser.test_staff_flow import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", [(390, 844), (3840, 2160)])
def test_select_all_matching_approves_every_page(
    live_server: LiveServer, browser, artifacts: Path, size: tuple[int, int]  # type: ignore[no-untyped-def]
) -> None:
    ctx = live_server.ctx
    staff = factories.make_staff(ctx)
    project = factories.make_project(ctx, owner_email=staff.email)
    factories.add_rows(ctx, project, factories.day_times(460, seed=11))  # 230 customers, 230 employees
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="en-GB")
    page = context.new_page()
    try:
        sign_in(page, live_server, staff)
        page.goto(f"{live_server.url}/staff/projects/{project.id}/moments?role=employee")
        assert page.locator("article.tile").count() == 200
        assert "200 of 230" in page.inner_text("#moment-count")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"the curation page scrolls sideways at {size[0]} px"
        page.check("#select-matching")
        wait_for_js(page, "document.getElementById('selected-count').textContent === '230 ✓'")
        assert page.locator("input[name=ids]:checked").count() == 200  # the ticks on this page show it too
        page.screenshot(path=str(artifacts / f"staff-curation-matching-{size[0]}.png"))
        with page.expect_navigation():
            page.click("#bulk button[value=approve]")
        assert "role=employee" in page.url
        with ctx.sessions() as s:
            approved = dict(s.execute(select(Moment.role, func.count()).where(Moment.status == "approved")
                                      .group_by(Moment.role)).all())
        assert approved == {"employee": 230}
        page.click("#next-page")
        page.wait_for_selector("#first-page")
        assert page.locator("article.tile").count() == 30
        assert page.locator("article.tile.approved").count() == 30  # the second page was approved as well
        page.screenshot(path=str(artifacts / f"staff-curation-page2-{size[0]}.png"), full_page=size[0] < 1000)
    finally:
        context.close()
