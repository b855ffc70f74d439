"""The uploader sends a file's own date only when it can be the moment's: a date far from the project's day
(a copy, a download) is left out, so the server asks to check the time instead of refusing the file."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.models import Moment
from tests import factories
from tests.browser.conftest import LiveServer
from tests.mediagen import make_photo

pytestmark = pytest.mark.browser


def _dated(path: Path, when: datetime) -> Path:
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def test_a_file_dated_far_from_the_day_is_taken_and_its_time_asked(
    live_server: LiveServer, phone: Any, tmp_path: Path
) -> None:
    project = factories.make_project(live_server.ctx)  # the day is 2024-07-24
    far = _dated(make_photo(tmp_path / "old-copy.jpg", colour="blue"), datetime(2015, 1, 1, 12, 0))
    near = _dated(make_photo(tmp_path / "on-the-day.jpg", colour="green"), datetime(2024, 7, 24, 12, 0))
    errors: list[str] = []
    phone.on("pageerror", lambda e: errors.append(str(e)))
    phone.goto(f"{live_server.url}/c/{project.invite_token}")
    phone.check("#u-consent")
    phone.set_input_files("#u-files", [str(far), str(near)])
    phone.wait_for_selector("li.upload[data-state=done] >> nth=1", timeout=30000)
    with live_server.ctx.sessions() as s:
        rows = {m.original_name: m for m in s.scalars(select(Moment))}
        assert set(rows) == {"old-copy.jpg", "on-the-day.jpg"}
        old, day = rows["old-copy.jpg"], rows["on-the-day.jpg"]
        assert (old.time_source, old.time_confirmed) == ("upload", False)  # not refused; the time is asked
        assert day.time_source == "client" and day.captured_local.date().isoformat() == "2024-07-24"
    assert errors == []
