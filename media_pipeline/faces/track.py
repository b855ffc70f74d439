"""Faces through a clip: detect a few frames a second, link the boxes into tracks, cover the frames between.

Between two detections a face is assumed to move in a straight line; the box that covers it in that
stretch is the union of its two ends (padded), so every frame in between is covered without detecting
on every frame. Before its first and after its last detection a track is held one step longer, because
the face may have come in or gone out anywhere between two looks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import av
from PIL import Image

from media_pipeline.faces.detect import DETECT_LONG_SIDE_PX, FaceBox, FaceDetector, default_detector
from media_pipeline.images import display_rotation_ccw, video_stream
from media_pipeline.types import MediaError

DETECTIONS_PER_S = 3.0
# a box links to a track when it overlaps the track's last box this much, or its centre moved less than this
# fraction of the box's size (fast walkers overlap little between looks 1/3 s apart)
LINK_IOU = 0.2
LINK_CENTRE = 1.0


@dataclass(frozen=True)
class FaceTrack:
    """One face through a clip: (time s from the clip's start, box) at each detection, in time order."""

    boxes: tuple[tuple[float, FaceBox], ...]
    step_s: float  # the longest time between two looks

    @property
    def score(self) -> float:
        return max(box.score for _, box in self.boxes)

    def spans(self) -> list[list[float]]:
        """[from s, to s, x, y, w, h] stretches that together cover the face at every frame it is in."""
        first_t, first = self.boxes[0]
        last_t, last = self.boxes[-1]
        step_s = self.step_s
        before, after = first, last
        if len(self.boxes) > 1:  # moving on as it moved: where it was a step before it was first seen, and after
            (t0, b0), (t1, b1) = self.boxes[0], self.boxes[1]
            before = first.union(_moved(b0, b1, -step_s / max(1e-3, t1 - t0)))
            (t0, b0), (t1, b1) = self.boxes[-2], self.boxes[-1]
            after = last.union(_moved(b0, b1, 1 + step_s / max(1e-3, t1 - t0)))
        out = [(max(0.0, first_t - step_s), first_t, before)]
        for (t0, b0), (t1, b1) in pairwise(self.boxes):
            out.append((t0, t1, b0.union(b1)))
        out.append((last_t, last_t + step_s, after))
        return [[round(t0, 3), round(t1, 3), *box.as_list()[:4]] for t0, t1, box in out]


def _moved(a: FaceBox, b: FaceBox, f: float) -> FaceBox:
    """The box on the straight line from `a` (f=0) to `b` (f=1), at `f` (beyond 1 or below 0: extrapolated)."""
    return FaceBox(a.x + (b.x - a.x) * f, a.y + (b.y - a.y) * f, max(0.0, a.w + (b.w - a.w) * f),
                   max(0.0, a.h + (b.h - a.h) * f), b.score)


def _linked(track: list[tuple[float, FaceBox]], box: FaceBox) -> float:
    """How well `box` continues the track (higher is better; 0 = not at all)."""
    _, last = track[-1]
    iou = last.iou(box)
    dx = (last.x + last.w / 2) - (box.x + box.w / 2)
    dy = (last.y + last.h / 2) - (box.y + box.h / 2)
    moved = (dx * dx + dy * dy) ** 0.5 / max(1e-6, max(last.w, last.h))
    if iou >= LINK_IOU or moved <= LINK_CENTRE:
        return iou + 1.0 / (1.0 + moved)
    return 0.0


def track_faces(looks: list[tuple[float, list[FaceBox]]], *, step_s: float) -> list[FaceTrack]:
    """Link per-look boxes into tracks (greedy, best match first). A face unseen for more than two looks
    starts a new track."""
    open_tracks: list[list[tuple[float, FaceBox]]] = []
    done: list[list[tuple[float, FaceBox]]] = []
    for t, boxes in looks:
        still = [tr for tr in open_tracks if t - tr[-1][0] <= 2.5 * step_s]
        done += [tr for tr in open_tracks if tr not in still]
        pairs = sorted(((_linked(tr, box), i, j) for i, tr in enumerate(still) for j, box in enumerate(boxes)),
                       reverse=True)
        used_tracks: set[int] = set()
        used_boxes: set[int] = set()
        for value, i, j in pairs:
            if value <= 0 or i in used_tracks or j in used_boxes:
                continue
            still[i].append((t, boxes[j]))
            used_tracks.add(i)
            used_boxes.add(j)
        open_tracks = still + [[(t, box)] for j, box in enumerate(boxes) if j not in used_boxes]
    return [FaceTrack(tuple(tr), step_s) for tr in done + open_tracks]


def _small_upright(frame: av.VideoFrame, stream: av.video.stream.VideoStream) -> Image.Image:
    scale = min(1.0, DETECT_LONG_SIDE_PX / max(frame.width, frame.height))
    # scaled by ffmpeg's swscale before it becomes a Python image: a 4K frame costs little more than 720p
    small = frame.reformat(width=max(2, round(frame.width * scale)), height=max(2, round(frame.height * scale)),
                           format="rgb24").to_image()
    ccw = display_rotation_ccw(frame, stream)
    return small.rotate(ccw, expand=True) if ccw else small


def _looks(path: Path, every_s: float) -> Iterator[tuple[float, Image.Image]]:
    """(time s, small upright RGB image) every `every_s` seconds of the clip, and at its last frame."""
    try:
        with av.open(str(path)) as container:
            stream = video_stream(container)
            if stream is None:
                raise MediaError(f"We could not find a picture in the video {path.name}.", code="unreadable")
            stream.thread_type = "AUTO"
            start = float(stream.start_time * stream.time_base) if stream.start_time and stream.time_base else 0.0
            due = 0.0
            unseen: tuple[float, av.VideoFrame] | None = None
            for frame in container.decode(stream):
                t = (float(frame.time) if frame.time is not None else 0.0) - start
                if t + 1e-3 < due:
                    unseen = (t, frame)
                    continue
                unseen = None
                yield t, _small_upright(frame, stream)
                due = t + every_s
            if unseen is not None:  # the last frame too: a face walking on after the last look is followed
                yield unseen[0], _small_upright(unseen[1], stream)
    except av.FFmpegError as exc:
        raise MediaError(f"We could not read the video {path.name}.", code="unreadable") from exc


def detect_clip(path: Path, *, detector: FaceDetector | None = None,
                per_s: float = DETECTIONS_PER_S) -> list[FaceTrack]:
    """Faces through a clip file: `per_s` looks a second, linked into tracks (times from the clip's start)."""
    found = detector or default_detector()
    looks = [(t, found.detect(img)) for t, img in _looks(path, 1.0 / per_s)]
    return track_faces(looks, step_s=look_step_s(looks, per_s))


def look_step_s(looks: list[tuple[float, list[FaceBox]]], per_s: float = DETECTIONS_PER_S) -> float:
    """The longest time between two looks (looks fall on frames, so a step is often a little over 1 / per_s)."""
    gaps = [b[0] - a[0] for a, b in pairwise(looks)]
    return max([1.0 / per_s, *gaps])
