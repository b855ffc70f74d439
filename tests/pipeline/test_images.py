"""Derived images: orientation in every photo and clip, poster frames, sizes, draft decoding, no metadata."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from media_pipeline.images import (
    clip_frame,
    display_rotation_ccw,
    fit_within,
    make_derived,
    make_preview,
    make_thumbnail,
    open_image,
    poster_frame,
)
from media_pipeline.types import MediaError
from tests.mediagen import (
    COLOURS,
    FFMPEG,
    QUADRANTS,
    display_p3_icc,
    exif_bytes,
    make_clip,
    make_oriented_photo,
    make_photo,
)

TOLERANCE = 40  # JPEG and yuv420p blur colours a little, never by this much


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh folder shared by this module's generated media."""
    return tmp_path_factory.mktemp("images")


def near(got: tuple[int, ...], colour: str | tuple[int, int, int]) -> bool:
    want = COLOURS[colour] if isinstance(colour, str) else colour
    return all(abs(a - b) <= TOLERANCE for a, b in zip(got[:3], want, strict=True))


def corners(img: Image.Image) -> list[tuple[int, ...]]:
    """The colours at the middle of each quadrant: top-left, top-right, bottom-left, bottom-right."""
    w, h = img.size
    rgb = img.convert("RGB")
    return [rgb.getpixel((x, y)) for y in (h // 4, 3 * h // 4) for x in (w // 4, 3 * w // 4)]  # type: ignore[misc]


def assert_quadrants(img: Image.Image, expected: tuple[str, str, str, str] = QUADRANTS) -> None:
    got = corners(img)
    assert all(near(c, e) for c, e in zip(got, expected, strict=True)), (got, expected)


# --- orientation -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_is_applied_in_derived_images(folder: Path, fmt: str, orientation: int) -> None:
    src = make_oriented_photo(folder / f"o{orientation}.{fmt.lower()}", orientation=orientation, fmt=fmt)
    thumb = folder / f"o{orientation}-{fmt}.thumb.jpg"
    assert make_thumbnail(src, thumb, kind="photo") == (64, 48)
    with Image.open(thumb) as img:
        assert img.size == (64, 48)
        assert_quadrants(img)
    assert_quadrants(open_image(src, fit=(32, 24)))  # what the renderers get


@pytest.mark.parametrize("orientation", range(1, 9))
def test_heic_orientation_is_applied(folder: Path, orientation: int) -> None:
    src = make_oriented_photo(folder / f"o{orientation}.heic", orientation=orientation, fmt="HEIF")
    preview = folder / f"o{orientation}.heic.jpg"
    assert make_preview(src, preview, kind="photo") == (64, 48)
    with Image.open(preview) as img:
        assert_quadrants(img)


# Where each coded corner shows after the display rotation (ffmpeg's -display_rotation, degrees
# counter-clockwise), worked out by hand: turning 90° clockwise brings the bottom-left to the top-left.
ROTATED = {
    0: (0, 1, 2, 3),
    -90: (2, 0, 3, 1),  # iPhone held upright: the picture is turned 90° clockwise to display
    90: (1, 3, 0, 2),
    180: (3, 2, 1, 0),
}


@pytest.mark.parametrize("display_rotation", sorted(ROTATED))
@pytest.mark.parametrize("suffix", [".mov", ".webm"])
def test_clip_rotation_is_applied_in_poster_and_thumbnail(folder: Path, display_rotation: int, suffix: str) -> None:
    src = make_clip(
        folder / f"rot{display_rotation}{suffix}",
        corners=QUADRANTS,
        rotation=display_rotation or None,
        audio=False,
        duration_s=1.0,
    )
    expected = tuple(QUADRANTS[i] for i in ROTATED[display_rotation])
    displayed = (64, 48) if display_rotation in (0, 180) else (48, 64)
    poster = poster_frame(src)
    assert poster.size == displayed
    assert_quadrants(poster, expected)  # type: ignore[arg-type]
    thumb = folder / f"rot{display_rotation}{suffix}.jpg"
    assert make_thumbnail(src, thumb, kind="clip") == displayed
    with Image.open(thumb) as img:
        assert_quadrants(img, expected)  # type: ignore[arg-type]
    assert_quadrants(clip_frame(src, at_s=0.5), expected)  # type: ignore[arg-type]


@pytest.mark.parametrize("display_rotation", [-90, 90])
def test_clip_rotation_matches_what_ffmpeg_shows(folder: Path, display_rotation: int) -> None:
    # an independent judge: the ffmpeg command line rotates by the display matrix itself (autorotate)
    src = make_clip(folder / f"judge{display_rotation}.mp4", corners=QUADRANTS, rotation=display_rotation, audio=False)
    judged = folder / f"judge{display_rotation}.png"
    subprocess.run([FFMPEG, "-y", "-loglevel", "error", "-i", str(src), "-frames:v", "1", str(judged)], check=True)
    with Image.open(judged) as reference:
        assert reference.size == poster_frame(src).size
        assert_quadrants(poster_frame(src), tuple(corner_names(reference)))  # type: ignore[arg-type]


def corner_names(img: Image.Image) -> list[str]:
    """The name of the test colour nearest to each quadrant's colour."""
    found = []
    for c in corners(img):
        found.append(min(COLOURS, key=lambda n: sum((a - b) ** 2 for a, b in zip(c[:3], COLOURS[n], strict=True))))
    return found


class _Frame:
    rotation = 0


class _Stream:
    def __init__(self, tag: str) -> None:
        self.metadata = {"rotate": tag}


@pytest.mark.parametrize(("tag", "ccw"), [("90", 270), ("270", 90), ("180", 180), ("0", 0), ("junk", 0)])
def test_an_old_rotate_tag_is_the_fallback(tag: str, ccw: int) -> None:
    # FFmpeg 9 no longer writes the tag, so this stands in for a file from an old phone
    assert display_rotation_ccw(_Frame(), _Stream(tag)) == ccw  # type: ignore[arg-type]


def test_red_top_half_stays_on_top_of_a_portrait_iphone_clip(folder: Path) -> None:
    # an iPhone held upright stores the picture on its side: what shows at the top is the coded left
    src = make_clip(folder / "iphone.mov", corners=("red", "blue", "red", "blue"), rotation=-90, audio=False)
    img = poster_frame(src)
    assert img.size == (48, 64)
    assert near(img.getpixel((24, 8)), "red") and near(img.getpixel((24, 56)), "blue")  # type: ignore[arg-type]


# --- poster frames -----------------------------------------------------------------------------------------


def test_poster_skips_black_frames(folder: Path) -> None:
    src = make_clip(folder / "fade.mp4", colour="green", black_until_s=1.6, duration_s=3.0, audio=False)
    assert near(clip_frame(src, at_s=1.0).getpixel((32, 24)), (0, 0, 0))  # type: ignore[arg-type]
    assert near(poster_frame(src).getpixel((32, 24)), "green")  # type: ignore[arg-type]


def test_poster_looks_back_when_only_the_start_has_a_picture(folder: Path) -> None:
    # black from 1 s on, as if the phone went into a pocket
    src = make_clip(folder / "pocket.mp4", colour="orange", duration_s=6.0, audio=False)
    dark = folder / "pocket-dark.mp4"
    subprocess.run(
        [
            FFMPEG,
            "-y",
            "-loglevel",
            "error",
            "-i",
            str(src),
            "-vf",
            "drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:enable='gte(t,0.5)'",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            str(dark),
        ],
        check=True,
    )
    assert near(poster_frame(dark).getpixel((32, 24)), "orange")  # type: ignore[arg-type]


def test_an_all_black_clip_still_has_a_poster(folder: Path) -> None:
    src = make_clip(folder / "black.mp4", black_until_s=10, duration_s=1.0, audio=False)
    assert near(poster_frame(src).getpixel((32, 24)), (0, 0, 0))  # type: ignore[arg-type]


def test_poster_of_a_broken_clip_is_a_media_error(folder: Path) -> None:
    broken = folder / "broken.mp4"
    broken.write_bytes(b"\0\0\0\x20ftypisom" + b"\0" * 100)
    with pytest.raises(MediaError):
        poster_frame(broken)


# --- sizes, decoding, files --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_photo(folder: Path) -> Path:
    """A 2000x1500 JPEG taken in portrait (orientation 6) with EXIF, GPS and XMP on board."""
    path = folder / "big.jpg"
    Image.new("RGB", (2000, 1500), COLOURS["blue"]).save(
        path, exif=exif_bytes(orientation=6, gps=(52.37, 4.9)), xmp=b"<x:xmpmeta>secret</x:xmpmeta>"
    )
    return path


def test_thumbnail_and_preview_sizes(folder: Path, big_photo: Path) -> None:
    assert make_thumbnail(big_photo, folder / "t.jpg", kind="photo") == (360, 480)
    assert make_preview(big_photo, folder / "p.jpg", kind="photo", long_side_px=1200) == (900, 1200)
    assert make_preview(big_photo, folder / "p.jpg", kind="photo") == (1440, 1920)
    assert make_preview(big_photo, folder / "full.jpg", kind="photo", long_side_px=4000) == (
        1500,
        2000,
    )  # not enlarged
    with Image.open(folder / "t.jpg") as img:
        assert img.size == (360, 480) and img.format == "JPEG"


def test_preview_and_thumbnail_from_one_decode(folder: Path, big_photo: Path) -> None:
    made = make_derived(big_photo, kind="photo", outputs={folder / "d-t.jpg": 480, folder / "d-p.webp": 1920})
    assert made == {folder / "d-t.jpg": (360, 480), folder / "d-p.webp": (1440, 1920)}
    for name in ("d-t.jpg", "d-p.webp"):
        with Image.open(folder / name) as img:
            assert near(img.getpixel((img.width // 2, img.height // 2)), "blue")  # type: ignore[arg-type]


def test_large_jpeg_is_decoded_in_draft_mode(big_photo: Path) -> None:
    img = open_image(big_photo, long_side=480)
    assert img.size == (375, 500)  # 1/4 scale, upright: big enough for 480 px, far below 1500x2000
    assert open_image(big_photo).size == (1500, 2000)


def test_derived_files_carry_no_exif_gps_or_xmp(folder: Path, big_photo: Path) -> None:
    for name in ("clean.jpg", "clean.webp"):
        dest = folder / name
        make_thumbnail(big_photo, dest, kind="photo")
        data = dest.read_bytes()
        assert b"Exif" not in data and b"xmpmeta" not in data and b"secret" not in data
        with Image.open(dest) as img:
            assert img.format == ("WEBP" if name.endswith(".webp") else "JPEG")
            assert len(img.getexif()) == 0 and "exif" not in img.info


def test_dest_is_replaced_atomically_and_nothing_is_left_behind(folder: Path) -> None:
    out = folder / "atomic"
    out.mkdir()
    dest = out / "thumb.jpg"
    dest.write_bytes(b"old")
    make_thumbnail(make_photo(folder / "green.png", colour="green"), dest, kind="photo")
    assert dest.read_bytes()[:3] == b"\xff\xd8\xff"
    bad = folder / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 32)
    before = dest.read_bytes()
    with pytest.raises(MediaError, match="damaged"):
        make_thumbnail(bad, dest, kind="photo")
    assert dest.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["thumb.jpg"]  # no temporary files


def test_clip_preview_is_the_poster_frame(folder: Path) -> None:
    src = make_clip(folder / "wide.mp4", size=(320, 180), colour="cyan", audio=False)
    assert make_preview(src, folder / "wide.jpg", kind="clip") == (320, 180)
    assert make_thumbnail(src, folder / "wide-small.jpg", kind="clip", long_side_px=160) == (160, 90)
    with Image.open(folder / "wide-small.jpg") as img:
        assert near(img.getpixel((80, 45)), "cyan")  # type: ignore[arg-type]


def test_fit_within_never_enlarges() -> None:
    img = Image.new("RGB", (200, 100))
    assert fit_within(img, 50).size == (50, 25)
    assert fit_within(img, 400).size == (200, 100)


def test_alpha_is_flattened_on_grey_unless_kept(folder: Path) -> None:
    logo = folder / "logo.png"
    img = Image.new("RGBA", (64, 48), (0, 0, 0, 0))
    img.paste((220, 30, 30, 255), (0, 0, 32, 48))
    img.save(logo)
    flat = open_image(logo)
    assert flat.mode == "RGB" and near(flat.getpixel((8, 8)), "red")  # type: ignore[arg-type]
    assert flat.getpixel((56, 8)) == (128, 128, 128)  # the transparent half shows the neutral grey
    kept = open_image(logo, keep_alpha=True)
    assert kept.mode == "RGBA" and kept.getpixel((56, 8))[3] == 0  # type: ignore[index]
    assert open_image(make_photo(folder / "opaque.png"), keep_alpha=True).mode == "RGB"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "HEIF"])
def test_display_p3_photos_are_converted_to_srgb(folder: Path, fmt: str) -> None:
    # sRGB red written the way an iPhone stores it: (234, 51, 35) in Display P3
    path = folder / f"p3.{fmt.lower()}"
    Image.new("RGB", (64, 48), (234, 51, 35)).save(path, fmt, icc_profile=display_p3_icc(), quality=95)
    assert near(open_image(path).getpixel((32, 24)), (255, 0, 0))  # type: ignore[arg-type]
    thumb = folder / f"p3-{fmt}.jpg"
    make_thumbnail(path, thumb, kind="photo")
    with Image.open(thumb) as img:
        assert "icc_profile" not in img.info  # sRGB is what a viewer assumes without one
        got = img.getpixel((32, 24))
    assert near(got, (255, 0, 0)) and got[1] < 20  # type: ignore[index, arg-type]


def test_colour_conversion_keeps_the_orientation(folder: Path) -> None:
    path = make_oriented_photo(folder / "p3-o6.png", orientation=6, fmt="PNG", icc_profile=display_p3_icc())
    img = open_image(path)
    assert img.size == (64, 48)
    assert corner_names(img) == list(QUADRANTS)  # colours shift a little; the layout must not


def test_srgb_and_broken_profiles_leave_pixels_alone(folder: Path) -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    for name, icc in (("srgb.png", srgb), ("broken.png", b"not a profile")):
        Image.new("RGB", (64, 48), (234, 51, 35)).save(folder / name, icc_profile=icc)
        assert open_image(folder / name).getpixel((32, 24)) == (234, 51, 35)
