"""Several workers, one render each: a render is claimed with a lease; only a stale lease is taken back; an
attempt that lost its lease stores nothing. Time is passed in (`now`), and the "other worker" is a real
process holding a real claim: nothing here waits and hopes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.context import Context
from app.leases import owner_gone
from app.models import Render, utcnow
from app.services import rendering
from tests import factories
from tests.web.test_staff_pages import add_moment, approve_all

COLLAGE = {"layout": "grid", "size": "320x180", "format": "png"}


def _queued_render(ctx: Context, project_id: int) -> int:
    with ctx.sessions() as s:  # queued by hand: the inline queue of the tests would run it at once
        render = Render(project_id=project_id, kind="collage", options=COLLAGE, status="queued")
        s.add(render)
        s.commit()
        return render.id



def _ready(ctx: Context, client: TestClient, project: factories.ProjectRef, tmp_path: Path) -> int:
    for hour in (9, 14):
        add_moment(client, project.invite_token, tmp_path, hour)
    approve_all(ctx, project.id)
    return _queued_render(ctx, project.id)


CLAIMER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from app.config import Settings
    from app.context import build_context
    from app.services.rendering import claim_render

    ctx = build_context(Settings(data_dir=Path(sys.argv[1]), queue_backend="immediate", environment="test",
                                 secret_key="test-secret-0123456789"), migrate=False)
    lease = claim_render(ctx, int(sys.argv[2]))
    print(lease.owner if lease else "-", flush=True)
    sys.stdin.read()  # hold the claim (alive) until the test closes stdin or kills us
""")


def test_a_render_another_live_worker_holds_is_not_requeued_until_that_worker_is_gone(
    client: TestClient, ctx: Context, project: factories.ProjectRef, tmp_path: Path
) -> None:
    render_id = _ready(ctx, client, project, tmp_path)
    worker = subprocess.Popen([sys.executable, "-c", CLAIMER, str(ctx.settings.data_dir), str(render_id)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert worker.stdout is not None
        owner = worker.stdout.readline().strip()
        assert owner != "-" and factories.fresh(ctx, Render, render_id).lease_owner == owner
        assert not owner_gone(owner)
        enqueued: list[int] = []
        # a second worker starts while the first renders: the render stays with the first, untouched
        assert rendering.requeue_interrupted(ctx, enqueued.append) == 0
        rendering.run_render(render_id, ctx=ctx)  # a duplicate queue entry for it does nothing either
        row = factories.fresh(ctx, Render, render_id)
        assert (row.status, row.lease_owner, row.attempt, row.output_key) == ("running", owner, 1, None)
        assert enqueued == []
    finally:
        worker.kill()
        worker.wait()
    # the first worker died (kill -9): on this machine that is known at once, before its lease expires
    assert owner_gone(owner)
    assert rendering.requeue_interrupted(ctx, enqueued.append) == 1
    assert enqueued == [render_id]
    row = factories.fresh(ctx, Render, render_id)
    assert (row.status, row.lease_owner) == ("queued", None)
    rendering.run_render(render_id, ctx=ctx)
    row = factories.fresh(ctx, Render, render_id)
    assert (row.status, row.attempt) == ("done", 2)
    assert row.output_key == f"renders/{render_id}/2/collage.png"  # the second attempt's own files
    assert ctx.storage.path(row.output_key).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_only_a_lease_past_its_expiry_is_taken_back_from_another_machine(
    client: TestClient, ctx: Context, project: factories.ProjectRef, tmp_path: Path
) -> None:
    render_id = _ready(ctx, client, project, tmp_path)
    start = utcnow()
    lease = rendering.claim_render(ctx, render_id, now=start)
    assert lease is not None
    elsewhere = "render-host-2:4026531836:4242:0123456789ab"  # a worker on another machine: only time tells
    with ctx.sessions() as s:
        s.get(Render, render_id).lease_owner = elsewhere  # type: ignore[union-attr]
        s.commit()
    ttl = timedelta(seconds=ctx.settings.render_lease_s)
    enqueued: list[int] = []
    assert rendering.requeue_interrupted(ctx, enqueued.append, now=start + ttl - timedelta(seconds=1)) == 0
    assert factories.fresh(ctx, Render, render_id).status == "running"
    assert rendering.requeue_interrupted(ctx, enqueued.append, now=start + ttl + timedelta(seconds=1)) == 1
    assert enqueued == [render_id] and factories.fresh(ctx, Render, render_id).status == "queued"


def test_renewing_keeps_the_lease_fresh(
    client: TestClient, ctx: Context, project: factories.ProjectRef, tmp_path: Path
) -> None:
    render_id = _ready(ctx, client, project, tmp_path)
    start = utcnow()
    lease = rendering.claim_render(ctx, render_id, now=start)
    assert lease is not None
    later = start + timedelta(seconds=ctx.settings.render_lease_s - 1)
    assert rendering.renew_lease(ctx, lease, now=later)  # what the heartbeat does a few times per lease
    enqueued: list[int] = []
    # past the first expiry but within the renewed one: still this worker's
    past_first = start + timedelta(seconds=ctx.settings.render_lease_s + 1)
    assert rendering.requeue_interrupted(ctx, enqueued.append, now=past_first) == 0
    assert factories.fresh(ctx, Render, render_id).lease_owner == lease.owner
    rendering.settle(ctx, lease, status="cancelled")


def test_an_attempt_that_lost_its_lease_stores_nothing_and_overwrites_nothing(
    client: TestClient, ctx: Context, project: factories.ProjectRef, tmp_path: Path
) -> None:
    render_id = _ready(ctx, client, project, tmp_path)
    start = utcnow()
    first = rendering.claim_render(ctx, render_id, now=start)
    assert first is not None
    # the first worker stalls past its lease (its process lives on); another takes the render back and claims it
    stale = start + timedelta(seconds=ctx.settings.render_lease_s + 1)
    assert rendering.requeue_interrupted(ctx, lambda _id: None, now=stale) == 1
    second = rendering.claim_render(ctx, render_id, now=stale)
    assert second is not None and second.attempt == first.attempt + 1

    # the first attempt wakes up with its film made and uploaded: recording it is refused, its files go
    made = tmp_path / "late.png"
    made.write_bytes(b"\x89PNG\r\n\x1a\nlate")
    late_key = ctx.storage.put_file(made, f"renders/{render_id}/{first.attempt}/collage.png")
    assert not rendering.renew_lease(ctx, first)
    assert not rendering.finish_render(ctx, first, {"output_key": late_key})
    assert not ctx.storage.exists(late_key)
    row = factories.fresh(ctx, Render, render_id)
    assert (row.status, row.lease_owner, row.output_key) == ("running", second.owner, None)

    # the first attempt, run on from where it stood, writes nothing at all (no plan, no progress, no files)
    rendering.run_claimed(ctx, first)
    row = factories.fresh(ctx, Render, render_id)
    assert (row.status, row.lease_owner, row.plan, row.progress, row.output_key) == (
        "running", second.owner, None, 0.0, None)
    assert not [p for p in (ctx.settings.data_dir / "renders").rglob("*") if p.is_file()]

    # the second attempt finishes; a late word from the first changes nothing afterwards either
    rendering.run_claimed(ctx, second)
    done = factories.fresh(ctx, Render, render_id)
    assert (done.status, done.output_key) == ("done", f"renders/{render_id}/{second.attempt}/collage.png")
    assert not rendering.settle(ctx, first, status="failed", error="late")
    assert not rendering.finish_render(ctx, second, {"output_key": "renders/x.png"})  # finishing twice: once
    again = factories.fresh(ctx, Render, render_id)
    assert (again.status, again.error, again.output_key, again.finished_at) == (
        "done", None, done.output_key, done.finished_at)
    with ctx.sessions() as s:
        assert s.scalar(select(Render.attempt).where(Render.id == render_id)) == 2


def test_a_render_taken_over_while_it_runs_stops_and_stores_nothing(
    client: TestClient, ctx: Context, project: factories.ProjectRef, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    """The takeover lands while the first attempt reads its files (claimed and planned): it stops at its next
    look at the row, leaves the render to the new owner, and writes no status, log or file."""
    render_id = _ready(ctx, client, project, tmp_path)
    real_path = ctx.storage.path
    taken: list[rendering.RenderLease] = []

    def path_taken_over_first(key: str) -> Path:
        if not taken:  # as if this worker stalled past its lease and another took the render
            far = utcnow() + timedelta(seconds=ctx.settings.render_lease_s * 10)
            assert rendering.requeue_interrupted(ctx, lambda _id: None, now=far) == 1
            second = rendering.claim_render(ctx, render_id)
            assert second is not None
            taken.append(second)
        return real_path(key)

    monkeypatch.setattr(ctx.storage, "path", path_taken_over_first)
    with caplog.at_level("WARNING", logger="dayreel.rendering"):
        rendering.run_render(render_id, ctx=ctx)
    assert taken
    assert "attempt 1 lost its lease; another worker has it" in caplog.text  # stopped mid-render, not at the end
    row = factories.fresh(ctx, Render, render_id)
    assert (row.status, row.lease_owner, row.attempt, row.output_key, row.log, row.finished_at) == (
        "running", taken[0].owner, 2, None, "", None)
    assert not [p for p in (ctx.settings.data_dir / "renders").rglob("*") if p.is_file()]
    assert not rendering.work_dir(ctx, render_id, 1).exists()
