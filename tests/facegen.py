"""Test media with real faces: scikit-image's astronaut (a photo that ships in the package), placed on a plain
canvas as a photo, or moving and growing through a clip; and face-free negatives."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data

from tests.mediagen import FFMPEG

# Eileen Collins' face in the 512 x 512 astronaut picture, px (left, top, right, bottom), drawn by hand
ASTRONAUT_FACE = (180, 55, 270, 180)
CANVAS = (64, 96, 80)  # a plain dark green: nothing face-like


def astronaut() -> Image.Image:
    return Image.fromarray(data.astronaut())


def face_photo(path: Path, *, size: tuple[int, int] = (480, 320), person_px: int = 240) -> tuple[float, ...]:
    """A JPEG of the astronaut (scaled to `person_px`) on a canvas; returns her face box as fractions (x, y, w, h)."""
    canvas = Image.new("RGB", size, CANVAS)
    person = astronaut().resize((person_px, person_px), Image.Resampling.LANCZOS)
    left, top = (size[0] - person_px) // 2, (size[1] - person_px) // 2
    canvas.paste(person, (left, top))
    canvas.save(path, quality=92)
    return _face_at(left, top, person_px, size)


def _face_at(left: float, top: float, person_px: float, size: tuple[int, int]) -> tuple[float, float, float, float]:
    s = person_px / 512
    x0, y0, x1, y1 = ASTRONAUT_FACE
    return ((left + x0 * s) / size[0], (top + y0 * s) / size[1], (x1 - x0) * s / size[0], (y1 - y0) * s / size[1])


def clip_frames(size: tuple[int, int], frames: int) -> list[tuple[Image.Image, tuple[float, float, float, float]]]:
    """Frames of the astronaut crossing the canvas left to right while growing, each with her face box."""
    w, h = size
    person = astronaut()
    out = []
    for n in range(frames):
        f = n / max(1, frames - 1)
        person_px = round(h * (0.7 + 0.25 * f))
        left = round((w - person_px) * f)
        top = (h - person_px) // 2
        canvas = Image.new("RGB", size, CANVAS)
        canvas.paste(person.resize((person_px, person_px), Image.Resampling.BILINEAR), (left, top))
        out.append((canvas, _face_at(left, top, person_px, size)))
    return out


def face_clip(path: Path, *, size: tuple[int, int] = (320, 180), fps: int = 10, duration_s: float = 2.0,
              lossless: bool = False) -> list[tuple[float, float, float, float]]:
    """An MP4 (or lossless MKV) of `clip_frames`; returns the face box of every frame."""
    frames = clip_frames(size, round(fps * duration_s))
    codec = ["-c:v", "ffv1"] if lossless else ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "18"]
    raw = b"".join(img.tobytes() for img, _ in frames)
    subprocess.run([FFMPEG, "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{size[0]}x{size[1]}",
                    "-r", str(fps), "-i", "-", *codec, "-pix_fmt", "yuv420p", str(path)], input=raw, check=True)
    return [box for _, box in frames]


def negatives(size: tuple[int, int] = (480, 320)) -> list[Image.Image]:
    """Pictures with no face: noise, a gradient, stripes."""
    w, h = size
    rng = np.random.default_rng(7)
    noise = Image.fromarray((rng.random((h, w, 3)) * 255).astype("uint8"))
    ramp = np.linspace(0, 255, w, dtype=np.uint8)
    gradient = Image.fromarray(np.stack([np.tile(ramp, (h, 1))] * 3, axis=-1))
    stripes = Image.fromarray(np.stack([(np.indices((h, w))[1] // 16 % 2 * 200).astype("uint8")] * 3, axis=-1))
    return [noise, gradient, stripes, Image.new("RGB", size, CANVAS)]
