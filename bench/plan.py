"""Planning benchmark: film plans and collage plans of big days, at 1,000 and 5,000 synthetic moments.

    .venv/bin/python bench/plan.py                    # every planner at 1,000 and 5,000; ends with RESULT
    .venv/bin/python bench/plan.py --sizes 200,1000   # other sizes (growth is last size over first)

Planning opens no media, so the moments are metadata only (tests/pipeline/bigday.py: 06:00-23:00, busiest
at lunch, five moments per contributor, half customers, one in eight a clip). Each planner and size runs
in a fresh process: its wall time (best of --repeat), the peak Python allocation while planning
(tracemalloc, numpy included) and the process's peak RSS (which includes ~60-90 MB of imports).
Growth is the ratio between the largest and the smallest size: linear work would be 5x from 1,000 to
5,000. Films ask for 120 s; collages are 3840x2160 with the default (legible) number of tiles. The last
line is `RESULT film_plan_s=<at the largest size> film_growth=<x> film_length_ratio=<length/target>
collage_plan_s_max=<s> collage_growth_max=<x> collage_peak_mb_max=<MB>`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PLANNERS = ("film", "film-lanes", "mosaic", "clock", "timeline", "grid", "lanes")
TARGET_S = 120.0


def run_one(planner: str, count: int, repeat: int) -> dict[str, float]:
    """Plan `count` moments with `planner` in this process; seconds (best of `repeat`) and peak MiB."""
    from media_pipeline.collage import CollageOptions, build_collage_plan
    from media_pipeline.film import FilmOptions, build_film_plan
    from media_pipeline.types import ProjectInfo
    from tests.pipeline.bigday import big_day

    project = ProjectInfo(title="Een grote dag", date="2025-06-21", language="nl")
    moments = big_day(count)

    def plan() -> float:
        if planner.startswith("film"):
            options = FilmOptions(target_length_s=TARGET_S, lanes=planner == "film-lanes")
            return build_film_plan(moments, project, options).length_s / TARGET_S
        return float(len(build_collage_plan(moments, project, CollageOptions(layout=planner)).tiles))  # type: ignore[arg-type]

    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        value = plan()
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    plan()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"s": best, "alloc_mb": peak / 2**20, "value": value}


def measure(planner: str, count: int, repeat: int) -> dict[str, float]:
    """`run_one` in a child process, with the child's peak RSS."""
    proc = subprocess.Popen([sys.executable, __file__, "--one", planner, str(count), "--repeat", str(repeat)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)  # reaped here (not by Popen) to read the child's own peak RSS
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{planner} at {count} moments failed (exit {proc.returncode})")
    return {**json.loads(out.strip().splitlines()[-1]), "rss_mb": usage.ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000", help="moment counts, comma-separated")
    parser.add_argument("--planners", default=",".join(PLANNERS), help=f"some of {', '.join(PLANNERS)}")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per planner and size (best counts)")
    parser.add_argument("--one", nargs=2, metavar=("PLANNER", "COUNT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], int(args.one[1]), args.repeat)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    rows: dict[str, list[dict[str, float]]] = {}
    for planner in args.planners.split(","):
        rows[planner] = [measure(planner, count, args.repeat) for count in sizes]
        cells = "  ".join(
            f"{count:>5}: {r['s']:6.3f} s {r['alloc_mb']:6.1f} MB alloc {r['rss_mb']:5.0f} MB RSS"
            for count, r in zip(sizes, rows[planner], strict=True)
        )
        first, last = rows[planner][0], rows[planner][-1]
        what = f"length/target {last['value']:.3f}" if planner.startswith("film") else f"tiles {last['value']:.0f}"
        print(f"{planner:10s} {cells}  growth {last['s'] / first['s']:5.1f}x time, "
              f"{last['alloc_mb'] / max(first['alloc_mb'], 1e-9):4.1f}x memory; {what}", flush=True)
    film = rows.get("film")
    collages = [r for name, r in rows.items() if not name.startswith("film")]
    parts = []
    if film:
        parts += [f"film_plan_s={film[-1]['s']:.3f}", f"film_growth={film[-1]['s'] / film[0]['s']:.1f}",
                  f"film_length_ratio={film[-1]['value']:.3f}"]
    if collages:
        parts += [f"collage_plan_s_max={max(r[-1]['s'] for r in collages):.3f}",
                  f"collage_growth_max={max(r[-1]['s'] / r[0]['s'] for r in collages):.1f}",
                  f"collage_peak_mb_max={max(r[-1]['rss_mb'] for r in collages):.0f}"]
    print("RESULT " + " ".join(parts))


if __name__ == "__main__":
    main()
