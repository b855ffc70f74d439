"""Burned-in captions look right in the frames: never two lower thirds at once, none lost, none under the
player's controls."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from media_pipeline.film import FilmOptions, build_film_plan, render_film
from media_pipeline.film.captions import TITLE_SAFE_BOTTOM, caption_image
from media_pipeline.film.plan import Caption, FilmPlan, start_frames
from media_pipeline.film.segments import caption_fits, caption_window
from media_pipeline.types import Moment, ProjectInfo
from tests.mediagen import make_photo

pytestmark = pytest.mark.slow

W, H = 320, 180
OPTIONS = FilmOptions(width=W, height=H, fps=10, photo_s=1.5, transition_s=0.4, chapters="none", quality="preview")
PROJECT = ProjectInfo(title="Captions", date="2024-07-24", language="en", brand_color="#E4572E")
# Each photo is one primary colour. A lower third darkens the picture under it, so a caption shown over the
# red photo lowers the red channel at the bottom of the frame, one over the green photo the green channel:
# inside a crossfade of red into green, each visible caption leaves its own trace, and they can be counted.
MOMENTS = [("red", 0, "Ann", "Hi"), ("green", 1, "Bob", "A much longer line of words"), ("blue", 2, "Wil", "Soup")]
CHANNEL = {colour: channel for colour, channel, *_ in MOMENTS}
PRIMARY = {"red": (230, 20, 20), "green": (20, 230, 20), "blue": (20, 20, 230)}


def _frames(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        return np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)])


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> tuple[FilmPlan, np.ndarray, list[int]]:
    root = tmp_path_factory.mktemp("captions")
    (root / "media").mkdir()
    moments = []
    for hour, (colour, _, alias, words) in enumerate(MOMENTS, start=8):
        make_photo(root / "media" / f"{colour}.jpg", size=(W, H), colour=PRIMARY[colour])
        moments.append(Moment(colour, f"{colour}.jpg", "photo", W, H, datetime(2024, 7, 24, hour), 120,
                              alias=alias, caption=words))
    plan = build_film_plan(moments, PROJECT, OPTIONS)
    result = render_film(plan, root / "film.mp4", resolve=lambda key: root / "media" / key, cache_dir=root / "cache",
                         workers=2)
    frames = _frames(result.video_path)
    assert len(frames) == plan.length_frames
    return plan, frames, start_frames([s.frames for s in plan.segments], plan.transition_frames)


def _captions_shown(frame: np.ndarray) -> list[str]:
    """The photos whose caption shows in `frame`: its channel is darker at the bottom than at the top
    (no caption reaches the top quarter; a solid photo, or two crossfading, is one colour without one)."""
    top = frame[: H // 4].reshape(-1, 3).mean(axis=0)
    bottom = frame[H - 30 : H - 4].reshape(-1, 3).mean(axis=0)
    return [colour for colour, channel in CHANNEL.items() if top[channel] - bottom[channel] > 30]


def test_inside_every_crossfade_at_most_one_caption_shows(film) -> None:  # type: ignore[no-untyped-def]
    plan, frames, starts = film
    t = plan.transition_frames
    assert t == 4
    for index in range(1, len(plan.segments)):
        for number in range(starts[index], starts[index] + t):
            shown = _captions_shown(frames[number])
            assert len(shown) <= 1, f"frame {number} (crossfade into {plan.segments[index].id}) shows {shown}"


def test_each_caption_shows_in_the_middle_of_its_moment(film) -> None:  # type: ignore[no-untyped-def]
    plan, frames, starts = film
    shown = [_captions_shown(frames[start + seg.frames // 2]) for seg, start in zip(plan.segments, starts, strict=True)]
    assert shown == [[], ["red"], ["green"], ["blue"], []]  # opening card, the three photos, closing card


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720), (1080, 1920)])
def test_caption_keeps_out_of_the_bottom_where_player_controls_sit(size: tuple[int, int]) -> None:
    width, height = size
    caption = Caption("Wilhelmina van der Berg", "employee · bakery", "07:32",
                      "A long sentence about the first bread of the day, to make the caption use its lines")
    layer = caption_image(caption, width, height, "#E4572E")
    alpha = np.asarray(layer.getchannel("A"))
    rgb = np.asarray(layer.convert("RGB")).astype(int)
    letters = np.argwhere((alpha > 240) & (rgb.min(axis=2) > 220))
    assert len(letters)
    lowest = int(letters[:, 0].max())
    assert lowest < height * (1 - TITLE_SAFE_BOTTOM), (lowest, height)
    assert isinstance(layer, Image.Image)


def test_caption_window_leaves_the_crossfades_free_and_skips_a_flash() -> None:
    # a 4 s photo at 30 fps with 0.5 s crossfades: shown from frame 15 to 105, fading over 9 frames
    assert caption_window(120, 15, 30, has_head=True, has_tail=True) == (15, 105, 9)
    assert caption_fits(120, 15, 30, has_head=True, has_tail=True)
    # a clip stretched to the least a segment may be (one frame between its crossfades): no caption flash
    assert caption_window(31, 15, 30, has_head=True, has_tail=True)[:2] == (15, 16)
    assert not caption_fits(31, 15, 30, has_head=True, has_tail=True)
