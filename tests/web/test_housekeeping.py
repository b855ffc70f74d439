"""Every web process sweeps the abandoned resumable uploads on its own disk (the hourly queue job runs on one
machine only, so a web host with a data folder of its own would otherwise keep them for ever)."""

from __future__ import annotations

import os
import time

from fastapi.testclient import TestClient

from app.context import Context
from app.main import create_app
from app.services import tus_store


def _partial(ctx: Context, upload_id: str, age_s: float) -> tus_store.Paths:
    paths = tus_store.paths(ctx.settings, upload_id)
    paths.data.parent.mkdir(parents=True, exist_ok=True)
    paths.data.write_bytes(b"half a clip")
    paths.info.write_text("{}")
    then = time.time() - age_s
    for p in (paths.data, paths.info):
        os.utime(p, (then, then))
    return paths


def test_a_web_process_sweeps_its_own_abandoned_uploads_from_the_start(ctx: Context) -> None:
    old = _partial(ctx, "a" * 32, tus_store.EXPIRE_S + 60)
    fresh = _partial(ctx, "b" * 32, 60)
    with TestClient(create_app(ctx=ctx)):
        deadline = time.monotonic() + 10
        while old.data.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not old.data.exists() and not old.info.exists()
        assert fresh.data.exists() and fresh.info.exists()  # still being uploaded, perhaps
