"""dayreel as compose.yaml runs it, as real OS processes on loopback: `dayreel migrate`, web processes
(`serve --no-jobs`) and workers, each in a process group of its own, so a kill -9 takes its ffmpeg children
too and teardown can prove by process group that nothing is left running."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx

DAYREEL = Path(sys.executable).with_name("dayreel")
T = TypeVar("T")


def wait_for(predicate: Callable[[], T], what: str, timeout_s: float = 60, every_s: float = 0.05) -> T:
    """The first truthy value of `predicate`, asked until `timeout_s` passes (then AssertionError)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(every_s)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def group_members(pgid: int) -> list[int]:
    """Pids of live (not zombie) processes in process group `pgid`, read from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # ended while we looked
            continue
        # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ')'
        state, _ppid, pgrp = text.rpartition(")")[2].split()[:3]
        if int(pgrp) == pgid and state != "Z":
            found.append(int(stat.parent.name))
    return found


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    data_dir: Path
    log: Path
    port: int | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self) -> str:
        return f"--- {self.name} ---\n" + self.log.read_text(errors="replace")[-3000:]


@dataclass
class Cluster:
    """Processes sharing one environment (database, queue, bucket); each has its own data dir and log."""

    root: Path
    env: dict[str, str]
    procs: list[Proc] = field(default_factory=list)

    def _spawn(self, name: str, args: list[str], data_dir: Path, port: int | None = None) -> Proc:
        data_dir.mkdir(parents=True, exist_ok=True)
        log = self.root / f"{name}.log"
        with log.open("ab") as out:
            popen = subprocess.Popen([str(DAYREEL), *args], env={**self.env, "DAYREEL_DATA_DIR": str(data_dir)},
                                     stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        proc = Proc(name, popen, data_dir, log, port)
        self.procs.append(proc)
        return proc

    def migrate(self) -> str:
        """`dayreel migrate` once (compose's one-shot step); its one line of output."""
        env = {**self.env, "DAYREEL_DATA_DIR": str(self.root / "migrate")}
        done = subprocess.run([str(DAYREEL), "migrate"], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def web(self, name: str, data_dir: Path) -> Proc:
        port = free_port()
        return self._spawn(name, ["serve", "--port", str(port), "--no-jobs"], data_dir, port)

    def worker(self, name: str, data_dir: Path) -> Proc:
        return self._spawn(name, ["worker"], data_dir)

    def wait_healthy(self, web: Proc, timeout_s: float = 60) -> None:
        def healthy() -> bool:
            assert web.popen.poll() is None, f"{web.name} exited\n{web.log_tail()}"
            try:
                return httpx.get(f"{web.base}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(healthy, f"{web.name} to answer /healthz", timeout_s)

    def assert_running(self) -> None:
        dead = [p for p in self.procs if p.popen.poll() is not None and p.popen.returncode != -signal.SIGKILL]
        assert not dead, "\n".join(p.log_tail() for p in dead)

    def kill9(self, proc: Proc) -> None:
        """kill -9 the process and everything it started (its ffmpeg children), as a crashed container."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.popen.wait(timeout=15)
        wait_for(lambda: not group_members(proc.pid), f"{proc.name}'s processes to end", 15)

    def stop_all(self, grace_s: float = 15) -> list[int]:
        """SIGTERM every process group, SIGKILL what is left after `grace_s`; pids still alive after that
        (none, if teardown works)."""
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for proc in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                if group_members(proc.pid):
                    os.killpg(proc.pid, signal.SIGKILL)
            proc.popen.wait(timeout=15)

        def leftovers() -> list[int]:
            return [pid for proc in self.procs for pid in group_members(proc.pid)]

        try:
            wait_for(lambda: not leftovers(), "every process group to be empty", 15)
        except AssertionError:
            return leftovers()
        return []

    def logs(self) -> str:
        return "\n".join(p.log_tail() for p in self.procs)
