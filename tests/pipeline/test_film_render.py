"""Rendering films from tiny generated media: streams, order, orientation, sound, cache, skip, cancel."""

from __future__ import annotations

import os
import struct
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import av
import numpy as np
import pytest

from media_pipeline.film import FilmOptions, FilmPlan, FilmResult, build_film_plan, render_film
from media_pipeline.film.lane_art import placeholder_image
from media_pipeline.film.plan import start_frames
from media_pipeline.film.segments import lane_boxes
from media_pipeline.types import Moment, ProjectInfo, RenderCancelled
from tests.mediagen import COLOURS, FFMPEG, make_clip, make_photo

pytestmark = pytest.mark.slow

PROJECT = ProjectInfo(title="Eén dag", date="2024-07-24", language="nl")
OPTIONS = FilmOptions(width=128, height=72, fps=10, photo_s=1.5, transition_s=0.2)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 7, 24, hour, minute)


def media_set(folder: Path) -> list[Moment]:
    """Four moments of distinct colours in four parts of the day, plus one clip that is not a clip."""
    folder.mkdir(parents=True, exist_ok=True)
    make_photo(folder / "red.jpg", size=(64, 48), colour="red")
    make_clip(folder / "green.mp4", size=(64, 48), colour="green", duration_s=1.0, fps=10)
    # stored landscape with a yellow top; EXIF orientation 6 turns it clockwise: a portrait, yellow on the right
    make_photo(folder / "blue.jpg", size=(64, 48), colour="blue", top_colour="yellow", orientation=6)
    # coded landscape, red top half; the display matrix turns it 90° anticlockwise: red on the left
    make_clip(folder / "turned.mp4", size=(64, 48), colour="red", bottom_colour="blue", duration_s=1.0, fps=10,
              rotation=90, audio_hz=660)
    (folder / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(2000))
    return [
        Moment("red", "red.jpg", "photo", 64, 48, at(7), 120, alias="Zoë", role="customer", caption="Eén dag, ĳsje"),
        Moment("green", "green.mp4", "clip", 64, 48, at(9), 120, duration_s=1.0, has_audio=True, alias="Piet",
               caption="Koffie"),
        Moment("broken", "broken.mp4", "clip", 64, 48, at(9, 30), 120, duration_s=1.0, has_audio=True, alias="X"),
        Moment("blue", "blue.jpg", "photo", 48, 64, at(13), 120, alias="Mevr. Ğ. Çelik", caption="Lunch"),
        Moment("turned", "turned.mp4", "clip", 48, 64, at(15), 120, duration_s=1.0, has_audio=True, rotation=90,
               alias="Ahmed", caption="Staand"),
    ]


def children() -> list[int]:
    """ffmpeg processes whose parent is this test process (other helpers, like probe's fork server, may live on)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid() and b"ffmpeg" in cmdline:
            found.append(int(entry.name))
    return found


class Rendered:
    def __init__(self, root: Path, plan: FilmPlan, result: FilmResult, logged: list[str],
                 progress: list[tuple[float, float | None]]) -> None:
        self.root, self.plan, self.result, self.logged, self.progress = root, plan, result, logged, progress

    def render(self, plan: FilmPlan, name: str, **kwargs: object) -> FilmResult:
        return render_film(plan, self.root / "out" / name, resolve=lambda key: self.root / "media" / key,
                           cache_dir=self.root / "cache", **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """One film of the media set, rendered once for the whole module."""
    root = tmp_path_factory.mktemp("film")
    plan = build_film_plan(media_set(root / "media"), PROJECT, OPTIONS)
    logged: list[str] = []
    progress: list[tuple[float, float | None]] = []
    result = render_film(plan, root / "out" / "film.mp4", resolve=lambda key: root / "media" / key,
                         cache_dir=root / "cache", log=logged.append,
                         progress=lambda fraction, left: progress.append((fraction, left)), workers=2)
    return Rendered(root, plan, result, logged, progress)


def kept_timeline(plan: FilmPlan, skipped: set[str]) -> dict[str, tuple[int, int]]:
    """Segment id -> (first frame, frame count) on the rendered film, after skipped moments (or segment ids)
    are left out."""
    kept = [s for s in plan.segments if s.moment_id not in skipped and s.id not in skipped]
    starts = start_frames([s.frames for s in kept], plan.transition_frames)
    return {s.id: (start, s.frames) for s, start in zip(kept, starts, strict=True)}


def video_frames(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        return np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)])


def sound(path: Path) -> tuple[np.ndarray, int]:
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.rate
        chunks = [f.to_ndarray() for f in container.decode(stream)]
    return np.concatenate(chunks, axis=1), rate


def close_to(pixel: np.ndarray, colour: str, tolerance: int = 45) -> bool:
    return bool(np.all(np.abs(pixel.astype(int) - np.array(COLOURS[colour])) < tolerance))


def test_film_has_the_promised_streams_and_length(rendered: Rendered) -> None:
    result, plan = rendered.result, rendered.plan
    timeline = kept_timeline(plan, {"broken"})
    last_start, last_frames = list(timeline.values())[-1]
    frames = last_start + last_frames
    assert result.duration_s == pytest.approx(frames / 10)
    with av.open(str(result.video_path)) as container:
        video = container.streams.video[0]
        assert (video.width, video.height, video.average_rate) == (128, 72, 10)
        assert video.codec_context.name == "h264" and video.format.name == "yuv420p"
        audio = container.streams.audio[0]
        assert audio.codec_context.name == "aac"
        assert container.duration / 1e6 == pytest.approx(frames / 10, abs=0.05)
    assert len(video_frames(result.video_path)) == frames
    assert result.poster_path.exists() and result.poster_path.stat().st_size > 0
    assert rendered.progress[0] == (0.0, None) and rendered.progress[-1] == (1.0, 0.0)
    fractions = [p for p, _ in rendered.progress]
    assert fractions == sorted(fractions)
    assert any(left is not None and left > 0 for _, left in rendered.progress[1:-1])  # an estimate of time left
    assert not [p for p in (rendered.root / "out").iterdir() if p.name.startswith(".")]  # no temp left


def test_moov_comes_before_mdat(rendered: Rendered) -> None:
    data = rendered.result.video_path.read_bytes()
    boxes, offset = [], 0
    while offset < len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        boxes.append(kind.decode())
        offset += size
    assert boxes.index("moov") < boxes.index("mdat")


def test_chapters_and_captions(rendered: Rendered) -> None:
    with av.open(str(rendered.result.video_path)) as container:
        titles = [c["metadata"]["title"] for c in container.chapters()]
    assert titles == ["Eén dag", "Dageraad", "Ochtend", "Middag", "Namiddag", "Dank je wel"]
    vtt = rendered.result.vtt_path.read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT")
    assert "Zoë · klant · 07:00\nEén dag, ĳsje" in vtt
    assert "Mevr. Ğ. Çelik · 13:00\nLunch" in vtt
    assert vtt.count(" --> ") == 4  # the broken clip has no cue


def test_moments_come_in_order_upright_and_fill_the_height(rendered: Rendered) -> None:
    frames = video_frames(rendered.result.video_path)
    timeline = kept_timeline(rendered.plan, {"broken"})

    def middle(segment_id: str) -> np.ndarray:
        start, count = timeline[segment_id]
        return frames[start + count // 2]

    assert close_to(middle("m-red")[12, 64], "red")
    assert close_to(middle("m-green")[12, 64], "green")
    blue = middle("m-blue")
    assert close_to(blue[12, 52], "blue") and close_to(blue[12, 76], "yellow")  # EXIF orientation applied
    assert blue[12, 8].sum() < blue[12, 52].sum() * 0.7  # beside a portrait photo: a darker blurred copy
    turned = middle("m-turned")
    assert close_to(turned[12, 52], "red") and close_to(turned[12, 76], "blue")  # turned, not squashed
    assert not close_to(turned[12, 4], "red", 20)  # 54 px wide in the middle, blurred copy beside it


def test_sound_is_loudness_normalised_and_silent_elsewhere(rendered: Rendered) -> None:
    samples, rate = sound(rendered.result.video_path)
    timeline = kept_timeline(rendered.plan, {"broken"})

    def window(segment_id: str) -> np.ndarray:
        start, count = timeline[segment_id]
        first = (start + 3) * rate // 10
        return samples[:, first : first + (count - 6) * rate // 10]

    rms = float(np.sqrt(np.mean(window("m-green") ** 2)))
    assert 0.10 < rms < 0.14  # a sine at -16 LUFS in both channels has an RMS of 0.121; the source had 0.088
    assert float(np.sqrt(np.mean(window("m-turned") ** 2))) == pytest.approx(rms, rel=0.1)
    assert np.max(np.abs(window("m-red"))) < 1e-3
    assert np.max(np.abs(window("opening"))) < 1e-3


def test_broken_moment_is_skipped_and_named(rendered: Rendered) -> None:
    assert [moment_id for moment_id, _ in rendered.result.skipped] == ["broken"]
    assert "could not be decoded" in rendered.result.skipped[0][1]
    assert any("broken" in line for line in rendered.logged)
    assert rendered.result.segments_rendered == len(rendered.plan.segments) - 1
    assert children() == []


def test_rerender_uses_the_cache_and_an_edit_renders_one_segment(rendered: Rendered) -> None:
    again = rendered.render(rendered.plan, "again.mp4")
    assert (again.segments_rendered, again.segments_cached) == (0, len(rendered.plan.segments) - 1)
    assert video_frames(again.video_path).shape == video_frames(rendered.result.video_path).shape

    moments = [m if m.id != "blue" else replace(m, caption="Soep") for m in media_set(rendered.root / "media")]
    edited = rendered.render(build_film_plan(moments, PROJECT, OPTIONS), "edited.mp4")
    assert (edited.segments_rendered, edited.segments_cached) == (1, len(rendered.plan.segments) - 2)
    assert "Soep" in edited.vtt_path.read_text(encoding="utf-8")
    assert children() == []


def test_cancel_stops_everything_and_leaves_nothing(tmp_path: Path) -> None:
    moments = media_set(tmp_path / "media")
    # a larger film than the other tests: each ffmpeg must outlive the 0.25 s between cancel checks,
    # so the cancel below reliably lands while one is running
    plan = build_film_plan(moments, PROJECT, replace(OPTIONS, width=640, height=360, fps=25, photo_s=3.0))
    seen_ffmpeg: list[int] = []

    def cancelled() -> bool:
        seen_ffmpeg.extend(children())  # cancel once ffmpeg is running, so there is something to stop
        return bool(seen_ffmpeg)

    out = tmp_path / "out" / "film.mp4"
    with pytest.raises(RenderCancelled):
        render_film(plan, out, resolve=lambda key: tmp_path / "media" / key, cache_dir=tmp_path / "cache",
                    cancelled=cancelled)
    assert seen_ffmpeg
    assert not out.exists() and not out.with_suffix(".vtt").exists() and not out.with_suffix(".jpg").exists()
    assert list(out.parent.iterdir()) == []
    assert not [p for p in (tmp_path / "cache" / "film").iterdir() if p.name.startswith(".")]
    assert children() == []


def _tone(path: Path, hz: int, seconds: float) -> Path:
    import subprocess

    subprocess.run([FFMPEG, "-y", "-loglevel", "error", "-f", "lavfi", "-i", f"sine=frequency={hz}:duration={seconds}",
                    "-c:a", "aac", str(path)], check=True)
    return path


def _level_at(samples: np.ndarray, rate: int, hz: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples[0] * np.hanning(samples.shape[1])))
    freqs = np.fft.rfftfreq(samples.shape[1], 1 / rate)
    return float(spectrum[np.argmin(np.abs(freqs - hz))] / samples.shape[1])


def test_music_bed_ducks_under_clip_sound(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    make_photo(media / "a.jpg", colour="yellow")
    make_clip(media / "b.mp4", colour="cyan", duration_s=2.0, fps=10, audio_hz=1000)
    _tone(media / "bed.m4a", 220, 3.0)  # shorter than the film: it loops
    moments = [
        Moment("a", "a.jpg", "photo", 64, 48, at(8)),
        Moment("b", "b.mp4", "clip", 64, 48, at(9), duration_s=2.0, has_audio=True),
    ]
    options = replace(OPTIONS, chapters="none", photo_s=2.0, music_key="bed.m4a")
    plan = build_film_plan(moments, PROJECT, options)
    result = render_film(plan, tmp_path / "film.mp4", resolve=lambda key: media / key, cache_dir=tmp_path / "c")
    samples, rate = sound(result.video_path)
    timeline = kept_timeline(plan, set())

    def window(segment_id: str) -> np.ndarray:
        start, count = timeline[segment_id]
        first = (start + count // 2 - 5) * rate // 10
        return samples[:, first : first + rate]

    bed_alone, bed_ducked = _level_at(window("m-a"), rate, 220), _level_at(window("m-b"), rate, 220)
    assert bed_alone > 0.005  # the bed plays under the photo
    assert bed_ducked < bed_alone / 3  # and steps back by more than 10 dB under the clip's voice
    assert _level_at(window("m-b"), rate, 1000) > bed_alone
    start = samples[:, : rate // 10]
    assert np.max(np.abs(start)) < np.max(np.abs(window("m-a"))) / 2  # fades in
    assert children() == []




def test_lanes_film_sets_the_customer_beside_the_employee(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    make_photo(media / "customer.jpg", colour="red")
    make_clip(media / "employee.mp4", colour="green", duration_s=1.0, fps=10, audio_hz=880)
    make_photo(media / "later.jpg", colour="blue")
    moments = [
        Moment("customer", "customer.jpg", "photo", 64, 48, at(8), 120, alias="Zoë", role="customer",
               caption="Koffie"),
        Moment("employee", "employee.mp4", "clip", 64, 48, at(8, 20), 120, duration_s=1.0, has_audio=True,
               alias="Sem", role="employee"),
        Moment("guest", "customer.jpg", "photo", 64, 48, at(9), 120),  # no role: not in a lanes film
        Moment("later", "later.jpg", "photo", 64, 48, at(10), 120, alias="Zoë", role="customer"),
        # a pair with a clip that cannot be decoded is left out whole, and both its moments are named
        Moment("paired", "later.jpg", "photo", 64, 48, at(11), 120, role="customer"),
        Moment("broken", "broken.mp4", "clip", 64, 48, at(11, 5), 120, duration_s=1.0, role="employee"),
    ]
    (media / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(2000))
    plan = build_film_plan(moments, PROJECT, replace(OPTIONS, lanes=True, chapters="none", photo_s=1.0))
    result = render_film(plan, tmp_path / "film.mp4", resolve=lambda key: media / key, cache_dir=tmp_path / "c")
    assert [moment_id for moment_id, _ in result.skipped] == ["paired", "broken"]
    assert "could not be decoded" in result.skipped[1][1]
    frames = video_frames(result.video_path)
    timeline = kept_timeline(plan, {"l-paired+broken"})
    assert len(frames) == list(timeline.values())[-1][0] + list(timeline.values())[-1][1]

    def middle(segment_id: str) -> np.ndarray:
        start, count = timeline[segment_id]
        return frames[start + count // 2]

    (left_x, _, left_w, _), (right_x, _, right_w, _) = lane_boxes(128, 72)
    pair = middle("l-customer+employee")
    assert close_to(pair[24, left_x + left_w // 2], "red") and close_to(pair[24, right_x + right_w // 2], "green")
    alone = middle("l-later+_")
    assert close_to(alone[24, left_x + left_w // 2], "blue")
    # the empty employee lane is its placeholder: the brand colour dimmed, not a picture
    expected = placeholder_image("10:00", right_w, 72, plan.brand_color).getpixel((right_w - 4, 66))
    assert np.all(np.abs(alone[66, right_x + right_w - 4].astype(int) - np.array(expected)) < 20)

    samples, rate = sound(result.video_path)

    def rms(segment_id: str) -> float:
        start, count = timeline[segment_id]
        return float(np.sqrt(np.mean(samples[:, (start + 3) * rate // 10 : (start + count - 3) * rate // 10] ** 2)))

    assert rms("l-customer+employee") > 0.05 and rms("l-later+_") < 1e-3  # the employee's clip is heard
    assert "Klant: Zoë · 08:00\nKoffie\nMedewerker: Sem · 08:20" in result.vtt_path.read_text(encoding="utf-8")
    assert children() == []


def test_prune_cache_removes_old_entries_only(tmp_path: Path) -> None:
    import time

    from media_pipeline.film import prune_cache

    folder = tmp_path / "cache" / "film"
    old_dir, new_file = folder / "s-old", folder / "t-new.mp4"
    old_dir.mkdir(parents=True)
    (old_dir / "body.mp4").write_bytes(b"x")
    new_file.write_bytes(b"y")
    week_ago = time.time() - 7 * 86400
    os.utime(old_dir, (week_ago, week_ago))
    assert prune_cache(tmp_path / "cache", older_than_s=86400) == 1
    assert not old_dir.exists() and new_file.exists()
    assert prune_cache(tmp_path / "nothing", older_than_s=1) == 0


def test_segments_rendered_one_at_a_time_join_into_the_same_film(rendered: Rendered, tmp_path: Path) -> None:
    """What each machine does when a film is spread: render_segment for some segments, then one joins from the
    outcomes; an entry gone from the cache meanwhile is made again at the join, never lost."""
    from shutil import rmtree

    from media_pipeline.film import SegmentOutcome, render_segment

    plan, media = rendered.plan, rendered.root / "media"
    cache = tmp_path / "cache"
    outcomes = {i: render_segment(plan, i, resolve=lambda key: media / key, cache_dir=cache, threads=1)
                for i in range(len(plan.segments))}
    assert all(SegmentOutcome.from_dict(o.to_dict()) == o for o in outcomes.values())
    broken = [o for o in outcomes.values() if o.skipped]
    assert [m for o in broken for m, _ in o.skipped] == ["broken"] and all(not o.entry for o in broken)
    assert not any(o.cached for o in outcomes.values())
    gone = next(o for o in outcomes.values() if o.entry and not o.skipped)
    rmtree(cache / "film" / gone.entry)
    result = render_film(plan, tmp_path / "film.mp4", resolve=lambda key: media / key, cache_dir=cache,
                         outcomes=outcomes)
    assert result.duration_s == rendered.result.duration_s and result.skipped == rendered.result.skipped
    assert (cache / "film" / gone.entry / "done").exists()  # made again
    assert len(video_frames(result.video_path)) == len(video_frames(rendered.result.video_path))
