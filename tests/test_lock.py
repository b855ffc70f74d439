"""The lock files (requirements/*.txt, made by `uv pip compile --generate-hashes`) match pyproject.toml:
every dependency is pinned, with hashes, at a version pyproject allows, and nothing pinned as a direct
dependency is gone from pyproject. A pyproject change without a new lock fails here; `make lock`
regenerates both (uv pip compile --universal --python-version 3.11 --generate-hashes [--extra dev]).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
DIRECT = "dayreel (pyproject.toml)"  # uv's "# via" for a dependency pyproject names


@dataclass
class Pin:
    name: str
    version: Version
    marker: Marker | None
    hashes: int = 0
    via: list[str] = field(default_factory=list)

    def applies(self) -> bool:
        return self.marker is None or self.marker.evaluate()


def read_lock(path: Path) -> list[Pin]:
    pins: list[Pin] = []
    for line in path.read_text().splitlines():
        if m := re.match(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$", line):
            name, version, marker = m.groups()
            pins.append(Pin(canonicalize_name(name), Version(version), Marker(marker) if marker else None))
        elif pins and (h := re.match(r"^\s+--hash=sha256:[0-9a-f]{64}", line)):
            assert h
            pins[-1].hashes += 1
        elif pins and (v := re.match(r"^\s+#\s+(?:via\s+)?(\S.*)$", line)) and v.group(1) != "via":
            pins[-1].via.append(v.group(1).strip())
    return pins


def requirements(extra: str | None) -> list[Requirement]:
    names = list(PROJECT["dependencies"])
    if extra:
        names += PROJECT["optional-dependencies"][extra]
    return [Requirement(r) for r in names]


@pytest.mark.parametrize(("lock", "extra"), [("runtime.txt", None), ("dev.txt", "dev")])
def test_lock_matches_pyproject(lock: str, extra: str | None) -> None:
    pins = read_lock(ROOT / "requirements" / lock)
    assert len(pins) > 10, f"requirements/{lock} has no pins"
    unhashed = [p.name for p in pins if not p.hashes]
    assert not unhashed, f"pinned without a hash in requirements/{lock}: {unhashed}"
    here = {p.name: p for p in pins if p.applies()}
    wanted = requirements(extra)
    for req in wanted:
        if req.marker is not None and not req.marker.evaluate():
            continue
        name = canonicalize_name(req.name)
        assert name in here, f"{req} is in pyproject.toml but not in requirements/{lock}: regenerate the lock"
        assert req.specifier.contains(here[name].version, prereleases=True), (
            f"requirements/{lock} pins {name}=={here[name].version}, pyproject.toml wants {req}: regenerate the lock"
        )
    wanted_names = {canonicalize_name(r.name) for r in wanted}
    stale = sorted(p.name for p in pins if DIRECT in p.via and p.name not in wanted_names)
    assert not stale, f"requirements/{lock} pins {stale} for pyproject.toml, which no longer names them"


def test_runtime_lock_has_no_benchmark_or_test_tools() -> None:
    names = {p.name for p in read_lock(ROOT / "requirements" / "runtime.txt")}
    assert "moviepy" not in names  # the bench-moviepy extra lives in .venv-moviepy only
    assert not names & {"pytest", "ruff", "playwright", "schemathesis"}


def test_dockerfile_installs_the_lock_before_the_code() -> None:
    steps = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    lock_install = next(i for i, s in enumerate(steps) if "--require-hashes -r requirements/runtime.txt" in s)
    first_code = next(i for i, s in enumerate(steps) if s.startswith("COPY app"))
    assert lock_install < first_code  # the dependency layer is cached across code changes
    assert any("pip install" in s and "--no-deps" in s and s.rstrip("\\ ").endswith(".") for s in steps[first_code:])
