"""Shared fixtures: settings in tmp_path, an app with inline jobs, a staff member, a project."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app import jobs
from app.config import Settings
from app.context import Context, build_context
from app.main import create_app
from tests import factories

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
