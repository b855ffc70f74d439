"""`dayreel themes SRC_DIR -o map.png`: the themes map straight from a folder (captions are file names)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from app.cli import main
from tests.mediagen import make_photo

NAMES = ["lange_wachtrij_bij_de_kassa", "de_wachtrij_staat_tot_buiten", "weer_een_wachtrij",
         "verse_koffie_voor_het_team", "koffie_in_de_kantine", "eerste_koffie_van_de_dag"]


def _folder(tmp_path: Path) -> Path:
    src = tmp_path / "dag"
    src.mkdir()
    for i, name in enumerate(NAMES):
        make_photo(src / f"{name}.jpg", size=(64, 48), colour=(40 * i, 100, 200),
                   taken=datetime(2026, 3, 12, 8 + i))
    (src / "broken.jpg").write_bytes(b"not a picture")
    return src


@pytest.mark.parametrize("ext", ["png", "svg", "pdf"])
def test_themes_map_from_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str], ext: str) -> None:
    out = tmp_path / f"map.{ext}"
    assert main(["themes", str(_folder(tmp_path)), "-o", str(out), "--size", "640x360", "--language", "nl"]) == 0
    printed = capsys.readouterr()
    assert "Wachtrij: 3 moment(s)" in printed.out and "Koffie: 3 moment(s)" in printed.out
    assert "skipping broken.jpg" in printed.err
    if ext == "png":
        with Image.open(out) as img:
            assert img.size == (640, 360)
    else:
        assert out.read_bytes()[:4] in (b"<svg", b"%PDF")


def test_themes_refuses_an_unknown_output_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["themes", str(_folder(tmp_path)), "-o", str(tmp_path / "map.gif")]) == 2
    assert "must end in .png, .jpg, .svg or .pdf" in capsys.readouterr().err
