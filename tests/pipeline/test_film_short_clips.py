"""Short clips anywhere in the film: poster, chapters and captions whatever the first or last moment is.

A 1 s clip first in the film is one frame between its crossfades; the poster used to seek past it and ffmpeg
failed the whole render ("Conversion failed!") after all the segments were made.
"""

from __future__ import annotations

import itertools
import os
import re
from datetime import datetime
from pathlib import Path

import av
import pytest
from PIL import Image

from media_pipeline.film import FilmOptions, FilmResult, build_film_plan, render_film
from media_pipeline.types import Moment, ProjectInfo
from tests.mediagen import COLOURS, make_clip, make_photo

pytestmark = pytest.mark.slow

PROJECT = ProjectInfo(title="Short clips", date="2024-07-24")
# 0.5 s crossfades at 10 fps: a 1 s clip (10 frames) is stretched to 11 and has 1 frame between its fades
OPTIONS = FilmOptions(width=160, height=90, fps=10, photo_s=1.5, transition_s=0.5, quality="preview")
HOUR = {"first": 6, "middle": 12, "last": 20}


def _moments(folder: Path, clip_s: float, position: str, *, broken_first: bool = False) -> list[Moment]:
    folder.mkdir(parents=True, exist_ok=True)
    make_photo(folder / "red.jpg", size=(160, 90), colour="red")
    make_clip(folder / "clip.mp4", size=(160, 90), colour="green", duration_s=clip_s, fps=10)
    moments = [
        Moment("photo-9", "red.jpg", "photo", 160, 90, datetime(2024, 7, 24, 9), 120, caption="nine"),
        Moment("photo-15", "red.jpg", "photo", 160, 90, datetime(2024, 7, 24, 15), 120, caption="three"),
        Moment("clip", "clip.mp4", "clip", 160, 90, datetime(2024, 7, 24, HOUR[position]), 120, duration_s=clip_s,
               has_audio=True, caption="short"),
    ]
    if broken_first:
        (folder / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(3000))
        moments.append(Moment("broken", "broken.mp4", "clip", 160, 90, datetime(2024, 7, 24, 5), 120,
                              duration_s=1.0, caption="broken"))
    return moments


def _render(tmp_path: Path, moments: list[Moment], logged: list[str]) -> tuple[FilmResult, float]:
    plan = build_film_plan(moments, PROJECT, OPTIONS)
    result = render_film(plan, tmp_path / "out" / "film.mp4", resolve=lambda key: tmp_path / "media" / key,
                         cache_dir=tmp_path / "cache", workers=2, log=logged.append)
    return result, plan.length_s


def _vtt_cues(path: Path) -> list[tuple[float, float, str]]:
    def seconds(text: str) -> float:
        h, m, s = text.split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)

    blocks = path.read_text(encoding="utf-8").split("\n\n")
    cues = []
    for block in blocks:
        found = re.search(r"^([\d:.]+) --> ([\d:.]+)\n(.*)", block, re.M | re.S)
        if found:
            cues.append((seconds(found[1]), seconds(found[2]), found[3].strip()))
    return cues


def _close(rgb: tuple[int, int, int], name: str) -> bool:
    return sum(abs(a - b) for a, b in zip(rgb, COLOURS[name], strict=True)) < 90


@pytest.mark.parametrize("position", ["first", "middle", "last"])
@pytest.mark.parametrize("clip_s", [0.5, 1.0, 1.5])
def test_short_clip_at_any_position_makes_a_whole_film(tmp_path: Path, clip_s: float, position: str) -> None:
    logged: list[str] = []
    result, length_s = _render(tmp_path, _moments(tmp_path / "media", clip_s, position), logged)
    assert result.skipped == []
    with av.open(str(result.video_path)) as container:
        duration = container.duration / av.time_base
        chapters = [(float(c["start"] * c["time_base"]), float(c["end"] * c["time_base"]))
                    for c in container.chapters()]
    assert duration == pytest.approx(length_s, abs=0.15)
    # chapters follow each other without gaps or overlaps and end with the film
    assert chapters[0][0] == 0.0 and chapters[-1][1] == pytest.approx(length_s, abs=0.01)
    assert all(start < end for start, end in chapters)
    assert all(a[1] == pytest.approx(b[0], abs=0.001) for a, b in itertools.pairwise(chapters))
    cues = _vtt_cues(result.vtt_path)
    assert [text.split("\n")[-1] for *_, text in cues] == {
        "first": ["short", "nine", "three"], "middle": ["nine", "short", "three"], "last": ["nine", "three", "short"],
    }[position]
    assert all(0 <= start < end <= length_s + 0.001 for start, end, _ in cues)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(cues))
    # the poster is the first moment: the green clip when it comes first, else the red photo
    with Image.open(result.poster_path) as poster:
        assert poster.size == (160, 90)
        top_middle = poster.convert("RGB").getpixel((80, 20))
    assert _close(top_middle, "green" if position == "first" else "red"), top_middle


def test_broken_clip_first_is_left_out_and_the_poster_comes_from_the_next(tmp_path: Path) -> None:
    logged: list[str] = []
    result, _ = _render(tmp_path, _moments(tmp_path / "media", 1.0, "first", broken_first=True), logged)
    assert [moment_id for moment_id, _ in result.skipped] == ["broken"]
    assert any("left out moment broken" in line for line in logged)
    assert "broken" not in result.vtt_path.read_text(encoding="utf-8")
    with Image.open(result.poster_path) as poster:
        assert _close(poster.convert("RGB").getpixel((80, 20)), "green")
