"""probe and sniff on generated photos and clips: type from bytes, displayed size, time, audio, bad input."""

from __future__ import annotations

import os
import random
import signal
import struct
import subprocess
import sys
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import av
import pytest
from PIL import Image, PngImagePlugin

from media_pipeline.images import make_thumbnail
from media_pipeline.isolation import MAX_POOL_WORKERS
from media_pipeline.probe import _in_thread, _isolated, _reaches, probe, sniff
from media_pipeline.types import CaptureTime, MediaError, MediaInfo
from tests.mediagen import FFMPEG, exif_bytes, make_clip, make_oriented_photo, make_photo

TAKEN = datetime(2024, 7, 24, 7, 15, 30)
XMP = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
    ' xmp:CreateDate="2024-07-24T09:00:00">'
    "<photoshop:DateCreated>2024-07-24T07:15:30+02:00</photoshop:DateCreated>"
    "</rdf:Description></rdf:RDF></x:xmpmeta>"
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh folder shared by this module's generated media."""
    return tmp_path_factory.mktemp("probe")


# --- sniffing --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe1....Exif", ("photo", "jpeg", "image/jpeg")),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", ("photo", "png", "image/png")),
        (b"GIF89a\x01\x00", ("photo", "gif", "image/gif")),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", ("photo", "webp", "image/webp")),
        (b"\0\0\0\x18ftypheic\0\0\0\0mif1heic", ("photo", "heic", "image/heic")),
        (b"\0\0\0\x18ftypmif1\0\0\0\0mif1heic", ("photo", "heic", "image/heic")),
        (b"\0\0\0\x14ftypqt  \0\0\x02\0qt  ", ("clip", "mov", "video/quicktime")),
        (b"\0\0\0\x20ftypisom\0\0\x02\0isomiso2avc1mp41", ("clip", "mp4", "video/mp4")),
        (b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom", ("clip", "mp4", "video/mp4")),
        (b"\0\0\0\x1cftyp3gp4\0\0\x02\x003gp4isomiso2", ("clip", "3gp", "video/3gpp")),
        (
            b"\x1aE\xdf\xa3\x9fB\x86\x81\x01B\xf7\x81\x01B\xf2\x81\x04B\xf3\x81\x08B\x82\x84webm",
            ("clip", "webm", "video/webm"),
        ),
        (b"\x1aE\xdf\xa3\x9fB\x86\x81\x01B\x82\x88matroska", None),  # Matroska that is not WebM
        (b"\0\0\0\x1cftypM4A \0\0\0\0M4A isom", None),  # audio only
        (b"\0\0\0\x1cftypavif\0\0\0\0avifmif1", None),  # AVIF is not one of ours
        (b"%PDF-1.7\n", None),
        (b"hello, world\n", None),
    ],
)
def test_sniff_reads_magic_numbers(tmp_path: Path, head: bytes, expected: tuple[str, str, str] | None) -> None:
    path = tmp_path / "upload.jpg"  # the name never counts
    path.write_bytes(head + b"\0" * 64)
    assert sniff(path) == expected


def test_type_comes_from_bytes_not_from_the_name(folder: Path) -> None:
    photo = make_photo(folder / "really-a-png.jpg", fmt="PNG")
    clip = make_clip(folder / "really-an.mp4", audio=False)
    named = clip.rename(folder / "really-an-mp4.jpg")
    assert (probe(photo).format, probe(photo).mime) == ("png", "image/png")
    info = probe(named)
    assert (info.kind, info.format, info.mime) == ("clip", "mp4", "video/mp4")


# --- photos --------------------------------------------------------------------------------------------


def _png_16bit(path: Path) -> Path:
    Image.new("I;16", (64, 48), 0x8080).save(path, "PNG")
    return path


def _png_rgba(path: Path) -> Path:
    img = Image.new("RGBA", (64, 48), (220, 30, 30, 0))  # fully transparent: the neutral grey shows
    img.save(path, "PNG")
    return path


def _png_la(path: Path) -> Path:
    Image.new("LA", (64, 48), (255, 0)).save(path, "PNG")
    return path


def _gif_two_frames(path: Path) -> Path:
    frames = [Image.new("RGB", (64, 48), c) for c in ((30, 200, 60), (220, 30, 30))]
    frames[0].save(path, "GIF", save_all=True, append_images=frames[1:], duration=100)
    return path


PHOTOS = {
    # name: (maker, format, mime, expected colour of the derived picture)
    "rgb.jpg": (lambda p: make_photo(p, colour="red"), "jpeg", "image/jpeg", (220, 30, 30)),
    "cmyk.jpg": (lambda p: make_photo(p, colour="blue", mode="CMYK"), "jpeg", "image/jpeg", (30, 60, 220)),
    "grey.jpg": (lambda p: make_photo(p, colour="white", mode="L"), "jpeg", "image/jpeg", (245, 245, 245)),
    "rgb.png": (lambda p: make_photo(p, colour="green"), "png", "image/png", (30, 200, 60)),
    "palette.png": (lambda p: make_photo(p, colour="orange", mode="P"), "png", "image/png", (245, 140, 20)),
    "deep.png": (_png_16bit, "png", "image/png", (128, 128, 128)),
    "alpha.png": (_png_rgba, "png", "image/png", (128, 128, 128)),
    "la.png": (_png_la, "png", "image/png", (128, 128, 128)),
    "rgb.webp": (lambda p: make_photo(p, colour="cyan"), "webp", "image/webp", (30, 210, 220)),
    "rgb.heic": (lambda p: make_photo(p, colour="magenta", fmt="HEIF"), "heic", "image/heic", (220, 40, 200)),
    "anim.gif": (_gif_two_frames, "gif", "image/gif", (30, 200, 60)),  # first frame
}


@pytest.mark.parametrize("name", sorted(PHOTOS))
def test_every_photo_format_probes_and_decodes(folder: Path, name: str) -> None:
    maker, fmt, mime, colour = PHOTOS[name]
    path = maker(folder / name)
    info = probe(path)
    assert (info.kind, info.format, info.mime, info.width, info.height) == ("photo", fmt, mime, 64, 48)
    assert (info.duration_s, info.has_audio, info.captured) == (None, False, None)
    make_thumbnail(path, folder / f"{name}.thumb.jpg", kind="photo")
    with Image.open(folder / f"{name}.thumb.jpg") as thumb:
        got = thumb.convert("RGB").getpixel((32, 24))
    assert all(abs(a - b) <= 12 for a, b in zip(got, colour, strict=True)), (got, colour)


@pytest.mark.parametrize("suffix", [".jpg", ".png", ".webp", ".heic"])
def test_exif_capture_time_with_subseconds_and_offset(folder: Path, suffix: str) -> None:
    fmt = "HEIF" if suffix == ".heic" else None
    path = make_photo(folder / f"timed{suffix}", fmt=fmt, taken=TAKEN, subsec="25", offset="+02:00")
    assert probe(path).captured == CaptureTime(TAKEN.replace(microsecond=250000), 120, "exif")


def test_exif_time_without_offset_has_unknown_offset(folder: Path) -> None:
    path = make_photo(folder / "no-offset.jpg", taken=TAKEN)
    assert probe(path).captured == CaptureTime(TAKEN, None, "exif")


def test_xmp_date_created_is_the_fallback(folder: Path) -> None:
    jpeg = folder / "xmp.jpg"
    Image.new("RGB", (64, 48), (220, 30, 30)).save(jpeg, xmp=XMP.encode())
    assert probe(jpeg).captured == CaptureTime(TAKEN, 120, "xmp")  # photoshop:DateCreated before xmp:CreateDate
    png = folder / "xmp.png"
    meta = PngImagePlugin.PngInfo()
    meta.add_itxt(
        "XML:com.adobe.xmp",
        XMP.replace("<photoshop:DateCreated>2024-07-24T07:15:30+02:00</photoshop:DateCreated>", ""),
    )
    Image.new("RGB", (64, 48)).save(png, pnginfo=meta)
    assert probe(png).captured == CaptureTime(datetime(2024, 7, 24, 9, 0), None, "xmp")


def test_exif_wins_over_xmp(folder: Path) -> None:
    path = folder / "both.jpg"
    Image.new("RGB", (64, 48)).save(path, exif=exif_bytes(taken=datetime(2024, 7, 24, 6, 0)), xmp=XMP.encode())
    assert probe(path).captured == CaptureTime(datetime(2024, 7, 24, 6, 0), None, "exif")


def test_gps_is_read(folder: Path) -> None:
    path = make_photo(folder / "gps.jpg", gps=(52.3676, -4.9041), taken=TAKEN)
    lat, lon = probe(path).gps or (0.0, 0.0)
    assert lat == pytest.approx(52.3676, abs=1e-4) and lon == pytest.approx(-4.9041, abs=1e-4)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_photo_size_is_reported_as_displayed(folder: Path, orientation: int) -> None:
    # upright 64x48; for orientations 5-8 the bytes hold a 48x64 picture
    path = make_oriented_photo(folder / f"o{orientation}.jpg", size=(64, 48), orientation=orientation)
    with Image.open(path) as stored:
        assert stored.size == ((48, 64) if orientation >= 5 else (64, 48))
    info = probe(path)
    assert (info.orientation, info.width, info.height) == (orientation, 64, 48)


def test_heic_orientation_is_applied_by_the_decoder_and_reported(folder: Path) -> None:
    info = probe(make_photo(folder / "o6.heic", fmt="HEIF", size=(64, 48), orientation=6))
    assert (info.width, info.height, info.orientation) == (48, 64, 6)


# --- clips -------------------------------------------------------------------------------------------------

CLIPS = {
    # name: (make_clip kwargs, format, mime, video codec, audio codec)
    "h264.mp4": ({}, "mp4", "video/mp4", "h264", "aac"),
    "silent.mp4": ({"audio": False}, "mp4", "video/mp4", "h264", None),
    "h264.mov": ({}, "mov", "video/quicktime", "h264", "aac"),
    "hevc.mp4": ({"vcodec": "libx265"}, "mp4", "video/mp4", "hevc", "aac"),
    "hevc10.mov": ({"vcodec": "libx265", "pix_fmt": "yuv420p10le"}, "mov", "video/quicktime", "hevc", "aac"),
    "hevc.mov": ({"vcodec": "libx265", "audio": False}, "mov", "video/quicktime", "hevc", None),
    "vp8.webm": ({}, "webm", "video/webm", "vp8", "opus"),
    "vp9.webm": ({"vcodec": "vp9", "audio": False}, "webm", "video/webm", "vp9", None),
    "h264.3gp": ({}, "3gp", "video/3gpp", "h264", "aac"),
    "h263.3gp": (
        {"vcodec": "h263", "acodec": "libopencore_amrnb", "size": (176, 144)},
        "3gp",
        "video/3gpp",
        "h263",
        "amrnb",
    ),
}


@pytest.mark.parametrize("name", sorted(CLIPS))
def test_every_clip_format_probes(folder: Path, name: str) -> None:
    kwargs, fmt, mime, vcodec, acodec = CLIPS[name]
    path = make_clip(folder / name, duration_s=1.0, fps=10, **kwargs)
    info = probe(path)
    w, h = kwargs.get("size", (64, 48))
    assert (info.kind, info.format, info.mime, info.width, info.height) == ("clip", fmt, mime, w, h)
    assert (info.video_codec, info.audio_codec, info.has_audio) == (vcodec, acodec, acodec is not None)
    assert info.duration_s == pytest.approx(1.0, abs=0.06)
    assert info.fps == pytest.approx(10.0)
    assert info.rotation == 0


def test_variable_frame_rate_clip_reports_its_mean_rate(folder: Path) -> None:
    info = probe(make_clip(folder / "vfr.mp4", duration_s=1.0, fps=10, vfr=True))
    assert info.duration_s == pytest.approx(1.0, abs=0.06)
    assert info.fps is not None and 5.0 <= info.fps < 10.0  # 6 of 10 frames were kept
    assert info.has_audio


def test_sound_running_on_past_the_picture_is_not_taken_for_a_cut_off_file(folder: Path) -> None:
    path = folder / "long-sound.mp4"
    subprocess.run(
        [FFMPEG, "-y", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=red:s=64x48:d=1:r=10",
         "-f", "lavfi", "-i", "sine=d=4", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(path)],
        check=True,
    )  # fmt: skip
    info = probe(path)
    assert info.has_audio and info.duration_s == pytest.approx(4.0, abs=0.1)


def test_iphone_quicktime_creationdate_is_local_time_with_offset(folder: Path) -> None:
    path = make_clip(
        folder / "iphone.mov",
        creation_time="2024-07-24T05:15:30Z",
        metadata={"com.apple.quicktime.creationdate": "2024-07-24T07:15:30+0200"},
        rotation=-90,
    )
    info = probe(path)
    assert info.captured == CaptureTime(TAKEN, 120, "quicktime")
    assert (info.width, info.height, info.rotation) == (48, 64, 90)


@pytest.mark.parametrize("name", ["android.mp4", "browser.webm"])
def test_container_creation_time_is_reported_as_utc(folder: Path, name: str) -> None:
    info = probe(make_clip(folder / name, creation_time="2024-07-24T05:15:30Z", audio=False))
    assert info.captured == CaptureTime(datetime(2024, 7, 24, 5, 15, 30), 0, "container-utc")


def test_browser_webm_without_a_duration_in_its_header(folder: Path) -> None:
    # MediaRecorder and any streamed WebM have no duration or cues: the length is found by demuxing
    src = make_clip(folder / "src.mp4", duration_s=2.0)
    dest = folder / "recorded.webm"
    with open(dest, "wb") as out:
        subprocess.run(
            [
                FFMPEG,
                "-loglevel",
                "error",
                "-i",
                str(src),
                "-c:v",
                "libvpx",
                "-c:a",
                "libopus",
                "-f",
                "webm",
                "pipe:1",
            ],
            stdout=out,
            check=True,
        )
    info = probe(dest)
    assert (info.format, info.video_codec, info.has_audio) == ("webm", "vp8", True)
    assert info.duration_s == pytest.approx(2.0, abs=0.06)
    with pytest.raises(MediaError) as caught:
        probe(dest, max_duration_s=1.0)
    assert caught.value.code == "too_long"


def test_clip_location_is_read(folder: Path) -> None:
    info = probe(make_clip(folder / "located.mp4", audio=False, metadata={"location": "+52.3676+004.9041/"}))
    assert info.gps == (52.3676, 4.9041)


@pytest.mark.parametrize(("display_rotation", "clockwise"), [(-90, 90), (90, 270), (180, 180)])
def test_clip_rotation_gives_displayed_size(folder: Path, display_rotation: int, clockwise: int) -> None:
    info = probe(make_clip(folder / f"rot{clockwise}.mp4", rotation=display_rotation, audio=False))
    assert info.rotation == clockwise
    assert (info.width, info.height) == ((64, 48) if clockwise == 180 else (48, 64))


def test_media_info_is_plain_data(folder: Path) -> None:
    info = probe(make_photo(folder / "dict.jpg", taken=TAKEN, offset="+02:00"))
    data = info.to_dict()
    assert data["captured"] == {
        "captured_local": "2024-07-24T07:15:30",
        "utc_offset": "+02:00",
        "time_source": "exif",
    }
    assert isinstance(info, MediaInfo)


# --- bad input ---------------------------------------------------------------------------------------------


def _png_header_only(path: Path, w: int, h: int) -> Path:
    """A PNG whose header claims w x h pixels, with a tiny body: a decompression bomb's calling card."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )
    return path


def _truncated(src: Path, dest: Path) -> Path:
    data = src.read_bytes()
    dest.write_bytes(data[: len(data) // 2])
    return dest


def _noisy_jpeg(path: Path) -> Path:
    Image.effect_noise((320, 240), 64).convert("RGB").save(path, quality=90)
    return path


BAD = {
    # name: (maker, code, words the sentence must contain)
    "zero bytes": (lambda d: _write(d / "empty.jpg", b""), "empty", "empty"),
    "truncated jpeg": (
        lambda d: _truncated(_noisy_jpeg(d / "whole.jpg"), d / "half.jpg"),
        "unreadable",
        "damaged",
    ),
    "jpeg header only": (
        lambda d: _write(d / "head.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 32),
        "unreadable",
        "damaged",
    ),
    "truncated mp4": (
        lambda d: _truncated(make_clip(d / "whole.mp4", duration_s=3, size=(160, 120)), d / "half.mp4"),
        "unreadable",
        "damaged",
    ),
    "truncated faststart mp4": (
        lambda d: _truncated(make_clip(d / "fs.mp4", duration_s=3, size=(160, 120), faststart=True), d / "fs-half.mp4"),
        "unreadable",
        "damaged",
    ),
    "random bytes": (
        lambda d: _write(d / "noise.jpg", random.Random(7).randbytes(4096)),
        "unsupported",
        "not a photo",
    ),
    "text named .jpg": (
        lambda d: _write(d / "notes.jpg", b"Dear diary, today I took a photo.\n"),
        "unsupported",
        "not a photo",
    ),
    "audio only": (lambda d: _audio_only(d / "voice.m4v"), "unsupported", "only sound"),
    "bomb past Pillow's limit": (
        lambda d: _png_header_only(d / "bomb.png", 30000, 30000),
        "too_large",
        "too large",
    ),
    "bomb past our limit": (
        lambda d: _png_header_only(d / "big.png", 12000, 10000),
        "too_large",
        "too large",
    ),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _audio_only(path: Path) -> Path:
    """An MP4 (video brand) that holds only a sound track."""
    subprocess.run(
        [
            FFMPEG,
            "-y",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=d=0.5",
            "-c:a",
            "aac",
            "-f",
            "mp4",
            str(path),
        ],
        check=True,
    )
    return path


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_a_media_error_with_a_sentence_and_a_code(tmp_path: Path, case: str) -> None:
    maker, code, words = BAD[case]
    path = maker(tmp_path)
    with pytest.raises(MediaError) as caught:
        probe(path)
    assert caught.value.code == code
    assert words in caught.value.message and caught.value.message.endswith(".")


def test_pixel_limit_is_checked_from_the_header(folder: Path) -> None:
    path = make_photo(folder / "limit.jpg", size=(64, 48))
    with pytest.raises(MediaError, match="3,000 pixels") as caught:
        probe(path, max_pixels=3000)
    assert caught.value.code == "too_large"
    clip = make_clip(folder / "limit.mp4", audio=False)
    with pytest.raises(MediaError) as caught:
        probe(clip, max_pixels=3000)
    assert caught.value.code == "too_large"


def test_clip_longer_than_the_limit(folder: Path) -> None:
    path = make_clip(folder / "long.mp4", duration_s=2.0, audio=False)
    with pytest.raises(MediaError, match="2 seconds long; the limit is 1 second\\.") as caught:
        probe(path, max_duration_s=1.0)
    assert caught.value.code == "too_long"
    assert probe(path, max_duration_s=3.0).duration_s == pytest.approx(2.0, abs=0.06)


def test_a_missing_file_or_a_folder_is_a_media_error(tmp_path: Path) -> None:
    with pytest.raises(MediaError):
        probe(tmp_path / "gone.jpg")
    with pytest.raises(MediaError):
        probe(tmp_path)


def _hang() -> MediaInfo:
    time.sleep(60)
    raise AssertionError("not reached")


def _crash() -> MediaInfo:
    os.kill(os.getpid(), signal.SIGKILL)  # a decoder that takes the process down (no core file left)
    raise AssertionError("not reached")


def _boom() -> MediaInfo:
    raise RuntimeError("decoder bug")


def test_a_hung_decoder_is_killed_at_the_time_limit() -> None:
    started = time.monotonic()
    with pytest.raises(MediaError, match="too long") as caught:
        _isolated(_hang, (), 0.5)
    assert caught.value.code == "unreadable"
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("worker", [_crash, _boom])
def test_a_crashing_decoder_does_not_crash_the_caller(worker: object) -> None:
    with pytest.raises(MediaError) as caught:
        _isolated(worker, (), 10)  # type: ignore[arg-type]
    assert caught.value.code == "unreadable" and "damaged" in caught.value.message


def _nap() -> MediaInfo:
    time.sleep(3)
    raise AssertionError("not reached in time")


def test_without_a_child_process_the_watchdog_thread_still_answers() -> None:
    # the fallback for callers that may not fork (a daemonic worker process)
    with pytest.raises(MediaError) as caught:
        _in_thread(_boom, (), 5)
    assert caught.value.code == "unreadable"
    started = time.monotonic()
    with pytest.raises(MediaError, match="too long"):
        _in_thread(_nap, (), 0.2)
    assert time.monotonic() - started < 2


def test_probes_from_many_threads_at_once(folder: Path) -> None:
    # the app probes from worker threads; each probe has its own child
    paths = [make_photo(folder / f"t{i}.png", colour=c) for i, c in enumerate(("red", "green", "blue", "cyan"))]
    paths.append(make_clip(folder / "t.mp4", audio=False))
    with ThreadPoolExecutor(max_workers=4) as pool:
        infos = list(pool.map(probe, paths))
    assert [i.format for i in infos] == ["png", "png", "png", "png", "mp4"]


def test_a_relative_path_is_probed_from_the_callers_folder(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_photo(folder / "here.webp")
    probe(folder / "here.webp")  # the fork server is running, started from elsewhere
    monkeypatch.chdir(folder)
    assert probe(Path("here.webp")).format == "webp"


MAIN_SCRIPT = """
import os, sys
from pathlib import Path
if __name__ != "__main__":  # imported again in a child process as __mp_main__
    with open(os.environ["MARKER"], "a") as marker:
        marker.write("ran ")
sys.path.insert(0, os.environ["ROOT"])
from media_pipeline.images import make_thumbnail
from media_pipeline.probe import probe
if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(probe(Path(name)).format)
"""


def test_the_callers_main_script_runs_once_per_worker_not_once_per_probe(folder: Path) -> None:
    # a worker imports a console script (dayreel, uvicorn) as __mp_main__ when it starts; pooled
    # workers must then serve many probes, so 12 probes cost at most one import per worker
    script = folder / "caller.py"
    script.write_text(MAIN_SCRIPT)
    marker = folder / "marker.txt"
    env = {**os.environ, "MARKER": str(marker), "ROOT": str(Path(__file__).resolve().parents[2])}
    photos = [str(make_photo(folder / f"main{i}.png")) for i in range(12)]
    done = subprocess.run(
        [sys.executable, str(script), *photos], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["png"] * 12
    imports = marker.read_text().count("ran") if marker.exists() else 0
    assert imports <= MAX_POOL_WORKERS


def test_a_stream_without_a_time_base_is_not_held_to_the_containers_length(folder: Path) -> None:
    # the end to check can come from the container while the stream has no clock: seeking by it raised a
    # TypeError (float / None), a crash instead of a verdict; found by mypy
    with av.open(str(make_clip(folder / "clock.mp4", duration_s=2, size=(64, 48)))) as container:
        assert _reaches(container, SimpleNamespace(time_base=None), 1.0) is True
        assert _reaches(container, container.streams.video[0], 1.0) is True
        assert _reaches(container, container.streams.video[0], 60.0) is False
