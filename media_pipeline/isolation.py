"""Time-limited, crash-isolated calls in worker processes that never fork the caller.

The workers come from Python's fork server (a clean, single-threaded process started by exec), not
from forking the calling process, which runs threads (uvicorn's, Huey's) whose locks a fork would copy
half-held. The server imports the decoders once (`PRELOAD`), so a worker starts in milliseconds.
`run` keeps a small pebble ProcessPool: a call that outlives its time limit has its worker killed and
replaced; a decoder that crashes its worker becomes an error of that call only.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from multiprocessing.context import BaseContext
from typing import TypeVar

from pebble import ProcessExpired, ProcessPool

T = TypeVar("T")
PRELOAD = ["media_pipeline.probe", "media_pipeline.collage.render"]
MAX_POOL_WORKERS = 4
# a worker is replaced after this many calls, so whatever a decoder leaks stays bounded
CALLS_PER_WORKER = 500


class TimedOut(Exception):
    """The call did not finish in time; its worker was killed."""


class Crashed(Exception):
    """The worker died during the call (a decoder crash, or killed from outside)."""


def worker_context() -> BaseContext:
    """The fork-server context with the decoders preloaded (used by `run` and by process pools)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)  # read when the server first starts
    return context


def can_start_workers() -> bool:
    # a daemonic process (e.g. a worker of another pool) may not have children
    return not multiprocessing.current_process().daemon


_pool: ProcessPool | None = None
_pool_pid = 0
_pool_lock = threading.Lock()


def _shared_pool() -> ProcessPool:
    global _pool, _pool_pid
    with _pool_lock:
        # a pool belongs to the process that made it: after a fork, the child makes its own
        if _pool is None or _pool_pid != os.getpid() or not _pool.active:
            workers = min(MAX_POOL_WORKERS, os.cpu_count() or 1)
            _pool = ProcessPool(max_workers=workers, max_tasks=CALLS_PER_WORKER, context=worker_context())
            _pool_pid = os.getpid()
        return _pool


def run(function: Callable[..., T], args: tuple[object, ...], timeout_s: float) -> T:
    """function(*args) in a pooled worker process; TimedOut or Crashed instead of a hang or a crash.

    Exceptions raised by `function` itself come back as they are.
    """
    future = _shared_pool().schedule(function, args=args, timeout=timeout_s)
    try:
        return future.result()
    except FutureTimeout as exc:
        raise TimedOut(f"no answer in {timeout_s:g} s") from exc
    except ProcessExpired as exc:
        raise Crashed(str(exc)) from exc


@atexit.register
def _stop_pool() -> None:
    with _pool_lock:
        if _pool is not None and _pool_pid == os.getpid():
            _pool.stop()
            _pool.join(timeout=5)
