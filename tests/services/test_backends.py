"""The scale-out configuration: PostgreSQL for the database and Redis for the queue, same code.

These skip with a reason where the services are absent (a laptop), except under
DAYREEL_REQUIRE_SERVICES=1 (CI), where a missing service is a failure.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app import jobs
from app.config import Settings
from app.context import build_context
from app.main import create_app
from tests import factories
from tests.conftest import services_required
from tests.mediagen import make_photo

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/0"


def _unavailable(what: str, err: Exception) -> None:
    message = f"{what} is not reachable on loopback ({err.__class__.__name__}: {err})"
    if services_required():
        pytest.fail(message + " and DAYREEL_REQUIRE_SERVICES=1")
    pytest.skip(message)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    name = f"dayreel_test_{secrets.token_hex(4)}"
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as err:
        _unavailable("PostgreSQL", err)
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def redis_queue() -> str:
    """A Redis queue name nobody else uses."""
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as err:
        _unavailable("Redis", err)
    return f"dayreel-test-{secrets.token_hex(4)}"


@pytest.mark.services
def test_postgres_and_redis_run_the_same_flow(
    pg_url: str, redis_queue: str, settings: Settings, tmp_path: Path
) -> None:
    ctx = build_context(settings.model_copy(update={
        "database_url": pg_url, "queue_backend": "redis", "redis_url": REDIS_URL, "queue_name": redis_queue,
    }))
    jobs.configure(ctx)
    assert ctx.engine.dialect.name == "postgresql"
    consumer = jobs.Consumers(workers=1, derive_workers=1)
    with jobs.keep_signal_handlers():
        consumer.start()
    try:
        staff = factories.make_staff(ctx)
        project = factories.make_project(ctx, owner_email=staff.email, auto_approve=True)
        with TestClient(create_app(ctx=ctx)) as client:
            for i, colour in enumerate(("red", "green")):
                photo = make_photo(tmp_path / f"{colour}.jpg", colour=colour, size=(120, 90),
                                   taken=datetime(2024, 7, 24, 9 + i, 0))
                with photo.open("rb") as fh:
                    r = client.post(f"/api/invites/{project.invite_token}/moments", files={"file": (photo.name, fh)},
                                    data={"consent": "true"})
                assert r.status_code == 201, r.text
            r = client.post(f"/api/projects/{project.id}/collages", headers=staff.headers,
                            json={"layout": "grid", "size": "320x180"})
            assert r.status_code == 202, r.text
            url = f"/api/renders/{r.json()['id']}"
            deadline = time.monotonic() + 60
            while (state := client.get(url, headers=staff.headers).json())["status"] not in ("done", "failed"):
                assert time.monotonic() < deadline, "the collage did not finish through Redis"
                time.sleep(0.2)
            assert state["status"] == "done", state
            assert client.get(state["file_url"], headers=staff.headers).content[:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        consumer.stop(graceful=True)
        jobs.huey.storage.flush_all()
        jobs.derive_huey.storage.flush_all()
        ctx.engine.dispose()
