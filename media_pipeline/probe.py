"""What a file is: its type from the bytes, displayed size, duration, audio and embedded capture time.

`sniff` looks at magic numbers only. `probe` then proves the type by decoding (a photo's pixels, a clip's
first and last frames) in a worker process (`media_pipeline.isolation`): a hung or crashing decoder is
killed at `timeout_s` and becomes a MediaError, and the caller never crashes. The workers are pooled and
have Pillow, pillow-heif and PyAV imported already, so isolation costs well under a millisecond a file
(`bench/probe.py`).
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import threading
import warnings
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from PIL import Image, UnidentifiedImageError

from media_pipeline import isolation
from media_pipeline.capture_time import exif_time, iso_time, utc_time, xmp_time
from media_pipeline.images import display_rotation_ccw, video_stream  # also registers the HEIF opener
from media_pipeline.types import CaptureTime, Kind, MediaError, MediaInfo

HEADER_BYTES = 4096
PIL_FORMAT = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP", "heic": "HEIF"}
AV_FORMAT = {"mp4": "mov", "mov": "mov", "3gp": "mov", "webm": "matroska"}

# ISO base media file brands (the "ftyp" box) and what we take them for
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}
_HEIF_GENERIC = {b"mif1", b"msf1"}
_MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso3",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"mp71",
    b"avc1",
    b"M4V ",
    b"M4VH",
    b"M4VP",
    b"dash",
    b"mmp4",
    b"MSNV",
    b"NDAS",
    b"XAVC",
    b"f4v ",
    b"hvc1",
}
_AUDIO_ONLY_BRANDS = {b"M4A ", b"M4B ", b"M4P "}
# QuickTime files older than the ftyp box start straight with one of these atoms
_QT_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}

# EXIF tags
_ORIENTATION = 0x0112
_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_DATETIME_ORIGINAL, _DATETIME_DIGITIZED = 0x9003, 0x9004
_OFFSET_ORIGINAL, _OFFSET_DIGITIZED = 0x9011, 0x9012
_SUBSEC_ORIGINAL, _SUBSEC_DIGITIZED = 0x9291, 0x9292

_ISO6709_RE = re.compile(r"^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)")


def sniff(path: Path) -> tuple[Kind, str, str] | None:
    """(kind, format, MIME type) from the file's first bytes, or None when it is no type we take.

    Formats: jpeg png gif webp heic (photos); mp4 mov 3gp webm (clips). The name is never looked at.
    """
    with open(path, "rb") as f:
        head = f.read(HEADER_BYTES)
    if head.startswith(b"\xff\xd8\xff"):
        return "photo", "jpeg", "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "photo", "png", "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "photo", "gif", "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "photo", "webp", "image/webp"
    if head[:4] == b"\x1a\x45\xdf\xa3":  # EBML: Matroska; only its WebM profile is ours
        return ("clip", "webm", "video/webm") if b"webm" in head[:64] else None
    if head[4:8] == b"ftyp":
        return _sniff_ftyp(head)
    if head[4:8] in _QT_ATOMS:
        return "clip", "mov", "video/quicktime"
    return None


def _sniff_ftyp(head: bytes) -> tuple[Kind, str, str] | None:
    size = int.from_bytes(head[:4], "big")
    box = head[8 : max(16, min(size, len(head)))]
    major = box[:4]
    brands = {major} | {box[i : i + 4] for i in range(8, len(box) - 3, 4)}
    if brands & _HEIF_BRANDS:
        return "photo", "heic", "image/heic"
    if major in _HEIF_GENERIC and b"avif" not in brands:
        return "photo", "heic", "image/heif"
    if major == b"qt  ":
        return "clip", "mov", "video/quicktime"
    if major.startswith(b"3g2"):
        return "clip", "3gp", "video/3gpp2"
    if major.startswith(b"3g"):
        return "clip", "3gp", "video/3gpp"
    if major in _AUDIO_ONLY_BRANDS:
        return None
    if major in _MP4_BRANDS or brands & {b"isom", b"mp41", b"mp42"}:
        return "clip", "mp4", "video/mp4"
    if b"qt  " in brands:
        return "clip", "mov", "video/quicktime"
    return None


def probe(
    path: Path,
    *,
    max_pixels: int = 100_000_000,
    max_duration_s: float | None = None,
    timeout_s: float = 30.0,
) -> MediaInfo:
    """What the file is: kind, format, displayed size (px), duration (s), audio, embedded capture time.

    The type comes from the bytes and a successful decode, never from the name. Sizes are as
    displayed (EXIF orientation / display rotation applied). Raises MediaError with `code`:
    "empty" (zero bytes), "unsupported" (no type we take), "unreadable" (corrupt, truncated, or not
    decoded within `timeout_s` seconds), "too_large" (more than `max_pixels` pixels, checked from the
    header before decoding) or "too_long" (a clip longer than `max_duration_s` seconds).
    """
    try:
        st = path.stat()
    except OSError as exc:
        raise MediaError("We could not find the uploaded file.", code="unreadable") from exc
    if not stat.S_ISREG(st.st_mode):  # a pipe or device would block the read below
        raise MediaError("This is not a file we can read.", code="unsupported")
    if st.st_size == 0:
        raise MediaError("This file is empty (0 bytes). Please try uploading it again.", code="empty")
    sniffed = sniff(path)
    if sniffed is None:
        raise MediaError(
            "This file is not a photo or video we can use. Please send a JPEG, PNG, HEIC, WebP or GIF "
            "photo, or an MP4, MOV, WebM or 3GP video.",
            code="unsupported",
        )
    # absolute: the child is forked from the fork server, whose working folder may differ from ours
    return _isolated(_probe_here, (os.path.abspath(path), sniffed, max_pixels, max_duration_s), timeout_s)


# --- running the decode apart from the caller ------------------------------------------------------


def _isolated(worker: Callable[..., MediaInfo], args: tuple[Any, ...], timeout_s: float) -> MediaInfo:
    """worker(*args) in a pooled worker process, killed after `timeout_s` s; any failure is a MediaError."""
    if not isolation.can_start_workers():
        return _in_thread(worker, args, timeout_s)
    try:
        return _unpack(isolation.run(_pack, (worker, args), timeout_s))
    except isolation.TimedOut:
        raise _timed_out() from None
    except isolation.Crashed as exc:  # the decoder crashed its worker before it could answer
        raise MediaError(
            "We could not read this file; it may be damaged. Please try another copy.", code="unreadable"
        ) from exc


def _pack(worker: Callable[..., MediaInfo], args: tuple[Any, ...]) -> tuple[Any, ...]:
    # MediaError's keyword-only `code` does not survive pickling; send plain values instead
    try:
        return ("ok", worker(*args))
    except MediaError as exc:
        return ("error", exc.message, exc.code)
    except Exception as exc:  # any decoder failure is an unreadable file, not a crash
        return ("error", _unreadable_text(), "unreadable", repr(exc))


def _unpack(reply: tuple[Any, ...]) -> MediaInfo:
    if reply[0] == "ok":
        return reply[1]
    raise MediaError(reply[1], code=reply[2])


def _in_thread(worker: Callable[..., MediaInfo], args: tuple[Any, ...], timeout_s: float) -> MediaInfo:
    result: list[tuple[Any, ...]] = []
    thread = threading.Thread(target=lambda: result.append(_pack(worker, args)), daemon=True)
    thread.start()
    thread.join(timeout_s)
    if not result:
        raise _timed_out()  # the thread cannot be killed; it is a daemon and ends with its decode
    return _unpack(result[0])


def _timed_out() -> MediaError:
    return MediaError("Reading this file took too long; it may be damaged. Please try another copy.", code="unreadable")


def _unreadable_text(kind: str = "file") -> str:
    return f"We could not read this {kind}; it may be damaged or incomplete. Please try uploading it again."


# --- the work itself (runs in the child) -----------------------------------------------------------


def _probe_here(
    path_text: str, sniffed: tuple[Kind, str, str], max_pixels: int, max_duration_s: float | None
) -> MediaInfo:
    path = Path(path_text)
    kind, fmt, mime = sniffed
    if kind == "photo":
        return _probe_photo(path, fmt, mime, max_pixels)
    return _probe_clip(path, fmt, mime, max_pixels, max_duration_s)


def _too_large(pixels: int, max_pixels: int, kind: str) -> MediaError:
    return MediaError(
        f"This {kind} is too large ({_pixels_text(pixels)}); the limit is {_pixels_text(max_pixels)}. "
        "Please send a smaller version.",
        code="too_large",
    )


def _pixels_text(pixels: int) -> str:
    return f"{pixels / 1e6:.0f} megapixels" if pixels >= 1_000_000 else f"{pixels:,} pixels"


def _probe_photo(path: Path, fmt: str, mime: str, max_pixels: int) -> MediaInfo:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            img = Image.open(path, formats=[PIL_FORMAT[fmt]])  # reads the header only
        except Image.DecompressionBombError as exc:
            # Pillow's own limit, met before ours could be checked: the same answer
            raise _too_large(_header_pixels(str(exc)), max_pixels, "photo") from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise MediaError(_unreadable_text("photo"), code="unreadable") from exc
        with img:
            w, h = img.size
            if w <= 0 or h <= 0:
                raise MediaError(_unreadable_text("photo"), code="unreadable")
            if w * h > max_pixels:
                raise _too_large(w * h, max_pixels, "photo")
            exif = img.getexif()
            captured = _photo_time(exif, img.info)
            gps = _exif_gps(exif)
            if fmt == "heic":
                # pillow-heif turns the picture upright itself and resets the EXIF orientation to 1
                orientation = int(img.info.get("original_orientation") or exif.get(_ORIENTATION, 1) or 1)
                shown = (w, h)
            else:
                orientation = int(exif.get(_ORIENTATION, 1) or 1)
                shown = (h, w) if orientation in (5, 6, 7, 8) else (w, h)
            try:
                img.seek(0)
                if fmt == "jpeg":
                    img.draft("RGB", (max(1, w // 8), max(1, h // 8)))  # proves the bytes at 1/8 scale
                img.load()
            except Exception as exc:
                raise MediaError(_unreadable_text("photo"), code="unreadable") from exc
    return MediaInfo(
        kind="photo",
        format=fmt,
        mime=mime,
        width=shown[0],
        height=shown[1],
        orientation=orientation if 1 <= orientation <= 8 else 1,
        captured=captured,
        gps=gps,
    )


def _header_pixels(message: str) -> int:
    found = re.search(r"\((\d+) pixels\)", message)
    return int(found[1]) if found else 0


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value)


def _photo_time(exif: Image.Exif, info: dict[str | tuple[int, int], Any]) -> CaptureTime | None:
    """EXIF DateTimeOriginal (then DateTimeDigitized) with sub-seconds and offset; else XMP dates."""
    ifd = exif.get_ifd(_EXIF_IFD)
    for when, subsec, offset in (
        (_DATETIME_ORIGINAL, _SUBSEC_ORIGINAL, _OFFSET_ORIGINAL),
        (_DATETIME_DIGITIZED, _SUBSEC_DIGITIZED, _OFFSET_DIGITIZED),
    ):
        found = exif_time(_text(ifd.get(when)), subsec=_text(ifd.get(subsec)), offset=_text(ifd.get(offset)))
        if found is not None:
            return found
    return xmp_time(_text(info.get("xmp") or info.get("XML:com.adobe.xmp")))


def _exif_gps(exif: Image.Exif) -> tuple[float, float] | None:
    gps = exif.get_ifd(_GPS_IFD)
    try:
        lat = _degrees(gps[2], _text(gps.get(1)) or "N")
        lon = _degrees(gps[4], _text(gps.get(3)) or "E")
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return (round(lat, 7), round(lon, 7))


def _degrees(dms: Any, ref: str) -> float:
    d, m, s = (float(x) for x in dms)
    value = d + m / 60 + s / 3600
    return -value if ref.strip("\x00 ").upper() in ("S", "W") else value


def _probe_clip(path: Path, fmt: str, mime: str, max_pixels: int, max_duration_s: float | None) -> MediaInfo:
    try:
        container = av.open(str(path), format=AV_FORMAT[fmt], metadata_errors="ignore")
    except av.FFmpegError as exc:
        raise MediaError(_unreadable_text("video"), code="unreadable") from exc
    with container:
        stream = video_stream(container)
        if stream is None:
            raise MediaError("This file has no picture, only sound. Please send a video.", code="unsupported")
        codec = stream.codec_context
        if not codec.width or not codec.height:
            raise MediaError(_unreadable_text("video"), code="unreadable")
        if codec.width * codec.height > max_pixels:
            raise _too_large(codec.width * codec.height, max_pixels, "video")
        duration = _duration_s(container, stream)
        _check_length(duration, max_duration_s)
        first = _first_frame(container, stream)
        if first is None:
            raise MediaError(_unreadable_text("video"), code="unreadable")
        ccw = display_rotation_ccw(first, stream)
        video_end = _video_end_s(stream) or duration  # the sound may run on past the picture
        if video_end is not None and video_end > 1.0 and not _reaches(container, stream, video_end - 1.0):
            # the index promises more than the bytes hold: an upload cut off half-way
            raise MediaError(_unreadable_text("video"), code="unreadable")
        if duration is None:
            duration = _duration_by_demuxing(container, stream)
            _check_length(duration, max_duration_s)
        audio = container.streams.audio[0] if container.streams.audio else None
        w, h = codec.width, codec.height
        return MediaInfo(
            kind="clip",
            format=fmt,
            mime=mime,
            width=h if ccw in (90, 270) else w,
            height=w if ccw in (90, 270) else h,
            duration_s=round(duration, 3) if duration is not None else None,
            has_audio=audio is not None,
            fps=_fps(stream, duration),
            rotation=(360 - ccw) % 360,
            video_codec=codec.name,
            audio_codec=audio.codec_context.name if audio is not None else None,
            captured=_clip_time(container),
            gps=_iso6709(container.metadata),
        )


def _check_length(duration_s: float | None, max_duration_s: float | None) -> None:
    if max_duration_s is not None and duration_s is not None and duration_s > max_duration_s:
        raise MediaError(
            f"This video is {_minutes_text(duration_s)} long; the limit is {_minutes_text(max_duration_s)}. "
            "Please trim it or send a shorter one.",
            code="too_long",
        )


def _minutes_text(seconds: float) -> str:
    if seconds < 120:
        return "1 second" if round(seconds) == 1 else f"{seconds:.0f} seconds"
    return f"{seconds / 60:.1f} minutes"


def _duration_s(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> float | None:
    if container.duration is not None and container.duration > 0:
        return container.duration / av.time_base
    if stream.duration is not None and stream.time_base is not None and stream.duration > 0:
        return float(stream.duration * stream.time_base)
    return None


def _duration_by_demuxing(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> float | None:
    """Browser-recorded WebM often has no duration in its header: find the last packet's time."""
    container.seek(0)
    last = None
    for packet in container.demux(stream):
        if packet.pts is not None and packet.time_base is not None:
            end = float((packet.pts + (packet.duration or 0)) * packet.time_base)
            last = end if last is None else max(last, end)
    return last


def _first_frame(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> av.VideoFrame | None:
    try:
        for frame in container.decode(stream):
            return frame
    except av.FFmpegError:
        return None
    return None


def _video_end_s(stream: av.video.stream.VideoStream) -> float | None:
    if stream.duration is None or stream.time_base is None or stream.duration <= 0:
        return None
    return float((stream.duration + (stream.start_time or 0)) * stream.time_base)


def _reaches(container: av.container.InputContainer, stream: av.video.stream.VideoStream, at_s: float) -> bool:
    """True when the bytes hold a video packet at or after `at_s` s (demuxed, not decoded: cheap)."""
    if stream.time_base is None:  # no clock to seek by (at_s came from the container): nothing to hold against it
        return True
    try:
        container.seek(int(at_s / stream.time_base), stream=stream, backward=True)
        for packet in container.demux(stream):
            if packet.size and packet.pts is not None and float(packet.pts * packet.time_base) >= at_s:
                return True
    except av.FFmpegError:
        return False
    return False


def _fps(stream: av.video.stream.VideoStream, duration: float | None) -> float | None:
    """The average frame rate (frames/s); for a variable-frame-rate clip that is its mean rate."""
    for rate in (stream.average_rate, stream.guessed_rate):
        if isinstance(rate, Fraction) and rate > 0:
            return round(float(rate), 3)
    if stream.frames and duration:
        return round(stream.frames / duration, 3)
    return None


def _clip_time(container: av.container.InputContainer) -> CaptureTime | None:
    """iPhone's local com.apple.quicktime.creationdate, else the container's UTC creation_time."""
    meta = {k.lower(): v for k, v in container.metadata.items()}
    found = iso_time(meta.get("com.apple.quicktime.creationdate"), source="quicktime")
    if found is not None:
        return found
    candidates = [meta.get("creation_time")]
    candidates += [s.metadata.get("creation_time") for s in container.streams.video]
    for value in candidates:
        found = utc_time(value)
        if found is not None:
            return found
    return None


def _iso6709(meta: dict[str, str]) -> tuple[float, float] | None:
    for key in ("com.apple.quicktime.location.iso6709", "location"):
        value = next((v for k, v in meta.items() if k.lower() == key), None)
        if value:
            m = _ISO6709_RE.match(value.strip())
            if m:
                with contextlib.suppress(ValueError):
                    lat, lon = float(m[1]), float(m[2])
                    if -90 <= lat <= 90 and -180 <= lon <= 180:
                        return (lat, lon)
    return None
