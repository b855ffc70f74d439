"""A render's plan and long log live in storage, gzip-compressed, not in its database row.

At 5,000 moments a plan is megabytes of JSON; kept in the row it made every listing of renders (and every
backup) carry it. The row keeps the key, a small summary of the plan (its chapters and length, which pages
show) and the end of the log. Renders made before this keep their plan inline and are read the same way.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
from typing import Any

from app.models import Render
from app.storage import Storage

LOG_INLINE_CHARS = 4000  # the row keeps the last lines of a longer log; the whole log is in storage
SUMMARY_FIELDS = ("chapters", "length_s", "natural_length_s", "target_length_s", "width", "height", "fps")


def _put_gz(storage: Storage, key: str, data: bytes) -> str:
    tmp = storage.temp_dir() / f"gz-{os.getpid()}-{key.replace('/', '-')}"
    tmp.write_bytes(gzip.compress(data, compresslevel=6))
    try:
        return storage.put_file(tmp, key)
    finally:
        tmp.unlink(missing_ok=True)


def _read_gz(storage: Storage, key: str) -> bytes:
    return gzip.decompress(b"".join(storage.read_range(key)))


def store_plan(storage: Storage, prefix: str, plan: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Store the plan under `prefix`; returns its key and the summary the row keeps."""
    key = _put_gz(storage, f"{prefix}/plan.json.gz", json.dumps(plan, separators=(",", ":")).encode())
    return key, {k: plan[k] for k in SUMMARY_FIELDS if k in plan}


def load_plan(storage: Storage, render: Render) -> dict[str, Any] | None:
    """The full plan: from storage, or inline in rows made before plans moved there."""
    if render.plan_key:
        loaded: dict[str, Any] = json.loads(_plan_bytes(storage, render.plan_key))
        return loaded
    return render.plan


@functools.lru_cache(maxsize=8)
def _plan_bytes(storage: Storage, key: str) -> bytes:
    # a film's segment jobs each need its plan: a key names one attempt's plan and is never rewritten, so a
    # worker fetches and unzips it once, not once per segment (bytes, not the dict: callers change what they get)
    return _read_gz(storage, key)


def store_log(storage: Storage, prefix: str, text: str) -> tuple[str, str | None]:
    """The text the row keeps and, for a long log, the key of the whole of it in storage."""
    if len(text) <= LOG_INLINE_CHARS:
        return text, None
    key = _put_gz(storage, f"{prefix}/log.txt.gz", text.encode())
    tail = text[-LOG_INLINE_CHARS:].split("\n", 1)[-1]
    earlier = text.count("\n") - tail.count("\n")
    return f"… {earlier} earlier lines in the full log\n{tail}", key


def full_log(storage: Storage, render: Render) -> str:
    return _read_gz(storage, render.log_key).decode() if render.log_key else render.log
