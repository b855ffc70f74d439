"""The same SQL on PostgreSQL: hours by integer division of the time of day, keyset pages, the window
function of the lanes, 'select all matching' as one UPDATE, and the 0005 backfill."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app import jobs
from app.config import Settings
from app.context import Context, build_context
from app.main import create_app
from app.migrate import alembic_config
from app.models import Project
from app.services import coverage, moment_pages
from tests import factories
from tests.services.postgres import fresh_database

DAY = datetime(2024, 7, 24)


@pytest.fixture
def pg_ctx(settings: Settings) -> Iterator[Context]:
    with fresh_database() as url:
        ctx = build_context(settings.model_copy(update={"database_url": url}))
        jobs.configure(ctx)
        yield ctx
        ctx.engine.dispose()


@pytest.mark.services
def test_pages_counts_lanes_and_bulk_on_postgresql(pg_ctx: Context) -> None:
    staff = factories.make_staff(pg_ctx)
    project = factories.make_project(pg_ctx, owner_email=staff.email)
    times = [DAY.replace(hour=h, minute=m, second=s) for h in (6, 13, 23) for m in range(0, 60, 7) for s in (0, 59)]
    ids = factories.add_rows(pg_ctx, project, times, status="approved")
    with TestClient(create_app(ctx=pg_ctx)) as client:
        seen, url = [], f"/api/projects/{project.id}/moments?limit=7&hour=13"
        while url:
            r = client.get(url, headers=staff.headers)
            assert r.status_code == 200, r.text
            seen += r.json()
            url = r.links.get("next", {}).get("url")
        assert len(seen) == 18 and all(m["captured_local"][11:13] == "13" for m in seen)
        assert [m["captured_local"][11:] for m in seen] == sorted(m["captured_local"][11:] for m in seen)
    with pg_ctx.sessions() as s:
        p = s.get(Project, project.id)
        assert p is not None
        numbers = coverage.overview(session=s, project=p, invite_url="x")
        assert {c.hour: c.total for c in numbers["counts"] if c.total} == {6: 18, 13: 18, 23: 18}
        hours = coverage.lanes(session=s, project=p)
        assert [h["hour"] for h in hours][::17] == [6, 23]
        assert len(hours[0]["customer"]) == coverage.LANE_TILES and hours[0]["customer_n"] == 9
        changed = moment_pages.set_status_matching(session=s, project=p, status="hidden",
                                                   wanted=moment_pages.MomentFilter(role="employee", hour=23))
        s.commit()
        assert changed == 9
        assert moment_pages.count_matching(session=s, project=p,
                                           wanted=moment_pages.MomentFilter(status="hidden")) == 9
    assert len(ids) == 54


@pytest.mark.services
def test_the_backfill_on_postgresql() -> None:
    with fresh_database() as url:
        command.upgrade(alembic_config(url), "0004")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("insert into projects (title, day, timezone, language, welcome_text, consent_text, "
                              "consent_version, invite_token, contributions_open, auto_approve, keep_gps, "
                              "brand_color, settings, created_at) values ('Dag', '2024-07-24', 'Europe/Amsterdam', "
                              "'en', '', '', 1, 'tok', true, false, false, '#000000', '{}', now())"))
            conn.execute(text("insert into moments (project_id, storage_key, sha256, size_bytes, original_name, kind, "
                              "format, mime, width, height, has_audio, rotation, media_info, captured_local, "
                              "time_source, time_confirmed, caption, alias, role, place, consent_at, "
                              "consent_version, consent_scope, status, derive_status, created_at, updated_at) "
                              "select id, 'k', 's', 1, '', 'photo', 'jpeg', 'image/jpeg', 1, 1, false, 0, '{}', "
                              "'2024-07-24 17:45:01', 'exif', true, '', '', '', '', now(), 1, 'workshop', "
                              "'approved', 'done', now(), now() from projects"))
        command.upgrade(alembic_config(url), "head")
        with engine.connect() as conn:
            assert conn.execute(text("select day_us from moments")).scalar() == (17 * 3600 + 45 * 60 + 1) * 10**6
        engine.dispose()
