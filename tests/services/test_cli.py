"""The `dayreel` command line: projects, users, tokens, probe, film and collage from a folder."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from app.cli import main
from app.config import get_settings
from tests.mediagen import make_clip, make_photo


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """DAYREEL_DATA_DIR pointing at a fresh folder for commands run in-process."""
    data = tmp_path / "data"
    monkeypatch.setenv("DAYREEL_DATA_DIR", str(data))
    monkeypatch.setenv("DAYREEL_QUEUE_BACKEND", "immediate")
    monkeypatch.setenv("DAYREEL_PUBLIC_BASE_URL", "https://day.example.org")
    get_settings.cache_clear()
    yield data
    get_settings.cache_clear()


def test_project_create_prints_json(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["project", "create", "--title", "Dag in de winkel", "--date", "2024-07-24", "--tz", "Europe/Amsterdam"]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"id", "token", "invite_url"}
    assert out["invite_url"] == f"https://day.example.org/c/{out['token']}"


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["project", "create", "--title", "x", "--date", "24-07-2024"], "is not a date"),
        (["project", "create", "--title", "x", "--date", "2024-07-24", "--tz", "Moon/Base"], "time zone"),
    ],
)
def test_user_mistakes_give_one_line_and_exit_2(
    data_dir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_user_add_and_token_create(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    assert main(["user", "add", "anna@example.org", "--password-stdin"]) == 0
    assert "anna@example.org" in capsys.readouterr().out
    assert main(["token", "create", "anna@example.org"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert token.startswith("drl_") and len(token) > 30
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert main(["user", "add", "bob@example.org", "--password-stdin"]) == 2
    assert "at least 8" in capsys.readouterr().err
    assert main(["token", "create", "nobody@example.org"]) == 2


def test_probe_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    photo = make_photo(tmp_path / "a.jpg", size=(64, 48), taken=datetime(2024, 7, 24, 7, 15, 30), offset="+02:00",
                       orientation=6)
    clip = make_clip(tmp_path / "b.mp4", creation_time="2024-07-24T05:15:30Z", size=(64, 48), rotation=90)
    assert main(["probe", str(photo), str(clip), "--tz", "Europe/Amsterdam", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows[0]["kind"] == "photo" and (rows[0]["width"], rows[0]["height"]) == (48, 64)
    assert (rows[0]["captured_local"], rows[0]["utc_offset"], rows[0]["time_source"]) == (
        "2024-07-24T07:15:30", "+02:00", "exif")
    assert rows[1]["kind"] == "clip" and (rows[1]["width"], rows[1]["height"]) == (48, 64)
    assert rows[1]["duration"] == pytest.approx(1.0, abs=0.15) and rows[1]["has_audio"] is True
    assert (rows[1]["captured_local"], rows[1]["utc_offset"], rows[1]["time_source"]) == (
        "2024-07-24T07:15:30", "+02:00", "container-utc")


def test_probe_bad_file_gives_error_and_nonzero_exit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "notes.mov"
    bad.write_text("not a clip")
    assert main(["probe", str(bad), "--json"]) == 1
    row = json.loads(capsys.readouterr().out)
    assert row["file"] == str(bad) and len(row["error"]) > 10


def _folder(tmp_path: Path) -> Path:
    src = tmp_path / "day"
    src.mkdir()
    make_photo(src / "morning.jpg", colour="yellow", size=(160, 120), taken=datetime(2024, 7, 24, 8, 0))
    make_photo(src / "evening.png", colour="blue", size=(120, 160), taken=datetime(2024, 7, 24, 20, 0))
    make_clip(src / "noon.mp4", colour="green", size=(160, 90), duration_s=1.0,
              metadata={"com.apple.quicktime.creationdate": "2024-07-24T12:00:00+0200"})
    (src / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 broken")
    return src


@pytest.mark.slow
def test_film_from_folder_skips_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "film.mp4"
    song = tmp_path / "song.wav"
    import subprocess

    from tests.mediagen import FFMPEG

    subprocess.run([FFMPEG, "-y", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=330:duration=20",
                    str(song)], check=True)
    assert main(["film", str(_folder(tmp_path)), "-o", str(out), "--size", "128x72", "--fps", "10",
                 "--music", str(song)]) == 0
    captured = capsys.readouterr()
    assert "skipping broken.jpg" in captured.err
    import av

    with av.open(str(out)) as c:
        v = c.streams.video[0]
        assert (v.width, v.height) == (128, 72)
        assert c.streams.audio, "the film has a sound track"


def test_collage_from_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "collage.png"
    assert main(["collage", str(_folder(tmp_path)), "-o", str(out), "--size", "320x180", "--layout", "mosaic"]) == 0
    from PIL import Image

    with Image.open(out) as img:
        assert img.size == (320, 180)
    assert "skipping broken.jpg" in capsys.readouterr().err


def test_collage_shows_at_most_max_tiles_and_counts_the_rest(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    src = _folder(tmp_path)
    assert main(["collage", str(src), "-o", str(tmp_path / "all.png"), "--size", "320x180"]) == 0
    assert "more moments" not in capsys.readouterr().out  # a small day: everything is shown
    assert main(["collage", str(src), "-o", str(tmp_path / "one.png"), "--size", "320x180", "--max-tiles", "1"]) == 0
    assert re.search(r"\+ \d+ more moments?: more than stay legible", capsys.readouterr().out)
    assert main(["collage", str(src), "-o", str(tmp_path / "x.png"), "--max-tiles", "0"]) == 2
    assert "most tiles" in capsys.readouterr().err


def test_collage_rejects_bad_output_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["collage", str(_folder(tmp_path)), "-o", str(tmp_path / "x.gif")]) == 2
    assert ".png" in capsys.readouterr().err


def test_console_script_is_installed() -> None:
    exe = Path(sys.executable).parent / "dayreel"
    r = subprocess.run([str(exe), "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0
    for command in ("serve", "worker", "demo", "project", "user", "token", "probe", "film", "collage"):
        assert command in r.stdout


def test_lanes_collage_takes_roles_from_subfolders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "day"
    (src / "klanten").mkdir(parents=True)
    (src / "employees").mkdir()
    make_photo(src / "klanten" / "a.jpg", colour="red", size=(120, 90), taken=datetime(2024, 7, 24, 9, 0))
    make_photo(src / "employees" / "b.jpg", colour="green", size=(120, 90), taken=datetime(2024, 7, 24, 9, 30))
    out = tmp_path / "lanes.png"
    assert main(["collage", str(src), "-o", str(out), "--size", "640x360", "--layout", "lanes"]) == 0
    assert out.is_file()
    # without role folders there is nothing to put in lanes: one readable line, exit 2
    flat = tmp_path / "flat"
    flat.mkdir()
    make_photo(flat / "c.jpg", size=(120, 90), taken=datetime(2024, 7, 24, 9, 0))
    assert main(["collage", str(flat), "-o", str(tmp_path / "x.png"), "--layout", "lanes"]) == 2
    err = capsys.readouterr().err
    assert "role" in err and "Traceback" not in err
