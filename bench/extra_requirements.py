"""Print one optional-dependency group of pyproject.toml, one requirement a line: `make bench-moviepy`
installs the `bench-moviepy` extra on its own (without dayreel, whose Pillow it conflicts with)."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"

if __name__ == "__main__":
    extras = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    print("\n".join(extras[sys.argv[1]]))
