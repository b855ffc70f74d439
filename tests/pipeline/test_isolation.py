"""Worker processes for decoding: from the fork server, time-limited, and still there after a crash."""

from __future__ import annotations

import os
import signal
import time

import pytest

from media_pipeline import isolation


def _parent_pid() -> int:
    return os.getppid()


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def _fail() -> None:
    raise ValueError("the function's own error")


def test_workers_are_not_forks_of_the_threaded_caller() -> None:
    # forked from the fork server, a clean process, so no lock of the caller's threads is copied
    assert isolation.run(_parent_pid, (), 10) != os.getpid()


def test_a_crash_or_a_hang_costs_one_call_and_the_pool_serves_the_next() -> None:
    with pytest.raises(isolation.Crashed):
        isolation.run(_die, (), 10)
    started = time.monotonic()
    with pytest.raises(isolation.TimedOut):
        isolation.run(_sleep, (30,), 0.5)
    assert time.monotonic() - started < 10
    assert isolation.run(_sleep, (0,), 10) == "woke"


def test_the_functions_own_errors_come_back_as_they_are() -> None:
    with pytest.raises(ValueError, match="own error"):
        isolation.run(_fail, (), 10)
