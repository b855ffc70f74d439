"""The live wall's stream at scale: without a cursor it starts from now, and its poll reads an index range."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.dialects import sqlite

from app.context import Context
from app.models import utcnow
from app.services.presentation import changed_since_query
from tests import factories
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
    stmt = changed_since_query(project_id=1, since=utcnow() - timedelta(seconds=5), after_id=10)
    with ctx.sessions() as s:
        sql = str(stmt.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
        plan = " / ".join(str(row[-1]) for row in s.execute(text("EXPLAIN QUERY PLAN " + sql)))
    assert "INDEX ix_moments_project_updated (project_id=? AND updated_at>?)" in plan, plan
    assert "(project_id=? AND rowid>?)" in plan, plan  # new ids: a range too
    assert "SCAN moments" not in plan, plan
