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
def fresh_database() -> Iterator[str]:
    name = f"dayreel_test_{secrets.token_hex(4)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
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
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
