"""Renders no input can block: a moment in year 9999, an options row that cannot be read, a cancel while
queued or while running. A render ends done, failed (with a sentence and a log) or cancelled, never
"running" at 0 %; the film preview answers with a page, never a 500."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.context import Context
from app.models import Moment, Render
from app.services import rendering
from tests import factories
from tests.web.test_staff_pages import add_moment, approve_all, sign_in

TINY = {"size": "160x90", "fps": 10, "quality": "preview", "photo_s": 1.0, "transition_s": 0.2}
TINY_FORM = {"size": "160x90", "fps": "10", "quality": "preview", "photo_s": "1", "transition_s": "0.2"}



def _legacy_time(ctx: Context, moment_id: int, when: datetime, offset: int) -> None:
    """A time stored before the project-day rule existed (or written straight into the database)."""
    with ctx.sessions() as s:
        moment = s.get(Moment, moment_id)
        assert moment is not None
        moment.captured_local, moment.utc_offset_min = when, offset
        s.commit()


@pytest.mark.parametrize("ordering", ["time-of-day", "chronological"])
def test_a_moment_in_year_9999_neither_blocks_the_film_nor_its_preview(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path,
    ordering: str,
) -> None:
    ids = [add_moment(client, project.invite_token, tmp_path, hour, caption=f"at {hour}") for hour in (8, 15)]
    approve_all(ctx, project.id)
    _legacy_time(ctx, ids[0], datetime(9999, 12, 31, 23, 0), -300)  # its UTC instant is past datetime.max
    _legacy_time(ctx, ids[1], datetime(1, 1, 1, 0, 30), 14 * 60)  # and this one before datetime.min
    csrf = sign_in(client, staff)
    preview = client.post(f"/staff/projects/{project.id}/film/preview",
                          data={"csrf": csrf, **TINY_FORM, "ordering": ordering})
    assert preview.status_code == 200, preview.text[:300]
    assert "at 8" in preview.text and "at 15" in preview.text
    r = client.post(f"/api/projects/{project.id}/films", headers=staff.headers, json={**TINY, "ordering": ordering})
    assert r.status_code == 202, r.text
    render = factories.fresh(ctx, Render, r.json()["id"])  # jobs run inline: it has finished
    assert (render.status, render.error, render.progress) == ("done", None, 100.0)


def test_any_error_while_planning_fails_the_render_with_a_sentence_and_a_log(
    client: TestClient, ctx: Context, project: factories.ProjectRef, tmp_path: Path
) -> None:
    add_moment(client, project.invite_token, tmp_path, 9)
    approve_all(ctx, project.id)
    with ctx.sessions() as s:  # options an older version stored in another shape: not a mapping at all
        render = Render(project_id=project.id, kind="film", options=["legacy"], status="queued")
        s.add(render)
        s.commit()
        render_id = render.id
    rendering.run_render(render_id, ctx=ctx)
    render = factories.fresh(ctx, Render, render_id)
    assert render.status == "failed" and render.finished_at is not None
    assert render.error is not None and render.error.startswith("The plan could not be made:")
    assert "planning failed: ValueError" in render.log


def test_cancel_a_queued_render_through_the_api(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    add_moment(client, project.invite_token, tmp_path, 9)
    approve_all(ctx, project.id)
    with ctx.sessions() as s:  # still waiting in the queue (jobs run inline, so made by hand)
        render = Render(project_id=project.id, kind="film", options=TINY, status="queued")
        s.add(render)
        s.commit()
        render_id = render.id
    r = client.post(f"/api/renders/{render_id}/cancel", headers=staff.headers)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    rendering.run_render(render_id, ctx=ctx)  # the queue still holds it: running it now does nothing
    render = factories.fresh(ctx, Render, render_id)
    assert (render.status, render.plan, render.output_key) == ("cancelled", None, None)


@pytest.mark.parametrize("kind", ["films", "collages"])
def test_cancel_a_running_render(
    client: TestClient, ctx: Context, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, kind: str,
) -> None:
    """The cancel arrives while the render reads its files (after it was claimed and planned): the render stops
    as cancelled and stores nothing."""
    for hour in (8, 12, 16):
        add_moment(client, project.invite_token, tmp_path, hour)
    approve_all(ctx, project.id)
    real_path = ctx.storage.path
    seen: list[str] = []

    def path_cancelling_first(key: str) -> Path:
        if not seen:
            with ctx.sessions() as s:
                running = s.scalar(select(Render).where(Render.project_id == project.id, Render.kind == kind[:-1]))
                assert running is not None and running.status == "running"
                rendering.cancel_render(session=s, render=running)  # what POST /api/renders/{id}/cancel does
                s.commit()
        seen.append(key)
        return real_path(key)

    monkeypatch.setattr(ctx.storage, "path", path_cancelling_first)
    options = TINY if kind == "films" else {"layout": "grid", "size": "640x360"}
    r = client.post(f"/api/projects/{project.id}/{kind}", headers=staff.headers, json=options)
    assert r.status_code == 202, r.text
    assert seen  # the render did reach its files
    render = factories.fresh(ctx, Render, r.json()["id"])
    assert (render.status, render.output_key) == ("cancelled", None)
    assert render.finished_at is not None
    assert not (ctx.settings.data_dir / "renders" / str(render.id)).exists()


def test_an_error_before_rendering_starts_fails_the_render_too(
    client: TestClient, ctx: Context, project: factories.ProjectRef, tmp_path: Path
) -> None:
    """The render's work folder cannot be made (a file is in its place, as a full or broken disk would do)."""
    add_moment(client, project.invite_token, tmp_path, 9)
    approve_all(ctx, project.id)
    with ctx.sessions() as s:
        render = Render(project_id=project.id, kind="film", options=TINY, status="queued")
        s.add(render)
        s.commit()
        render_id = render.id
    blocker = ctx.storage.temp_dir() / f"render-{render_id}-1"  # the folder of its first attempt
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("not a folder")
    rendering.run_render(render_id, ctx=ctx)
    render = factories.fresh(ctx, Render, render_id)
    assert (render.status, render.output_key) == ("failed", None)
    assert render.error and "render-" in render.error
    assert "failed: FileExistsError" in render.log
