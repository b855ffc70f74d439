"""Peak memory of a process tree, sampled from /proc: the one sampler every benchmark uses."""

from __future__ import annotations

import os
import threading
from pathlib import Path


def tree(root: int) -> set[int]:
    """`root` and all its descendants now alive."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in found:
                found.add(pid)
                frontier.append(pid)
    return found


class PeakMemory:
    """Samples a process tree (default: this process) every `interval_s` while in a `with` block.

    `peak_mb` sums resident sets (RSS): pages a forked worker shares with its parent count twice, so
    it is an upper bound. `peak_pss_mb` sums proportional set sizes, which split shared pages: what the
    machine really spends. Both in MiB.
    """

    def __init__(self, root_pid: int | None = None, interval_s: float = 0.02) -> None:
        self.root = root_pid or os.getpid()
        self.interval_s = interval_s
        self.peak_mb = self.peak_pss_mb = 0.0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def sample(self) -> tuple[float, float]:
        """(RSS, PSS) of the tree now, in MiB."""
        rss_kb = pss_kb = 0
        for pid in tree(self.root):
            try:
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
                rss_kb += int(rollup.split("\nRss:", 1)[1].split()[0])
                pss_kb += int(rollup.split("\nPss:", 1)[1].split()[0])
            except (OSError, ValueError, IndexError):
                continue
        return rss_kb / 1024, pss_kb / 1024

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            rss, pss = self.sample()
            self.samples += 1
            self.peak_mb = max(self.peak_mb, rss)
            self.peak_pss_mb = max(self.peak_pss_mb, pss)
