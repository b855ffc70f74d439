"""Staff pages cost what they show: the same number of SQL statements for a project of 50 moments as for
one of 500; curation in pages, with 'select all matching' acting on every page of the filter."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from app.context import Context
from app.models import Moment
from tests import factories
from tests.web.test_staff_pages import sign_in

PAGE_ROWS = 200 + 1  # the curation page and the API's default page, and one more to know there is a next
PAGES = ["/staff", "/staff/projects/{id}", "/staff/projects/{id}/moments",
         "/staff/projects/{id}/moments?status=approved&role=customer", "/staff/projects/{id}/film",
         "/staff/projects/{id}/collage", "/staff/projects/{id}/lanes", "/staff/projects/{id}/delete",
         "/api/projects/{id}/moments", "/api/projects"]


@contextmanager
def counted(ctx: Context) -> Iterator[tuple[list[str], list[int]]]:
    """The SQL statements run on `ctx`'s engine meanwhile, and the Moment rows the ORM loaded."""
    statements: list[str] = []
    loaded: list[int] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    def load(target: Moment, _context: Any) -> None:
        loaded.append(target.id)

    event.listen(ctx.engine, "before_cursor_execute", record)
    event.listen(Moment, "load", load)
    try:
        yield statements, loaded
    finally:
        event.remove(ctx.engine, "before_cursor_execute", record)
        event.remove(Moment, "load", load)


def test_no_page_runs_more_statements_for_a_bigger_project(client: TestClient, ctx: Context,
                                                          staff: factories.StaffUser) -> None:
    sign_in(client, staff)
    sizes = {}
    for n in (50, 500):
        project = factories.make_project(ctx, owner_email=staff.email)
        factories.add_rows(ctx, project, factories.day_times(n, seed=n), status="approved", contributors=n // 5)
        r = client.post(f"/api/projects/{project.id}/films", headers=staff.headers,
                        json={"size": "160x90", "fps": 2, "target_length_s": 20})  # renders inline: fails, no media
        assert r.status_code == 202, r.text
        sizes[n] = project
    for url in PAGES:
        counts, rows = {}, {}
        for n, project in sizes.items():
            client.get(url.format(id=project.id), headers=staff.headers)  # warm: first-use queries not counted
            with counted(ctx) as (statements, loaded):
                r = client.get(url.format(id=project.id), headers=staff.headers)
            assert r.status_code == 200, (url, r.text[:300])
            counts[n], rows[n] = len(statements), len(loaded)
        assert counts[50] == counts[500], (url, counts)
        # one query may still fetch everything: the rows it turns into moments are at most one page
        assert rows[500] <= max(rows[50], PAGE_ROWS), (url, rows)


def tiles(html: str) -> list[int]:
    return [int(t["id"][1:]) for t in BeautifulSoup(html, "html.parser").select("article.tile")]


def test_curation_pages_and_select_all_matching_across_pages(client: TestClient, ctx: Context,
                                                            staff: factories.StaffUser,
                                                            project: factories.ProjectRef) -> None:
    csrf = sign_in(client, staff)
    factories.add_rows(ctx, project, factories.day_times(450, seed=3))  # customers and employees in turn
    url = f"/staff/projects/{project.id}/moments?role=customer"
    first = client.get(url)
    soup = BeautifulSoup(first.text, "html.parser")
    assert len(tiles(first.text)) == 200 and "200 of 225" in soup.select_one("#moment-count").text  # type: ignore[union-attr]
    matching = soup.select_one("#select-matching")
    assert matching is not None and matching["data-count"] == "225"
    next_link = soup.select_one("#next-page")
    assert next_link is not None and "role=customer" in next_link["href"]
    second = client.get(f"/staff/projects/{project.id}/moments{next_link['href']}")
    assert len(tiles(second.text)) == 25 and not set(tiles(first.text)) & set(tiles(second.text))
    assert BeautifulSoup(second.text, "html.parser").select_one("#next-page") is None
    # the hidden filter fields travel with the bulk form: the action applies to all 225, not the 200 shown
    hidden = {i["name"]: i["value"] for i in soup.select("#bulk input[type=hidden]") if i["name"] in ("role",)}
    r = client.post(f"/staff/projects/{project.id}/moments/bulk", follow_redirects=False,
                    data={"csrf": csrf, "action": "approve", "matching": "1", **hidden, "back": "?role=customer"})
    assert r.status_code == 303 and r.headers["location"].endswith("?role=customer")
    with ctx.sessions() as s:
        by = dict(s.execute(select(Moment.role, func.count()).where(Moment.project_id == project.id,
                                                                   Moment.status == "approved")
                            .group_by(Moment.role)).all())
    assert by == {"customer": 225}  # every customer, on both pages; no employee
    # ticking still acts on the ticked ones only
    some = tiles(second.text)[:3]
    r = client.post(f"/staff/projects/{project.id}/moments/bulk", follow_redirects=False,
                    data={"csrf": csrf, "action": "hide", "ids": [str(i) for i in some]})
    assert r.status_code == 303
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).where(Moment.status == "hidden")) == 3


def test_hour_filter_and_the_overview_counts(client: TestClient, ctx: Context, staff: factories.StaffUser,
                                             project: factories.ProjectRef) -> None:
    sign_in(client, staff)
    day = datetime(2024, 7, 24)
    factories.add_rows(ctx, project, [day.replace(hour=7, minute=m) for m in range(5)], status="approved")
    factories.add_rows(ctx, project, [day.replace(hour=15)], status="hidden")
    factories.add_rows(ctx, project, [day.replace(hour=15, minute=5)], status="pending")
    r = client.get(f"/staff/projects/{project.id}/moments?hour=7")
    assert len(tiles(r.text)) == 5
    overview = BeautifulSoup(client.get(f"/staff/projects/{project.id}").text, "html.parser")
    stats = [re.sub(r"\s+", " ", a.text).strip() for a in overview.select(".stats .stat")]
    assert stats[:3] == ["7 Moments", "1 waiting for review", "5 approved"], stats
    hours = {h.select_one(".h").text: h.select_one(".n").text for h in overview.select(".strip .hour")}
    assert hours["07"] == "5" and hours["15"] == "1" and hours["12"] == "·"  # the hidden one does not count
