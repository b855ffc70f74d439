"""Running ffmpeg: one place that starts processes, watches for cancellation and never leaves one behind."""

from __future__ import annotations

import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import imageio_ffmpeg

from media_pipeline.types import CancelFn, RenderCancelled

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
POLL_S = 0.05
ASK_EVERY_S = 0.25  # the caller's cancelled() may query a database: ask at most this often


class FfmpegError(RuntimeError):
    """ffmpeg failed; the message ends with the last lines it printed."""


class Processes:
    """The ffmpeg processes of one render, so a cancel or an error can stop all of them."""

    def __init__(self, cancelled: CancelFn | None = None, *, threads: int = 2) -> None:
        self._cancelled = cancelled
        self.threads = max(1, threads)  # per process: decoder, filters and encoder each get this many
        self._lock = threading.Lock()
        self._ask_lock = threading.Lock()
        self._asked_at = float("-inf")
        self._live: set[subprocess.Popen[bytes]] = set()
        self.stopping = False

    def _should_stop(self) -> bool:
        if self.stopping or self._cancelled is None:
            return self.stopping
        with self._ask_lock:
            now = time.monotonic()
            if now - self._asked_at >= ASK_EVERY_S:
                self._asked_at = now
                if self._cancelled():
                    self.stopping = True
        return self.stopping

    def check(self) -> None:
        """Raise RenderCancelled when the caller asked to stop (or another job already failed)."""
        if self._should_stop():
            raise RenderCancelled("The render was cancelled.")

    def run(self, args: Sequence[str | Path], *, cwd: Path | None = None) -> str:
        """Run ffmpeg with `args` (no binary); return its stderr. Raises FfmpegError or RenderCancelled."""
        self.check()
        threads = str(self.threads)
        cmd = [FFMPEG, "-hide_banner", "-nostdin", "-y", "-filter_threads", threads, "-filter_complex_threads", threads,
               *map(str, args)]
        with self._lock:
            if self.stopping:
                raise RenderCancelled("The render was cancelled.")
            # stderr goes to a file, not a pipe, so a chatty ffmpeg can never block on a full pipe
            log = tempfile.TemporaryFile()  # noqa: SIM115 - closed below in every case
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log, cwd=cwd)
            self._live.add(proc)
        try:
            while proc.poll() is None:
                if self._should_stop():
                    _stop(proc)
                    raise RenderCancelled("The render was cancelled.")
                time.sleep(POLL_S)
            log.seek(0)
            stderr = log.read().decode("utf-8", "replace")
        finally:
            if proc.poll() is None:
                _stop(proc)
            with self._lock:
                self._live.discard(proc)
            log.close()
        if proc.returncode != 0:
            tail = "\n".join(stderr.strip().splitlines()[-6:])
            raise FfmpegError(f"ffmpeg exited with {proc.returncode}: {tail}")
        return stderr

    def stop_all(self) -> None:
        """Kill every live process and wait for it, so none outlives the render."""
        self.stopping = True
        with self._lock:
            live = list(self._live)
        for proc in live:
            _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait()
