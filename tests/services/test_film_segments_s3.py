"""The film segment cache on S3 (SeaweedFS on loopback): segments live in the bucket per project, another
machine reuses them, the nightly prune and a project's deletion remove them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import Settings
from app.context import Context, build_context
from app.models import Project, Render
from app.services import film_fanout, rendering
from app.services.export import delete_project
from app.storage.shared_segments import prune_shared_segments
from tests import factories, s3_on_loopback
from tests.conftest import bucket_settings
from tests.services.test_film_fanout import film_facts, queued_film, rows, shot_moments
from tests.services.test_s3_storage import bucket_keys

pytestmark = pytest.mark.slow


@pytest.fixture
def settings(settings: Settings, s3_server: s3_on_loopback.S3Server) -> Iterator[Settings]:
    """Storage in a bucket of its own, fan-out on, one helper in the joining worker."""
    with bucket_settings(settings.model_copy(update={"film_fanout": "on", "render_workers": 1}), s3_server) as s3:
        yield s3


def segment_entries(keys: list[str], project_id: int) -> set[str]:
    """Names of the complete segment entries (pieces of one segment) of a project in a bucket listing."""
    prefix = f"segments/{project_id}/"
    return {k[len(prefix):].split("/")[0] for k in keys if k.startswith(prefix) and k.endswith("/done")
            and k[len(prefix):].startswith("s-")}


def local_segment_copies(data_dir: Path) -> list[Path]:
    return [p for p in (data_dir / "cache").rglob("*") if p.is_file() and "segments" in p.parts]


def test_segments_live_in_the_bucket_and_another_machine_reuses_them(
    ctx: Context, project: factories.ProjectRef, tmp_path: Path, s3_server: s3_on_loopback.S3Server
) -> None:
    shot_moments(ctx, project, tmp_path / "media")
    ctx.jobs.segment = lambda r, a, p: rendering.run_segment(r, a, p, ctx=ctx)
    first = queued_film(ctx, project.id)
    rendering.run_render(first, ctx=ctx)
    segments = rows(ctx, first)
    entries = segment_entries(bucket_keys(ctx, s3_server), project.id)
    assert entries == {r.outcome["entry"] for r in segments if r.outcome} and len(entries) == len(segments)
    # on this machine's disk: nothing but copies in the read cache (no segment cache of its own)
    assert not [p for p in (film_fanout.cache_dir(ctx) / "film").iterdir()]
    assert all("objects" in p.parts for p in local_segment_copies(ctx.settings.data_dir))

    # a second machine: its own data dir (empty read cache), the same database and bucket
    elsewhere = ctx.settings.model_copy(update={"data_dir": tmp_path / "machine-2",
                                                "database_url": ctx.settings.db_url})
    other = build_context(elsewhere, migrate=False)
    try:
        other.jobs.segment = lambda r, a, p: rendering.run_segment(r, a, p, ctx=other)
        second = queued_film(other, project.id)
        rendering.run_render(second, ctx=other)
        again = rows(other, second)
        assert all(r.status == "done" and r.outcome and r.outcome["cached"] for r in again)
        assert "0 segments rendered" in factories.fresh(other, Render, second).log
        assert film_facts(other, second) == film_facts(ctx, first)
        assert local_segment_copies(elsewhere.data_dir)  # fetched into its read cache to be joined
    finally:
        other.engine.dispose()

    # the nightly prune: nothing is old yet; a day later every entry of the bucket goes
    assert prune_shared_segments(ctx.storage, older_than_s=86400) == 0
    assert prune_shared_segments(ctx.storage, older_than_s=86400, now=time.time() + 2 * 86400) > len(entries)
    assert [k for k in bucket_keys(ctx, s3_server) if k.startswith("segments/")] == []


def test_deleting_a_project_deletes_its_segments_from_the_bucket_and_the_read_cache(
    ctx: Context, project: factories.ProjectRef, tmp_path: Path, s3_server: s3_on_loopback.S3Server
) -> None:
    shot_moments(ctx, project, tmp_path / "media")
    ctx.jobs.segment = lambda r, a, p: rendering.run_segment(r, a, p, ctx=ctx)
    render_id = queued_film(ctx, project.id)
    rendering.run_render(render_id, ctx=ctx)
    assert segment_entries(bucket_keys(ctx, s3_server), project.id)
    assert local_segment_copies(ctx.settings.data_dir)
    with ctx.sessions() as s:
        row = s.get(Project, project.id)
        assert row is not None
        delete_project(session=s, storage=ctx.storage, project=row, confirm_title=row.title)
        s.commit()
    assert bucket_keys(ctx, s3_server) == []  # originals, derived files, the film and its segments
    assert local_segment_copies(ctx.settings.data_dir) == []
    assert not (ctx.settings.data_dir / "cache" / "objects" / "objects" / "segments").exists()
