"""Leases on PostgreSQL under real contention: several worker processes claim the same render, and take the
scheduler lease, at the same moment. However the race goes, exactly one wins each; the rest get nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.config import Settings
from app.context import build_context
from app.models import Lease, Render
from tests import factories
from tests.services.test_backends import pg_url  # noqa: F401  (the fixture: a fresh PostgreSQL database)

RACER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from app import leases
    from app.config import Settings
    from app.context import build_context
    from app.services.rendering import claim_render

    ctx = build_context(Settings(data_dir=Path(sys.argv[1]), database_url=sys.argv[2], queue_backend="immediate",
                                 environment="test", secret_key="test-secret-0123456789"), migrate=False)
    with ctx.sessions() as s:
        s.connection()  # connected before the start signal, so all of them race for the rows themselves
        print("ready", flush=True)
        sys.stdin.readline()
        lease = claim_render(ctx, int(sys.argv[3]))
        held = leases.hold(s, "scheduler", leases.new_owner(), ttl_s=150)
    print(lease.owner if lease else "-", "held" if held else "-", flush=True)
""")


@pytest.mark.services
def test_of_four_processes_one_claims_the_render_and_one_holds_the_scheduler(
    pg_url: str, settings: Settings, tmp_path: Path  # noqa: F811
) -> None:
    ctx = build_context(settings.model_copy(update={"database_url": pg_url}))
    try:
        project = factories.make_project(ctx)
        with ctx.sessions() as s:
            render = Render(project_id=project.id, kind="collage", options={}, status="queued")
            s.add(render)
            s.commit()
            render_id = render.id
        racers = [subprocess.Popen([sys.executable, "-c", RACER, str(tmp_path / f"w{i}"), pg_url, str(render_id)],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for i in range(4)]
        try:
            for p in racers:
                assert p.stdout is not None and p.stdout.readline().strip() == "ready"
            for p in racers:
                assert p.stdin is not None
                p.stdin.write("go\n")
                p.stdin.flush()
            results = [p.stdout.readline().split() for p in racers if p.stdout is not None]
            for p in racers:
                assert p.wait(timeout=30) == 0
        finally:
            for p in racers:
                if p.poll() is None:
                    p.kill()
                    p.wait()
        owners = [owner for owner, _ in results if owner != "-"]
        assert len(owners) == 1, results
        assert [held for _, held in results].count("held") == 1, results
        with ctx.sessions() as s:
            row = s.get(Render, render_id)
            assert row is not None and (row.status, row.lease_owner, row.attempt) == ("running", owners[0], 1)
            assert s.get(Lease, "scheduler") is not None
    finally:
        ctx.engine.dispose()
