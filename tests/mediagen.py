"""Small generated test media: photos with chosen EXIF, clips with chosen colours, audio and metadata.

Every test makes what it needs here, in tmp_path; nothing large is committed.
"""

from __future__ import annotations

import struct
import subprocess
from datetime import datetime
from pathlib import Path

import imageio_ffmpeg
from PIL import Image

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()

COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (220, 30, 30),
    "green": (30, 200, 60),
    "blue": (30, 60, 220),
    "yellow": (240, 220, 30),
    "magenta": (220, 40, 200),
    "cyan": (30, 210, 220),
    "orange": (245, 140, 20),
    "white": (245, 245, 245),
}


def exif_bytes(
    *,
    taken: datetime | None = None,
    offset: str | None = None,
    subsec: str | None = None,
    orientation: int | None = None,
    gps: tuple[float, float] | None = None,
) -> bytes:
    """EXIF with DateTimeOriginal (+ OffsetTimeOriginal, SubSecTimeOriginal), orientation and GPS."""
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    ifd = exif.get_ifd(0x8769)
    if taken is not None:
        ifd[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
    if offset is not None:
        ifd[0x9011] = offset  # OffsetTimeOriginal
    if subsec is not None:
        ifd[0x9291] = subsec  # SubSecTimeOriginal
    if gps is not None:
        lat, lon = gps
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd[1] = "N" if lat >= 0 else "S"
        gps_ifd[2] = _dms(abs(lat))
        gps_ifd[3] = "E" if lon >= 0 else "W"
        gps_ifd[4] = _dms(abs(lon))
    return exif.tobytes()


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 2)
    return (float(degrees), float(minutes), seconds)


def make_photo(
    path: Path,
    *,
    size: tuple[int, int] = (64, 48),
    colour: str | tuple[int, int, int] = "red",
    top_colour: str | tuple[int, int, int] | None = None,
    fmt: str | None = None,
    mode: str = "RGB",
    **exif: object,
) -> Path:
    """A solid photo (optionally a different top half) with EXIF from `exif_bytes(**exif)`."""
    rgb = COLOURS[colour] if isinstance(colour, str) else colour
    img = Image.new("RGB", size, rgb)
    if top_colour is not None:
        top = COLOURS[top_colour] if isinstance(top_colour, str) else top_colour
        img.paste(top, (0, 0, size[0], size[1] // 2))
    if mode != "RGB":
        img = img.convert(mode)
    fmt = fmt or {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".gif": "GIF"}.get(
        path.suffix.lower(), "JPEG"
    )
    kwargs: dict[str, object] = {}
    if exif and fmt in ("JPEG", "PNG", "WEBP"):
        kwargs["exif"] = exif_bytes(**exif)  # type: ignore[arg-type]
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
        if exif:
            kwargs["exif"] = exif_bytes(**exif)  # type: ignore[arg-type]
    img.save(path, fmt, **kwargs)
    return path


def make_clip(
    path: Path,
    *,
    size: tuple[int, int] = (64, 48),
    colour: str = "red",
    bottom_colour: str | None = None,
    duration_s: float = 1.0,
    fps: int = 10,
    audio: bool = True,
    audio_hz: int = 440,
    rotation: int | None = None,
    creation_time: str | None = None,
    metadata: dict[str, str] | None = None,
    vcodec: str = "libx264",
    corners: tuple[str, str, str, str] | None = None,
    vfr: bool = False,
    acodec: str | None = None,
    faststart: bool = False,
    black_until_s: float | None = None,
    pix_fmt: str = "yuv420p",
) -> Path:
    """A solid-colour clip (optionally a different bottom half) with a sine tone, written by ffmpeg.

    `rotation` writes a display matrix (degrees counter-clockwise, as ffmpeg's -display_rotation);
    `creation_time` is the container's UTC time (ISO 8601, e.g. 2024-07-24T05:15:30Z).
    `corners` paints the quadrants (top-left, top-right, bottom-left, bottom-right) of the coded picture;
    `vfr` drops frames 3-6 so frame times are irregular (a variable-frame-rate clip);
    `acodec` overrides the audio encoder (e.g. libopencore_amrnb for a classic 3GP, which needs 8 kHz);
    `vcodec` "vp9" picks VP9 for .webm; `faststart` puts the index (moov) first in MP4/MOV;
    `black_until_s` paints the picture black until that time (a fade-in, a hand over the lens);
    `pix_fmt` e.g. "yuv420p10le" with libx265 makes a 10-bit clip like an iPhone's HDR video.
    """
    r, g, b = COLOURS[colour]
    w, h = size
    video = f"color=c=0x{r:02x}{g:02x}{b:02x}:s={w}x{h}:d={duration_s}:r={fps}"
    if bottom_colour is not None:
        br, bg, bb = COLOURS[bottom_colour]
        video += f",drawbox=x=0:y=ih/2:w=iw:h=ih/2:color=0x{br:02x}{bg:02x}{bb:02x}:t=fill"
    if corners is not None:
        boxes = [("0", "0"), ("iw/2", "0"), ("0", "ih/2"), ("iw/2", "ih/2")]
        for (x, y), name in zip(boxes, corners, strict=True):
            cr, cg, cb = COLOURS[name]
            video += f",drawbox=x={x}:y={y}:w=iw/2:h=ih/2:color=0x{cr:02x}{cg:02x}{cb:02x}:t=fill"
    if black_until_s is not None:
        video += f",drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:enable='lt(t,{black_until_s})'"
    if vfr:
        video += ",select='not(between(n\\,3\\,6))'"
    sample_rate = 8000 if acodec == "libopencore_amrnb" else 44100
    cmd = [FFMPEG, "-y", "-loglevel", "error"]
    cmd += ["-f", "lavfi", "-i", video + ",format=yuv420p"]
    if audio:
        tone = f"sine=frequency={audio_hz}:duration={duration_s}:sample_rate={sample_rate}"
        cmd += ["-f", "lavfi", "-i", tone]
    suffix = path.suffix.lower()
    if suffix == ".webm":
        cmd += ["-c:v", "libvpx-vp9" if vcodec == "vp9" else "libvpx", "-b:v", "200k"]
        if audio:
            cmd += ["-c:a", acodec or "libopus"]
    else:
        cmd += ["-c:v", vcodec, "-pix_fmt", pix_fmt]
        if vcodec in ("libx264", "libx265"):
            cmd += ["-preset", "ultrafast"]
        if audio:
            cmd += ["-c:a", acodec or "aac"]
            cmd += ["-ac", "1", "-b:a", "12.2k"] if acodec == "libopencore_amrnb" else ["-b:a", "64k"]
    if vfr:
        cmd += ["-fps_mode", "vfr"]
    meta = _clip_metadata_args(suffix, creation_time, metadata, faststart)
    cmd += [*meta, "-shortest", str(path)]
    subprocess.run(cmd, check=True, capture_output=True)
    if rotation:
        rotated = path.with_name(path.stem + ".rot" + path.suffix)
        # the remux must write the metadata again: -map_metadata alone drops creation_time and mdta keys
        subprocess.run(
            [FFMPEG, "-y", "-loglevel", "error", "-display_rotation:v:0", str(rotation), "-i", str(path),
             "-c", "copy", "-map_metadata", "0", *meta, str(rotated)],
            check=True,
            capture_output=True,
        )
        rotated.replace(path)
    return path


def _clip_metadata_args(
    suffix: str, creation_time: str | None, metadata: dict[str, str] | None, faststart: bool
) -> list[str]:
    args: list[str] = []
    if creation_time:
        args += ["-metadata", f"creation_time={creation_time}"]
    for k, v in (metadata or {}).items():
        args += ["-metadata", f"{k}={v}"]
    flags = []
    if metadata and suffix in (".mov", ".mp4"):
        flags.append("use_metadata_tags")
    if faststart and suffix in (".mov", ".mp4", ".3gp"):
        flags.append("faststart")
    if flags:
        args += ["-movflags", "+".join(flags)]
    return args


# The upright picture of an oriented photo: four differently coloured quadrants, so every flip and turn
# shows (top-left, top-right, bottom-left, bottom-right).
QUADRANTS = ("red", "green", "blue", "yellow")

# What a camera stores for each EXIF orientation, given the upright picture (the inverse of what a
# viewer applies): 6 means "turn 90° clockwise to view", so the camera stored it turned 90° anticlockwise.
_STORED_FOR_ORIENTATION: dict[int, Image.Transpose | None] = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def quadrant_image(size: tuple[int, int], colours: tuple[str, str, str, str] = QUADRANTS) -> Image.Image:
    """An RGB picture of `size` (w, h) px with four solid quadrants (TL, TR, BL, BR)."""
    w, h = size
    img = Image.new("RGB", size)
    boxes = [(0, 0, w // 2, h // 2), (w // 2, 0, w, h // 2), (0, h // 2, w // 2, h), (w // 2, h // 2, w, h)]
    for box, name in zip(boxes, colours, strict=True):
        img.paste(COLOURS[name], box)
    return img


def make_oriented_photo(
    path: Path,
    *,
    orientation: int,
    size: tuple[int, int] = (64, 48),
    fmt: str = "JPEG",
    icc_profile: bytes | None = None,
    **exif: object,
) -> Path:
    """A photo that shows `quadrant_image(size)` upright only when its EXIF `orientation` is applied."""
    upright = quadrant_image(size)
    transpose = _STORED_FOR_ORIENTATION[orientation]
    stored = upright.transpose(transpose) if transpose is not None else upright
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    extra = {"icc_profile": icc_profile} if icc_profile else {}
    stored.save(path, fmt, exif=exif_bytes(orientation=orientation, **exif), **extra)  # type: ignore[arg-type]
    return path


def _s15fixed16(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz_tag(x: float, y: float, z: float) -> bytes:
    return b"XYZ \0\0\0\0" + _s15fixed16(x) + _s15fixed16(y) + _s15fixed16(z)


def display_p3_icc() -> bytes:
    """A minimal ICC v2 Display P3 profile (what iPhones embed), written by hand: no files committed.

    Matrix/TRC profile: D50-adapted P3 primaries and the sRGB tone curve as a 1024-entry table.
    sRGB red (255, 0, 0) is (234, 51, 35) in Display P3.
    """
    levels = [i / 1023 for i in range(1024)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in levels]
    curve = b"curv\0\0\0\0" + struct.pack(">I", 1024) + struct.pack(">1024H", *(round(v * 65535) for v in linear))
    name = b"Display P3 (test)\0"
    desc = b"desc\0\0\0\0" + struct.pack(">I", len(name)) + name + b"\0" * 79
    tags = [
        (b"desc", desc),
        (b"cprt", b"text\0\0\0\0none\0"),
        (b"wtpt", _xyz_tag(0.9642, 1.0, 0.8249)),
        (b"rXYZ", _xyz_tag(0.5151, 0.2412, -0.0011)),
        (b"gXYZ", _xyz_tag(0.2920, 0.6922, 0.0419)),
        (b"bXYZ", _xyz_tag(0.1571, 0.0666, 0.7841)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    start = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        data += b"\0" * (-(start + len(data)) % 4)  # tags start on 4-byte boundaries
        table += signature + struct.pack(">II", start + len(data), len(body))
        data += body
    header = struct.pack(">I4sI4s4s4s", start + len(data), b"lcms", 0x02100000, b"mntr", b"RGB ", b"XYZ ")
    header += b"\0" * 12 + b"acspAPPL" + b"\0" * 24 + _xyz_tag(0.9642, 1.0, 0.8249)[8:] + b"\0" * 48
    return header + struct.pack(">I", len(tags)) + table + data
