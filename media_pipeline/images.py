"""Decoding at the size needed (draft mode, EXIF orientation, HEIC, colour modes); clip frames; thumbnails."""

from __future__ import annotations

import functools
import io
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import av
import pillow_heif
from PIL import Image, ImageCms, ImageOps

from media_pipeline.types import Kind, MediaError

pillow_heif.register_heif_opener()

NEUTRAL_BG = (128, 128, 128)
THUMBNAIL_PX = 480
PREVIEW_PX = 1920
THUMBNAIL_RESAMPLE = Image.Resampling.BICUBIC
# A frame whose mean luma (0-255) is below this counts as black (fade-ins, a hand over the lens).
BLACK_MEAN_LUMA = 24.0
# How far past `near_s` the poster search looks for a non-black frame.
POSTER_SEARCH_S = 3.0
JPEG_QUALITY = 85
WEBP_QUALITY = 80


def _has_alpha(img: Image.Image) -> bool:
    return img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (img.mode == "P" and "transparency" in img.info)


def _flatten(img: Image.Image) -> Image.Image:
    """RGB, with any alpha laid on a neutral grey (CMYK, 16-bit, palette and LA all end up RGB)."""
    if _has_alpha(img):
        rgba = img.convert("RGBA")
        bg = Image.new("RGB", rgba.size, NEUTRAL_BG)
        bg.paste(rgba, mask=rgba.getchannel("A"))
        return bg
    if img.mode == "I;16" or img.mode.startswith("I;16") or img.mode == "I":
        img = img.point(lambda v: v / 256).convert("L")  # 16-bit to 8-bit keeps the tones
    return img.convert("RGB") if img.mode != "RGB" else img


_SRGB = ImageCms.createProfile("sRGB")


@functools.lru_cache(maxsize=16)
def _to_srgb(icc: bytes, mode: str) -> ImageCms.ImageCmsTransform | None:
    """A colour transform from an embedded profile to sRGB; None when already sRGB or unusable.

    Phones write Display P3 (iPhone) and print files CMYK profiles: shown as if sRGB they look dull
    or off. Transforms are cached by profile (a few KB each), never the images.
    """
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in ImageCms.getProfileDescription(profile).lower().replace(" ", ""):
            return None
        out_mode = "RGBA" if mode == "RGBA" else "RGB"
        return ImageCms.buildTransform(profile, _SRGB, mode, out_mode)
    except (OSError, ValueError, ImageCms.PyCMSError):
        return None  # a broken profile: show the pixels as they are rather than fail


def _in_srgb(img: Image.Image) -> Image.Image:
    icc = img.info.get("icc_profile")
    if not icc or img.mode not in ("RGB", "RGBA", "CMYK"):
        return img
    transform = _to_srgb(icc, img.mode)
    if transform is None:
        return img
    converted = ImageCms.applyTransform(img, transform)
    assert converted is not None
    converted.info = {k: v for k, v in img.info.items() if k != "icc_profile"}  # keeps "exif" for orientation
    return converted


def open_image(
    path: Path,
    *,
    fit: tuple[int, int] | None = None,
    long_side: int | None = None,
    keep_alpha: bool = False,
) -> Image.Image:
    """An upright RGB image; with `fit`, decoded no larger than needed to cover `fit` (w, h) px.

    `long_side` (px) instead asks for an image whose longer side is at least that long (thumbnails,
    previews), whatever its orientation. `keep_alpha` returns an image with transparency as RGBA
    (logos) instead of flattening it on grey. JPEG draft mode decodes at 1/2, 1/4 or 1/8 scale when the
    target is that much smaller; the requested draft size accounts for orientation so portrait photos
    are reduced too. An embedded colour profile (Display P3, CMYK) is converted to sRGB. The result
    is not resized further: use `fit_within` for an exact size.
    """
    with Image.open(path) as img:
        img.seek(0)  # first frame of a GIF
        if img.format == "JPEG" and (fit is not None or long_side is not None):
            if long_side is not None:
                scale = long_side / max(img.size)  # the long side does not depend on orientation
            else:
                assert fit is not None
                orientation = img.getexif().get(0x0112, 1)
                fw, fh = fit
                if orientation in (5, 6, 7, 8):
                    fw, fh = fh, fw
                scale = max(fw / img.width, fh / img.height)
            if scale < 1:
                img.draft("RGB", (max(1, int(img.width * scale)), max(1, int(img.height * scale))))
        img.load()
        coloured = _in_srgb(img)
        upright = ImageOps.exif_transpose(coloured) or coloured
        if keep_alpha and _has_alpha(upright):
            return upright.convert("RGBA")
        return _flatten(upright)


def fit_within(img: Image.Image, long_side: int,
               resample: Image.Resampling = Image.Resampling.LANCZOS) -> Image.Image:
    """A copy no longer than `long_side` on its longer side (never enlarged)."""
    scale = long_side / max(img.size)
    if scale >= 1:
        return img.copy()
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    return img.resize(size, resample)


def video_stream(container: av.container.InputContainer) -> av.video.stream.VideoStream | None:
    """The clip's picture: the first video stream that is not an attached cover picture or thumbnail."""
    still = av.stream.Disposition.attached_pic | av.stream.Disposition.timed_thumbnails
    for stream in container.streams.video:
        if not int(stream.disposition) & int(still):
            return stream
    return None


def _video_stream_of(container: av.container.InputContainer, path: Path) -> av.video.stream.VideoStream:
    stream = video_stream(container)
    if stream is None:
        raise MediaError(f"We could not find a picture in the video {path.name}.", code="unreadable")
    stream.thread_type = "AUTO"
    return stream


def display_rotation_ccw(frame: av.VideoFrame, stream: av.video.stream.VideoStream) -> int:
    """Degrees counter-clockwise (0, 90, 180, 270) to turn a decoded frame upright for display.

    The display matrix (what phones write) comes with the frame; an old-style `rotate` tag (degrees
    clockwise) on the stream is the fallback.
    """
    ccw = int(getattr(frame, "rotation", 0) or 0)
    if ccw == 0:
        tag = stream.metadata.get("rotate", "0")
        ccw = -int(float(tag)) if tag.lstrip("-").replace(".", "", 1).isdigit() else 0
    return (round(ccw / 90) * 90) % 360


def _upright(frame: av.VideoFrame, stream: av.video.stream.VideoStream) -> Image.Image:
    img = frame.to_image()
    ccw = display_rotation_ccw(frame, stream)
    if ccw:
        img = img.rotate(ccw, expand=True)  # Pillow's rotate is counter-clockwise too
    return img.convert("RGB")


def _frames_from(
    container: av.container.InputContainer,
    stream: av.video.stream.VideoStream,
    at_s: float,
    *,
    rewind: bool = False,
) -> Iterator[tuple[av.VideoFrame, float]]:
    """Decoded frames with their time (s), from the keyframe before `at_s` on (`rewind`: seek even to 0)."""
    if (at_s > 0 or rewind) and stream.time_base is not None:
        container.seek(int(at_s / stream.time_base), stream=stream, backward=True)
    for frame in container.decode(stream):
        yield frame, float(frame.time) if frame.time is not None else 0.0


def clip_frame(path: Path, *, at_s: float = 1.0, fit: tuple[int, int] | None = None) -> Image.Image:
    """The frame at (or just after) `at_s` seconds, upright (display rotation applied), RGB.

    Past the end it is the last frame. Raises MediaError (a ValueError) when there is no frame.
    """
    with av.open(str(path)) as container:
        stream = _video_stream_of(container, path)
        chosen: av.VideoFrame | None = None
        for frame, t in _frames_from(container, stream, at_s):
            chosen = frame
            if t + 1e-3 >= at_s:
                break
        if chosen is None:
            raise MediaError(f"We could not find a picture in the video {path.name}.", code="unreadable")
        img = _upright(chosen, stream)
    if fit is not None:
        img = fit_within(img, max(fit))
    return img


def _mean_luma(frame: av.VideoFrame) -> float:
    small = frame.reformat(width=32, height=18, format="gray")  # cheap: no full-size RGB conversion
    return float(small.to_ndarray().mean())


def _clip_duration_s(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return 0.0


def poster_frame(src: Path, *, near_s: float = 1.0) -> Image.Image:
    """The first non-black frame at or after `near_s` seconds, upright, RGB, at the coded resolution.

    A clip shorter than 2 x `near_s` is looked at from its middle. The search goes up to
    POSTER_SEARCH_S seconds on, then from the start; an all-black clip gives its frame at `near_s`.
    Raises MediaError when the clip has no decodable frame.
    """
    try:
        with av.open(str(src)) as container:
            stream = _video_stream_of(container, src)
            duration = _clip_duration_s(container, stream)
            start = min(near_s, duration / 2) if duration > 0 else near_s
            fallback: av.VideoFrame | None = None
            passes = [(start, start + POSTER_SEARCH_S)] + ([(0.0, start)] if start > 0 else [])
            for number, (first_s, until_s) in enumerate(passes):
                for frame, t in _frames_from(container, stream, first_s, rewind=number > 0):
                    if t + 1e-3 < first_s:
                        continue
                    if t > until_s:
                        break
                    if fallback is None:
                        fallback = frame
                    if _mean_luma(frame) >= BLACK_MEAN_LUMA:
                        return _upright(frame, stream)
            if fallback is None:
                raise MediaError(f"We could not find a picture in the video {src.name}.", code="unreadable")
            return _upright(fallback, stream)
    except av.FFmpegError as exc:
        raise MediaError(f"We could not read the video {src.name}.", code="unreadable") from exc


def _save_atomic(img: Image.Image, dest: Path) -> None:
    """JPEG (or WebP for a .webp dest) with no metadata at all: no EXIF, no GPS, no XMP."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.stem}.", suffix=dest.suffix, dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            clean = img.convert("RGB")
            clean.info = {}  # Pillow writes only what save() is given, but keep nothing to pass on
            if dest.suffix.lower() == ".webp":
                clean.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
            else:
                clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def make_derived(src: Path, *, kind: Kind, outputs: Mapping[Path, int]) -> dict[Path, tuple[int, int]]:
    """Several derived files from one decode: `outputs` maps each dest to its long side (px).

    Returns each dest's (w, h) px; raises MediaError when the source cannot be decoded. Same rules as
    `make_thumbnail`. Use it to make a preview and a thumbnail together: a 12 MP HEIC takes ~1 s to
    decode on this machine, so decoding once matters.
    """
    if not outputs:
        return {}
    largest = max(outputs.values())
    try:
        img = poster_frame(src) if kind == "clip" else open_image(src, long_side=largest)
    except MediaError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, av.FFmpegError) as exc:
        # probe has vetted the file by now; this is a file changed or damaged since, not a crash
        raise MediaError(f"We could not make a preview of {src.name}; it may be damaged.", code="unreadable") from exc
    sizes: dict[Path, tuple[int, int]] = {}
    # largest first, each made from the previous one: scaling 1920 -> 480 is cheaper than 4032 -> 480
    for dest, long_side in sorted(outputs.items(), key=lambda item: -item[1]):
        # a thumbnail as Pillow's own thumbnail() makes it: bicubic (antialiased like Lanczos when scaling down,
        # a third cheaper; at 480 px the two cannot be told apart), so a rush of uploads is caught up sooner
        img = fit_within(img, long_side, THUMBNAIL_RESAMPLE if long_side <= THUMBNAIL_PX else Image.Resampling.LANCZOS)
        _save_atomic(img, dest)
        sizes[dest] = img.size
    return sizes


def make_thumbnail(src: Path, dest: Path, *, kind: Kind, long_side_px: int = THUMBNAIL_PX) -> tuple[int, int]:
    """Write a small upright JPEG/WebP of a photo (or of a clip's poster frame); returns its (w, h) px.

    The longer side is `long_side_px` (never enlarged). No EXIF or GPS is copied. `dest` is replaced
    atomically (temporary file in the same folder, then os.replace).
    """
    return make_derived(src, kind=kind, outputs={dest: long_side_px})[dest]


def make_preview(src: Path, dest: Path, *, kind: Kind, long_side_px: int = PREVIEW_PX) -> tuple[int, int]:
    """Write a screen-sized upright JPEG/WebP of a photo, or a clip's poster frame; returns (w, h) px.

    Same rules as `make_thumbnail`: longer side `long_side_px` (never enlarged), no metadata, atomic.
    """
    return make_derived(src, kind=kind, outputs={dest: long_side_px})[dest]
