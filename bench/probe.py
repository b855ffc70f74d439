"""Probe benchmark: what crash isolation costs when many files are probed in one call.

    .venv/bin/python bench/probe.py            # 156 files; ends with the RESULT line
    .venv/bin/python bench/probe.py --files 40

Generates photos (JPEG, PNG, WebP, HEIC) and short clips, then probes all of them three ways, each in
the same run: in this process without isolation (the baseline: the decoding work alone), with
`media_pipeline.probe.probe` (each decode isolated in a worker process with a time limit), and as one
`dayreel probe` command over every file (what an operator runs; includes starting Python).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from media_pipeline import probe as probing  # noqa: E402
from tests.mediagen import make_clip, make_photo  # noqa: E402

DAYREEL = Path(sys.executable).with_name("dayreel")
PHOTO_FORMATS = (".jpg", ".png", ".webp", ".heic")


def make_files(folder: Path, count: int) -> list[Path]:
    """Three photos to every clip, formats in turn: a phone's mix, small enough to make quickly."""
    files: list[Path] = []
    for i in range(count):
        if i % 4 == 3:
            files.append(make_clip(folder / f"clip{i:03}.mp4", size=(320, 240), duration_s=1.0))
            continue
        suffix = PHOTO_FORMATS[i % len(PHOTO_FORMATS)]
        fmt = "HEIF" if suffix == ".heic" else None
        files.append(make_photo(folder / f"photo{i:03}{suffix}", size=(1600, 1200), colour="blue", fmt=fmt))
    return files


def timed(label: str, work: object) -> float:
    start = time.perf_counter()
    work()  # type: ignore[operator]
    seconds = time.perf_counter() - start
    print(f"{label:<44} {seconds:7.2f} s")
    return seconds


def in_process(files: list[Path]) -> None:
    for path in files:
        sniffed = probing.sniff(path)
        assert sniffed is not None, path
        probing._probe_here(str(path), sniffed, 100_000_000, None)


def isolated(files: list[Path]) -> None:
    for path in files:
        probing.probe(path)


def one_command(files: list[Path]) -> None:
    subprocess.run([str(DAYREEL), "probe", *map(str, files)], check=True, stdout=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=156)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = make_files(Path(tmp), args.files)
        print(f"{len(files)} files, {os.cpu_count()} cores")
        baseline = timed("in process, no isolation (baseline)", lambda: in_process(files))
        timed("isolated, first call (starts the workers)", lambda: probing.probe(files[0]))
        guarded = timed("isolated probe(), every file", lambda: isolated(files))
        command = timed("one `dayreel probe` over every file", lambda: one_command(files))
    print(
        f"RESULT files={len(files)} isolated_ratio={guarded / baseline:.2f} "
        f"per_file_overhead_ms={(guarded - baseline) / len(files) * 1000:.1f} command_s={command:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
