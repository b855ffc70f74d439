"""How long the live wall takes to open on a big day, and how many pictures it asks for.

    .venv/bin/python bench/wall_open.py                  # 1,000 and 5,000 approved moments
    .venv/bin/python bench/wall_open.py --sizes 100 1000

For each size: a fresh project with that many approved moments (rows inserted directly, tiny thumbnails),
the real app served by uvicorn on loopback, and headless Chromium at 1920x1080 opening /p/{token}?view=wall.
Reports the page's HTML time and bytes, the time until every picture on screen has loaded, and the number
of picture requests. Ends with `RESULT wall_open_s_<n>=<s> ... growth=<open time ratio, largest/smallest>`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import jobs  # noqa: E402
from app.config import Settings  # noqa: E402
from app.context import Context, build_context  # noqa: E402
from app.models import Project  # noqa: E402
from tests import factories  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serving  # noqa: E402

# frame times while the page turns (a 1.5 s cross-fade): the longest gap between two frames, in ms
TURN_FRAMES = """turn => new Promise(done => {
  const stamps = [];
  const tick = t => { stamps.push(t); if (t - stamps[0] < 1800) requestAnimationFrame(tick); else finish(); };
  const finish = () => {
    const gaps = stamps.slice(1).map((t, i) => t - stamps[i]);
    done({frames: gaps.length, longest: Math.max(...gaps), slow: gaps.filter(g => g > 34).length});
  };
  requestAnimationFrame(t => { stamps.push(t);
    if (turn) document.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight'}));
    requestAnimationFrame(tick); });
})"""

ON_SCREEN_LOADED = """() => {
  const imgs = [...document.querySelectorAll('#wall .wall-page:not(.waiting) img')];
  return imgs.length > 0 && imgs.every(i => i.complete);
}"""


def wall_url(base: str, ctx: Context, project: factories.ProjectRef) -> str:
    with ctx.sessions() as s:
        return f"{base}/p/{s.get(Project, project.id).present_token}?view=wall"  # type: ignore[union-attr]


def measure(browser, url: str, runs: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    html_s, open_s, pictures, longest, slow, idle_longest = [], [], [], [], [], []
    for _ in range(runs):
        started = time.perf_counter()
        html = httpx.get(url, timeout=60)
        html_s.append(time.perf_counter() - started)
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        page = context.new_page()
        asked: list[str] = []
        page.on("request", lambda r, asked=asked: asked.append(r.url) if "/media/" in r.url else None)
        started = time.perf_counter()
        page.goto(url, wait_until="domcontentloaded")
        while not page.evaluate(ON_SCREEN_LOADED):
            page.wait_for_timeout(10)
        open_s.append(time.perf_counter() - started)
        pictures.append(len(asked))
        idle = page.evaluate(TURN_FRAMES, False)  # the same 1.8 s with nothing moving: this machine's noise
        idle_longest.append(idle["longest"])
        turn = page.evaluate(TURN_FRAMES, True)
        longest.append(turn["longest"])
        slow.append(turn["slow"] / max(1, turn["frames"]))
        context.close()
    return {"html_s": statistics.median(html_s), "html_kb": len(html.content) / 1024,
            "open_s": statistics.median(open_s), "pictures": statistics.median(pictures),
            "turn_longest_ms": statistics.median(longest), "turn_slow_share": statistics.median(slow),
            "idle_longest_ms": statistics.median(idle_longest)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results: dict[int, dict[str, float]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for size in args.sizes:
            with tempfile.TemporaryDirectory() as tmp:
                settings = Settings(data_dir=Path(tmp) / "data", queue_backend="immediate", environment="test",
                                    secret_key="bench-secret-0123456789", public_base_url="http://bench.example")
                ctx = build_context(settings)
                jobs.configure(ctx)
                project = factories.make_project(ctx)
                factories.add_shown_moments(ctx, project, size, Path(tmp))
                with serving(ctx) as base:
                    results[size] = measure(browser, wall_url(base, ctx, project), args.runs)
                ctx.engine.dispose()
            r = results[size]
            print(f"{size:>6} moments: page {r['html_s']:.3f} s, {r['html_kb']:.0f} KB; wall open with its pictures "
                  f"{r['open_s']:.3f} s; {r['pictures']:.0f} picture requests; page turn: longest frame "
                  f"{r['turn_longest_ms']:.0f} ms (idle: {r['idle_longest_ms']:.0f} ms), "
                  f"{100 * r['turn_slow_share']:.0f} % of frames over 34 ms")
        browser.close()
    small, large = min(results), max(results)
    parts = [f"wall_open_s_{n}={r['open_s']:.3f}" for n, r in results.items()]
    parts += [f"pictures_{n}={r['pictures']:.0f}" for n, r in results.items()]
    print("RESULT " + " ".join(parts) + f" growth={results[large]['open_s'] / results[small]['open_s']:.2f}")


if __name__ == "__main__":
    main()
