"""One module, one job: a route module serves its own URLs and imports no other route module. What routes
share lives outside app/routes (app/file_responses.py, app/staff_pages.py, app/cookies.py, ...), and the
routers are put together in app/routers.py."""

from __future__ import annotations

import ast
from pathlib import Path

ROUTES = Path(__file__).resolve().parent.parent / "app" / "routes"


def route_imports(path: Path) -> list[str]:
    """The modules of app.routes that this module imports, however it spells the import."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name == "app.routes" or a.name.startswith("app.routes.")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from . import x, from .x import y (inside app/routes)
                base = "app.routes" if node.level == 1 else "app"
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            if module == "app.routes":
                found += [f"app.routes.{a.name}" for a in node.names]
            elif module.startswith("app.routes."):
                found.append(module)
    return found


def test_no_route_module_imports_another() -> None:
    modules = sorted(ROUTES.glob("*.py"))
    assert len(modules) > 10  # the check looks where the routes are
    offending = {p.name: route_imports(p) for p in modules if route_imports(p)}
    assert offending == {}


def test_the_check_sees_every_spelling_of_such_an_import(tmp_path: Path) -> None:
    spellings = ["import app.routes.files", "from app.routes import api", "from app.routes.api import x",
                 "from . import staff_common", "from .contribute import y"]
    for source in spellings:
        module = tmp_path / "probe.py"
        module.write_text(source + "\n", encoding="utf-8")
        assert route_imports(module), source
    module.write_text("from app import routers\nfrom app.routers import include_routes\n", encoding="utf-8")
    assert route_imports(module) == []
