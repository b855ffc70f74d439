"""Every web test runs with the template guard: a page whose template touches an ORM row fails."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.template_guard import templates_without_database


@pytest.fixture(autouse=True)
def _templates_get_view_data() -> Iterator[None]:
    with templates_without_database() as refused:
        yield
    assert not refused, "templates touched the database:\n" + "\n".join(refused)
