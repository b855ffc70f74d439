"""The live wall's stream at scale: without a cursor it starts from now, and its poll reads an index range."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite

from app.config import Settings
from app.context import Context, build_context
from app.models import utcnow
from app.services.presentation import changed_since_queries
from tests import factories
from tests.services.postgres import fresh_database
from tests.web.test_present import present_token
from tests.web.test_staff_pages import add_moment, approve_all


def test_a_stream_without_a_cursor_sends_only_what_arrives_after_it_opened(
    client: TestClient, ctx: Context, project: factories.ProjectRef, tmp_path: Path
) -> None:
    for hour in (8, 9, 10):
        add_moment(client, project.invite_token, tmp_path, hour, caption=f"al goedgekeurd {hour}")
    approve_all(ctx, project.id)
    url = f"/p/{present_token(ctx, project.id)}/events"
    with client.stream("GET", url, params={"limit_s": 1}) as r:
        body = "".join(r.iter_text())
    assert r.status_code == 200 and "retry:" in body
    assert "data: " not in body  # today's three approved moments are on the page already, not in the stream
    with client.stream("GET", url, params={"limit_s": 1, "after": 0}) as r:  # an explicit cursor still works
        assert "al goedgekeurd 8" in "".join(r.iter_text())


def test_the_wall_poll_is_an_index_range_not_a_scan(ctx: Context) -> None:
    changed, new = changed_since_queries(project_id=1, since=utcnow() - timedelta(seconds=5), after_id=10)
    plans = []
    with ctx.sessions() as s:
        for stmt in (changed, new):
            sql = str(stmt.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
            plans.append(" / ".join(str(row[-1]) for row in s.execute(text("EXPLAIN QUERY PLAN " + sql))))
    # a range of the (project, [status,] updated_at) index: the wall's own, or the status one of the staff pages
    assert re.search(r"INDEX ix_moments_project_(status_)?updated \(project_id=\? AND (status=\? AND )?updated_at>\?\)",
                     plans[0]), plans[0]
    assert "rowid>?" in plans[1], plans[1]  # new ids: a range of ids (SQLite: within the project)
    assert not any("SCAN moments" in plan for plan in plans), plans


@pytest.mark.services
def test_the_wall_poll_reads_index_ranges_on_postgresql(tmp_path: Path) -> None:
    """Planned on PostgreSQL with statistics (a single OR'd query was a full scan and a hash join there)."""
    with fresh_database() as url:
        ctx = build_context(Settings(data_dir=tmp_path / "data", database_url=url, queue_backend="immediate",
                                     environment="test", secret_key="test-secret-0123456789",
                                     public_base_url="http://testserver"))
        try:
            projects = [factories.make_project(ctx) for _ in range(2)]
            ids = [factories.add_shown_moments(ctx, p, 1500, tmp_path) for p in projects]
            with ctx.engine.connect() as c:
                c.execute(text("ANALYZE moments"))
                for stmt in changed_since_queries(project_id=projects[0].id, since=utcnow() - timedelta(seconds=5),
                                                  after_id=ids[0][-5]):
                    sql = str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
                    plan = " / ".join(row[0] for row in c.execute(text("EXPLAIN " + sql)))
                    assert "Index Scan" in plan and "Seq Scan" not in plan, plan
        finally:
            ctx.engine.dispose()
