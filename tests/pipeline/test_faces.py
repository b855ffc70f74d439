"""Faces: found in real pictures and not in negatives, followed through a moving clip, hidden in every frame."""

from __future__ import annotations

import subprocess
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from media_pipeline.faces import FaceBox, default_detector, detect_clip, detect_photo
from media_pipeline.faces.blur import PAD, blur_faces, clip_blur_chains, clip_spans, clip_windows
from tests.facegen import astronaut, face_clip, face_photo, negatives
from tests.mediagen import FFMPEG


def covers(outer: FaceBox, inner: tuple[float, float, float, float], slack: float = 0.0) -> bool:
    x, y, w, h = inner
    return (outer.x <= x + slack and outer.y <= y + slack
            and outer.x + outer.w >= x + w - slack and outer.y + outer.h >= y + h - slack)


def detail(a: np.ndarray) -> float:
    """Mean absolute difference between neighbouring pixels: high for a face, near 0 once hidden."""
    a = a.astype(np.float32)
    return float(np.abs(np.diff(a, axis=0)).mean() + np.abs(np.diff(a, axis=1)).mean())


def region(a: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    h, w = a.shape[:2]
    x, y, bw, bh = box
    return a[int(y * h) + 1:int((y + bh) * h) - 1, int(x * w) + 1:int((x + bw) * w) - 1]


def outside(a: np.ndarray, box: tuple[float, float, float, float], pad: float) -> np.ndarray:
    """The pixels well away from the padded box (a 4 px margin for chroma subsampling)."""
    h, w = a.shape[:2]
    padded = FaceBox(*box).padded(pad)
    mask = np.ones((h, w), dtype=bool)
    mask[max(0, int(padded.y * h) - 4):int((padded.y + padded.h) * h) + 5,
         max(0, int(padded.x * w) - 4):int((padded.x + padded.w) * w) + 5] = False
    return a[mask]


def test_detection_finds_the_faces_in_real_pictures(tmp_path: Path) -> None:
    found = default_detector().detect(astronaut())
    assert len(found) == 1 and found[0].score > 0.8
    # her face, drawn by hand, and the detection overlap well
    assert found[0].iou(FaceBox(180 / 512, 55 / 512, 90 / 512, 125 / 512)) > 0.6
    truth = face_photo(tmp_path / "small.jpg", size=(480, 320), person_px=160)
    boxes = detect_photo(tmp_path / "small.jpg")
    assert len(boxes) == 1 and boxes[0].iou(FaceBox(*truth)) > 0.5


def test_detection_finds_no_face_in_negatives() -> None:
    detector = default_detector()
    for picture in negatives():
        assert detector.detect(picture) == []


def test_a_blurred_photo_hides_the_face_and_keeps_the_rest(tmp_path: Path) -> None:
    truth = face_photo(tmp_path / "p.jpg")
    original = Image.open(tmp_path / "p.jpg").convert("RGB")
    hidden = blur_faces(original, detect_photo(tmp_path / "p.jpg"))
    before, after = np.asarray(original), np.asarray(hidden)
    assert detail(region(after, truth)) < 0.25 * detail(region(before, truth))
    assert np.array_equal(outside(after, truth, PAD + 0.1), outside(before, truth, PAD + 0.1))
    hidden.save(tmp_path / "hidden.jpg")


def test_a_face_moving_and_growing_through_a_clip_is_covered_in_every_frame(tmp_path: Path) -> None:
    truths = face_clip(tmp_path / "walk.mp4", size=(320, 180), fps=10, duration_s=2.0)
    tracks = detect_clip(tmp_path / "walk.mp4")
    assert len(tracks) == 1  # one person, linked through the whole clip
    spans = [span for track in tracks for span in clip_spans(tuple(tuple(s) for s in track.spans()))]
    for n, truth in enumerate(truths):
        t = n / 10
        assert any(s.from_s <= t + 1e-6 and t <= s.to_s + 1e-6 and covers(s.box.padded(PAD), truth, 0.005)
                   for s in spans), f"frame {n} at {t:.1f} s is not covered"


def test_every_frame_of_a_blurred_clip_hides_the_face(tmp_path: Path) -> None:
    source = tmp_path / "walk.mkv"
    truths = face_clip(source, size=(320, 180), fps=10, duration_s=2.0, lossless=True)
    spans = [span for track in detect_clip(source) for span in clip_spans(tuple(tuple(s) for s in track.spans()))]
    chains = clip_blur_chains(spans, src="0:v", out="v", size=(320, 180), offset_s=0.0, tag="b")
    windows = clip_windows(spans, size=(320, 180), offset_s=0.0)
    assert len(windows) == 1  # one face, one chain
    out = tmp_path / "hidden.mkv"
    subprocess.run([FFMPEG, "-v", "error", "-y", "-i", str(source), "-filter_complex", ";".join(chains),
                    "-map", "[v]", "-c:v", "ffv1", str(out)], check=True)
    with av.open(str(source)) as a, av.open(str(out)) as b:
        pairs = list(zip(a.decode(video=0), b.decode(video=0), strict=True))
    assert len(pairs) == len(truths) == 20
    for n, ((fa, fb), truth) in enumerate(zip(pairs, truths, strict=True)):
        before, after = fa.to_ndarray(format="rgb24"), fb.to_ndarray(format="rgb24")
        assert detail(region(after, truth)) < 0.35 * detail(region(before, truth)), f"frame {n} shows the face"
        # only the windows hiding a face at this time changed (ffv1 is lossless), and they are not much larger
        # than the face: a moving face is followed, not hidden by one box over its whole way (here it crosses a
        # third of the frame a second, so the padded face (2.25x) and its motion in one look (~4x) is the size)
        t = n / 10
        mask = np.ones(before.shape[:2], dtype=bool)
        for window in windows:
            at = window.at(t)
            if at is not None:
                x, y = at
                mask[max(0, y - 2):y + window.h + 2, max(0, x - 2):x + window.w + 2] = False
                assert window.w * window.h < 12 * (truth[2] * 320) * (truth[3] * 180), f"frame {n}: window too big"
        assert np.array_equal(before[mask], after[mask]), f"frame {n} changed away from the face"
        if n == 10:
            Image.fromarray(after).save(tmp_path / "frame10.png")


@pytest.mark.parametrize("name", ["noise"])
def test_a_clip_without_faces_has_no_tracks(tmp_path: Path, name: str) -> None:
    frames = negatives((160, 96))[0]
    path = tmp_path / f"{name}.mp4"
    subprocess.run([FFMPEG, "-v", "error", "-y", "-loop", "1", "-i", "-", "-t", "1", "-r", "10", "-c:v", "libx264",
                    "-pix_fmt", "yuv420p", str(path)], input=_png(frames), check=True)
    assert detect_clip(path) == []


def _png(img: Image.Image) -> bytes:
    import io

    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def test_a_collage_tile_hides_the_face_and_the_plan_keeps_what_it_hid(tmp_path: Path) -> None:
    from datetime import datetime

    from media_pipeline.collage.model import CollagePlan
    from media_pipeline.plan import CollageOptions, build_collage_plan, render_collage
    from media_pipeline.types import Moment, ProjectInfo

    truth = face_photo(tmp_path / "p.jpg", size=(480, 320), person_px=240)
    spans = tuple((0.0, 0.0, *b.as_list()[:4]) for b in detect_photo(tmp_path / "p.jpg"))
    project = ProjectInfo(title="Dag", date="2024-07-24")
    options = CollageOptions(layout="grid", width=480, height=320, labels=False, title=False)
    shots = {}
    for name, faces in (("plain", ()), ("hidden", spans)):
        moment = Moment("p", "p.jpg", "photo", 480, 320, datetime(2024, 7, 24, 9), faces=faces)
        plan = build_collage_plan([moment], project, options)
        assert CollagePlan.from_dict(plan.to_dict()) == plan  # what was hidden survives the stored plan
        assert ("faces" in plan.to_dict()["tiles"][0]) == bool(faces)
        out = render_collage(plan, tmp_path / f"{name}.png", resolve=lambda key: tmp_path / key, workers=1)
        tile = plan.tiles[0]
        x, y, w, h = tile.rect
        left, top, right, bottom = tile.crop
        # the face box in collage pixels: through the tile's crop and place
        fx, fy, fw, fh = truth
        box = ((x + (fx - left) / (right - left) * w) / plan.width, (y + (fy - top) / (bottom - top) * h) / plan.height,
               fw / (right - left) * w / plan.width, fh / (bottom - top) * h / plan.height)
        shots[name] = (np.asarray(Image.open(out).convert("RGB")), box)
    (plain, box), (hidden, _) = shots["plain"], shots["hidden"]
    assert detail(region(hidden, box)) < 0.3 * detail(region(plain, box))
    assert np.abs(outside(plain, box, PAD + 0.1).astype(int) - outside(hidden, box, PAD + 0.1).astype(int)).max() <= 8


def test_every_frame_of_a_clip_in_a_film_hides_the_face(tmp_path: Path) -> None:
    from datetime import datetime

    from media_pipeline.film import FilmOptions, build_film_plan, render_film
    from media_pipeline.types import Moment, ProjectInfo

    truths = face_clip(tmp_path / "walk.mp4", size=(320, 180), fps=10, duration_s=2.0)
    spans = tuple(tuple(s) for track in detect_clip(tmp_path / "walk.mp4") for s in track.spans())
    options = FilmOptions(width=320, height=180, fps=10, photo_s=1.0, transition_s=0.2, quality="final")
    films = {}
    for name, faces in (("plain", ()), ("hidden", spans)):
        moment = Moment("c", "walk.mp4", "clip", 320, 180, datetime(2024, 7, 24, 9), duration_s=2.0, faces=faces)
        plan = build_film_plan([moment], ProjectInfo(title="Dag", date="2024-07-24"), options)
        result = render_film(plan, tmp_path / f"{name}.mp4", resolve=lambda key: tmp_path / key,
                             cache_dir=tmp_path / "cache")
        with av.open(str(result.video_path)) as film:
            films[name] = [f.to_ndarray(format="rgb24") for f in film.decode(video=0)]
        [seg] = [s for s in plan.segments if s.kind == "clip"]
    t = plan.transition_frames
    shown = range(seg.start_frame + t, seg.start_frame + min(seg.frames, len(truths)) - t)  # not under crossfades
    assert len(shown) >= 14
    for n in shown:
        clip_frame = n - seg.start_frame + round((seg.clip_in_s or 0) * 10)
        truth = truths[clip_frame]
        plain, hidden = films["plain"][n], films["hidden"][n]
        assert detail(region(hidden, truth)) < 0.4 * detail(region(plain, truth)), f"film frame {n} shows the face"


def test_a_missing_model_says_how_to_install_it(tmp_path: Path) -> None:
    from media_pipeline.faces.detect import CenterFace
    from media_pipeline.faces.model import ModelMissing

    with pytest.raises(ModelMissing, match=r"python -m media_pipeline\.faces\.model"):
        CenterFace(tmp_path / "centerface.onnx")
