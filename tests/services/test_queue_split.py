"""The queue is apart from the services: importing any service never imports the Huey queue or its tasks,
and the task modules import cleanly in any order (no import cycle). Each check runs in a fresh interpreter,
where sys.modules shows exactly what an import pulled in."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import app.services

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(f"app.services.{m.name}" for m in pkgutil.iter_modules(app.services.__path__))


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_no_service_imports_the_queue() -> None:
    assert "app.services.rendering" in SERVICES and "app.services.ingest" in SERVICES
    done = _run(
        "import importlib, sys\n"
        f"for name in {SERVICES!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m in ('app.jobs', 'app.jobs_cleanup', 'app.queue', 'app.main')"
        " or m == 'huey' or m.startswith('huey.')))\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


QUEUE_MODULES = ("app.jobs", "app.jobs_cleanup", "app.queue", "huey")


def _imports(path: Path) -> set[str]:
    """Every module an import statement in `path` names, at any depth (imports inside functions too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_no_service_names_the_queue_even_inside_a_function() -> None:
    offenders = {
        f"{path.name}: {name}"
        for path in sorted((ROOT / "app" / "services").glob("*.py"))
        for name in _imports(path)
        if any(name == q or name.startswith(q + ".") for q in QUEUE_MODULES)
    }
    assert not offenders, f"services hand work over through ctx.jobs, never the queue: {sorted(offenders)}"


def test_the_task_modules_import_in_any_order() -> None:
    for first in ("app.jobs", "app.jobs_cleanup", "app.queue", "app.services.rendering"):
        done = _run(f"import {first}\nimport app.jobs\nprint(sorted(app.jobs.huey._registry._registry))")
        assert done.returncode == 0, f"importing {first} first: {done.stderr}"
        assert "run_render" in done.stdout and "requeue_stale_renders" in done.stdout, done.stdout
