"""A render's plan and long log live in storage (gzip), the row keeps their keys and a summary; renders made
before keep their inline plan and work as before. The 0005 migration gives old moments their time of day."""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path

from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app.context import Context
from app.migrate import alembic_config
from app.models import Render, day_us_of
from app.services import builder, rendering
from app.services.render_store import LOG_INLINE_CHARS, full_log, load_plan, store_log
from tests import factories
from tests.mediagen import make_photo


def test_a_plan_goes_to_storage_and_the_row_keeps_its_key_and_chapters(
    ctx: Context, client: TestClient, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    for hour, colour in ((8, "red"), (15, "blue")):
        photo = make_photo(tmp_path / f"{colour}.jpg", colour=colour, size=(160, 120),
                           taken=datetime(2024, 7, 24, hour))
        factories.make_moment(ctx, project, photo, status="approved")
    r = client.post(f"/api/projects/{project.id}/films", headers=staff.headers,
                    json={"size": "160x90", "fps": 2, "quality": "preview"})
    assert r.status_code == 202, r.text
    render = factories.fresh(ctx, Render, r.json()["id"])
    assert render.status == "done", render.error
    assert render.plan_key and render.plan_key.endswith("plan.json.gz")
    stored = json.loads(gzip.decompress(b"".join(ctx.storage.read_range(render.plan_key))))
    assert len([s for s in stored["segments"] if s.get("moment_id")]) == 2
    assert render.plan is not None and "segments" not in render.plan  # the row keeps a summary only
    assert render.plan["chapters"] == stored["chapters"] and render.plan["length_s"] == stored["length_s"]
    assert load_plan(ctx.storage, render) == stored


def test_a_render_with_its_plan_inline_still_works(
    ctx: Context, client: TestClient, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    photo = make_photo(tmp_path / "a.jpg", colour="red", size=(160, 120), taken=datetime(2024, 7, 24, 9))
    factories.make_moment(ctx, project, photo, status="approved")
    plan = {"chapters": [{"title": "Ochtendgloren", "start_s": 0.0}], "segments": [], "length_s": 4.0}
    with ctx.sessions() as s:
        from app.models import Moment, Project

        p = s.get(Project, project.id)
        assert p is not None
        old_digest = rendering.listed_digest(list(s.query(Moment).filter(Moment.project_id == project.id)))
        old = Render(project_id=project.id, kind="film", status="done", plan=plan, options={},
                     moments_digest=old_digest, output_key="renders/x/film.mp4")
        s.add(old)
        s.commit()
        assert load_plan(ctx.storage, old) == plan
        values = builder.watch_values(session=s, render=old, preview_id=None)
        assert values["chapters"] == plan["chapters"]
        assert values["outdated"] is False  # the digest of before still recognises unchanged moments
        assert builder.past_renders(session=s, project=p, kind="film")[0]["outdated"] is False
    r = client.get(f"/api/renders/{old.id}", headers=staff.headers)
    assert r.status_code == 200


def test_a_long_log_goes_to_storage_and_the_row_keeps_its_end(ctx: Context) -> None:
    lines = [f"skipped moment {i}: the file could not be read" for i in range(400)]
    text_ = "\n".join(lines)
    inline, key = store_log(ctx.storage, "renders/7/1", text_)
    assert key is not None and len(inline) <= LOG_INLINE_CHARS + 100
    assert inline.endswith(lines[-1]) and inline.startswith("… ")
    render = Render(project_id=1, kind="film", log=inline, log_key=key)
    assert full_log(ctx.storage, render) == text_
    short, none = store_log(ctx.storage, "renders/7/1", "done")
    assert (short, none) == ("done", None)


def test_the_migration_gives_old_moments_their_time_of_day(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0004")
    engine = create_engine(url)
    taken = datetime(2024, 7, 23, 22, 15, 30, 250000)
    with engine.begin() as conn:
        conn.execute(text("insert into projects (id, title, day, timezone, language, welcome_text, consent_text, "
                          "consent_version, invite_token, contributions_open, auto_approve, keep_gps, brand_color, "
                          "settings, created_at) values (1, 'Dag', '2024-07-24', 'Europe/Amsterdam', 'en', '', '', "
                          "1, 'tok', 1, 0, 0, '#000000', '{}', '2024-07-24 00:00:00')"))
        conn.execute(text("insert into moments (id, project_id, storage_key, sha256, size_bytes, original_name, kind, "
                          "format, mime, width, height, has_audio, rotation, media_info, captured_local, time_source, "
                          "time_confirmed, caption, alias, role, place, consent_at, consent_version, consent_scope, "
                          "status, derive_status, created_at, updated_at) values (1, 1, 'k', 's', 1, '', 'photo', "
                          "'jpeg', 'image/jpeg', 1, 1, 0, 0, '{}', :t, 'exif', 1, '', '', '', '', :t, 1, 'workshop', "
                          "'approved', 'done', :t, :t)"), {"t": taken})
    command.upgrade(alembic_config(url), "head")
    with engine.connect() as conn:
        assert conn.execute(text("select day_us from moments where id = 1")).scalar() == day_us_of(taken)
    assert day_us_of(taken) == (22 * 3600 + 15 * 60 + 30) * 1_000_000 + 250000
    engine.dispose()


def test_the_whole_log_through_the_api(ctx: Context, client: TestClient, staff: factories.StaffUser,
                                       project: factories.ProjectRef) -> None:
    text_ = "\n".join(f"skipped moment {i}: unreadable" for i in range(500))
    inline, key = store_log(ctx.storage, "renders/9/1", text_)
    with ctx.sessions() as s:
        render = Render(project_id=project.id, kind="film", status="failed", options={}, log=inline, log_key=key)
        s.add(render)
        s.commit()
        render_id = render.id
    r = client.get(f"/api/renders/{render_id}/log", headers=staff.headers)
    assert r.status_code == 200 and r.text == text_
    assert client.get(f"/api/renders/{render_id}", headers=staff.headers).json()["log"] == inline
    assert client.get(f"/api/renders/{render_id}/log").status_code == 401
