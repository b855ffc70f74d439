"""A fresh PostgreSQL database on loopback per test, dropped afterwards; a skip (or, under
DAYREEL_REQUIRE_SERVICES=1, a failure) with the reason where PostgreSQL is absent."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import services_required

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@contextmanager
def fresh_database(admin_url: str = PG_ADMIN_URL) -> Iterator[str]:
    """A new database on the server of `admin_url` (any database there the user may connect to)."""
    name = f"dayreel_test_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as err:
        admin.dispose()
        message = f"PostgreSQL is not reachable on loopback ({err.__class__.__name__}: {err})"
        if services_required():
            pytest.fail(message + " and DAYREEL_REQUIRE_SERVICES=1")
        pytest.skip(message)
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
