"""Documentation stays true: every setting is in the README, and the README's two commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from app.config import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented() -> None:
    readme = (ROOT / "README.md").read_text()
    for name, field in Settings.model_fields.items():
        assert f"`DAYREEL_{name.upper()}`" in readme, f"DAYREEL_{name.upper()} is missing from the README"
        assert field.description, f"setting {name} has no description"


def test_readme_commands_are_make_targets() -> None:
    readme = (ROOT / "README.md").read_text()
    makefile = (ROOT / "Makefile").read_text()
    for target in ("run", "test"):
        assert f"make {target}" in readme
        assert re.search(rf"^{target}:", makefile, re.M)


def test_pipeline_never_imports_the_web_side() -> None:
    banned = re.compile(r"^\s*(from|import)\s+(app\b|fastapi|sqlalchemy|pydantic_settings|starlette)", re.M)
    for path in (ROOT / "media_pipeline").rglob("*.py"):
        assert not banned.search(path.read_text()), f"{path} imports the web side"
