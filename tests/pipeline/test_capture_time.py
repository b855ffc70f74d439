"""The capture-time trust chain: parsers for EXIF/ISO/file-name times and resolve_capture_time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from media_pipeline.capture_time import (
    exif_time,
    iso_time,
    parse_offset,
    resolve_capture_time,
    time_from_filename,
    utc_time,
)
from media_pipeline.daytime import utc_instant
from media_pipeline.types import CaptureTime

UPLOADED = datetime(2024, 7, 24, 18, 0, tzinfo=UTC)


def resolve(**kw: object) -> CaptureTime:
    args: dict[str, object] = {
        "embedded": None,
        "filename": None,
        "client_captured_at": None,
        "device_tz": None,
        "project_tz": "Europe/Amsterdam",
        "uploaded_at": UPLOADED,
    }
    args.update(kw)
    return resolve_capture_time(**args)  # type: ignore[arg-type]


# --- file names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("IMG_20240724_071530.jpg", datetime(2024, 7, 24, 7, 15, 30)),
        ("VID_20240724_071530.mp4", datetime(2024, 7, 24, 7, 15, 30)),
        ("PXL_20240724_071530123.jpg", datetime(2024, 7, 24, 7, 15, 30, 123000)),
        ("PXL_20240724_071530123.MP.jpg", datetime(2024, 7, 24, 7, 15, 30, 123000)),
        ("20240724_071530.jpg", datetime(2024, 7, 24, 7, 15, 30)),
        ("IMG_20240724_071530_1.jpg", datetime(2024, 7, 24, 7, 15, 30)),
        ("Screenshot_20240724-071530.png", datetime(2024, 7, 24, 7, 15, 30)),
        ("WhatsApp Image 2024-07-24 at 07.15.30.jpeg", datetime(2024, 7, 24, 7, 15, 30)),
        ("2024-07-24 07.15.30.jpg", datetime(2024, 7, 24, 7, 15, 30)),
        ("C:\\fakepath\\IMG_20240724_071530.jpg", datetime(2024, 7, 24, 7, 15, 30)),
        ("IMG-20240724-WA0003.jpg", datetime(2024, 7, 24, 12, 0)),  # WhatsApp: date only, at midday
        ("VID-20240724-WA0001.mp4", datetime(2024, 7, 24, 12, 0)),
    ],
)
def test_filename_patterns_give_local_time_without_offset(name: str, expected: datetime) -> None:
    assert time_from_filename(name) == CaptureTime(local=expected, utc_offset_min=None, source="filename")


@pytest.mark.parametrize(
    "name",
    [
        "IMG_1234.JPG",
        "DSC_0001.JPG",
        "holiday.jpg",
        "IMG_20241324_071530.jpg",
        "IMG_20240231_071530.jpg",
        "IMG_20240724_256130.jpg",
        "19690724_071530.jpg",
        "IMG-20241340-WA0003.jpg",
        "",
        "1234567890123.jpg",
    ],
)
def test_filenames_without_a_valid_time_give_none(name: str) -> None:
    assert time_from_filename(name) is None


PATTERNS = [
    ("IMG_{:%Y%m%d_%H%M%S}.jpg", False),
    ("VID_{:%Y%m%d_%H%M%S}.mp4", False),
    ("{:%Y%m%d_%H%M%S}.jpg", False),
    ("Screenshot_{:%Y%m%d-%H%M%S}.png", False),
    ("WhatsApp Image {:%Y-%m-%d at %H.%M.%S}.jpeg", False),
    ("PXL_{:%Y%m%d_%H%M%S}{ms:03d}.jpg", True),
]
instants = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31, 23, 59, 59))


@settings(max_examples=150, deadline=None)
@given(when=instants, pattern=st.sampled_from(PATTERNS))
def test_any_datetime_formatted_in_a_phone_pattern_parses_back(when: datetime, pattern: tuple[str, bool]) -> None:
    template, with_ms = pattern
    ms = when.microsecond // 1000
    name = template.format(when, ms=ms)
    expected = when.replace(microsecond=ms * 1000 if with_ms else 0)
    found = time_from_filename(name)
    assert found is not None and found.local == expected and found.source == "filename"


@settings(max_examples=100, deadline=None)
@given(
    day=st.dates(min_value=datetime(1971, 1, 1).date(), max_value=datetime(2099, 12, 31).date()),
    n=st.integers(0, 9999),
)
def test_any_whatsapp_name_gives_its_date_at_midday(day: object, n: int) -> None:
    found = time_from_filename(f"IMG-{day:%Y%m%d}-WA{n:04d}.jpg")
    assert found is not None and found.local == datetime.combine(day, datetime.min.time()).replace(hour=12)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(junk=st.text() | st.from_regex(r"[A-Z_\-0-9. ]{0,40}", fullmatch=True))
def test_junk_names_never_raise(junk: str) -> None:
    found = time_from_filename(junk)
    assert found is None or (found.source == "filename" and 1971 <= found.local.year <= 2099)


# --- embedded time parsers ---------------------------------------------------------------------------


def test_exif_time_reads_subseconds_and_offset() -> None:
    found = exif_time("2024:07:24 07:15:30", subsec="12", offset="+02:00")
    assert found == CaptureTime(datetime(2024, 7, 24, 7, 15, 30, 120000), 120, "exif")
    assert exif_time("2024:07:24 07:15:30\x00", offset="-0530") == CaptureTime(
        datetime(2024, 7, 24, 7, 15, 30), -330, "exif"
    )


@pytest.mark.parametrize("value", [None, "", "    :  :     :  :  ", "0000:00:00 00:00:00", "2024:13:01 00:00:00"])
def test_blank_or_invalid_exif_times_give_none(value: str | None) -> None:
    assert exif_time(value) is None


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("+02:00", 120), ("+0200", 120), ("-05:30", -330), ("Z", 0), ("", None), ("+25:00", None)],
)
def test_parse_offset(text: str, minutes: int | None) -> None:
    assert parse_offset(text) == minutes


def test_iso_time_keeps_local_time_and_offset() -> None:
    assert iso_time("2024-07-24T07:15:30+0200", source="quicktime") == CaptureTime(
        datetime(2024, 7, 24, 7, 15, 30), 120, "quicktime"
    )
    assert iso_time("2024-07-24T07:15", source="xmp") == CaptureTime(datetime(2024, 7, 24, 7, 15), None, "xmp")
    assert iso_time("2024-07-24", source="xmp") is None  # a date says nothing about the time of day
    assert iso_time("not a date", source="xmp") is None


def test_container_times_are_utc_and_zero_epochs_are_ignored() -> None:
    assert utc_time("2024-07-24T05:15:30.000000Z") == CaptureTime(datetime(2024, 7, 24, 5, 15, 30), 0, "container-utc")
    assert utc_time("2024-07-24T05:15:30") == CaptureTime(datetime(2024, 7, 24, 5, 15, 30), 0, "container-utc")
    assert utc_time("1970-01-01T00:00:00.000000Z") is None
    assert utc_time("1904-01-01T00:00:00Z") is None


# --- resolving -------------------------------------------------------------------------------------


def test_exif_with_offset_is_kept_as_is() -> None:
    exif = CaptureTime(datetime(2024, 7, 24, 7, 15, 30), 60, "exif")
    assert resolve(embedded=exif, filename="IMG_20240724_101010.jpg", device_tz="Asia/Tokyo") == exif


@pytest.mark.parametrize(("month", "offset"), [(7, 120), (1, 60)])
def test_exif_without_offset_gets_the_zone_offset_for_its_date(month: int, offset: int) -> None:
    exif = CaptureTime(datetime(2024, month, 24, 7, 15, 30), None, "exif")
    assert resolve(embedded=exif, uploaded_at=datetime(2024, 8, 1, tzinfo=UTC)) == CaptureTime(
        exif.local, offset, "exif"
    )


@pytest.mark.parametrize(
    ("utc", "device_tz", "local", "offset"),
    [
        (datetime(2024, 7, 24, 5, 15, 30), "Europe/Lisbon", datetime(2024, 7, 24, 6, 15, 30), 60),
        (datetime(2024, 7, 24, 5, 15, 30), None, datetime(2024, 7, 24, 7, 15, 30), 120),  # project zone
        (datetime(2024, 1, 24, 5, 15, 30), None, datetime(2024, 1, 24, 6, 15, 30), 60),  # winter time
        (datetime(2024, 7, 24, 5, 15, 30), "Not/AZone", datetime(2024, 7, 24, 7, 15, 30), 120),
        (datetime(2024, 7, 24, 5, 15, 30), "America/New_York", datetime(2024, 7, 24, 1, 15, 30), -240),
        # the night DST ends in Amsterdam: 00:30 UTC is 02:30 summer time, 01:30 UTC is 02:30 winter time
        (datetime(2024, 10, 27, 0, 30), None, datetime(2024, 10, 27, 2, 30), 120),
        (datetime(2024, 10, 27, 1, 30), None, datetime(2024, 10, 27, 2, 30), 60),
    ],
)
def test_container_utc_is_converted_into_the_device_or_project_zone(
    utc: datetime, device_tz: str | None, local: datetime, offset: int
) -> None:
    embedded = CaptureTime(utc, 0, "container-utc")
    found = resolve(embedded=embedded, device_tz=device_tz, uploaded_at=datetime(2024, 12, 1, tzinfo=UTC))
    assert found == CaptureTime(local, offset, "container-utc")


@settings(max_examples=100, deadline=None)
@given(
    when=st.datetimes(min_value=datetime(1980, 1, 1), max_value=datetime(2030, 1, 1)),
    zone=st.sampled_from(["Europe/Amsterdam", "America/Sao_Paulo", "Asia/Kolkata", "Australia/Adelaide", "UTC"]),
)
def test_container_utc_conversion_keeps_the_instant(when: datetime, zone: str) -> None:
    found = resolve(
        embedded=CaptureTime(when, 0, "container-utc"),
        device_tz=zone,
        uploaded_at=datetime(2031, 1, 1, tzinfo=UTC),
    )
    assert found.source == "container-utc"
    assert utc_instant(found.local, found.utc_offset_min) == when


def test_filename_comes_before_the_client_time() -> None:
    found = resolve(filename="IMG_20240724_071530.jpg", client_captured_at=datetime(2024, 7, 24, 9, 0, tzinfo=UTC))
    assert found == CaptureTime(datetime(2024, 7, 24, 7, 15, 30), 120, "filename")


def test_whatsapp_date_uses_client_time_on_the_same_day() -> None:
    client = datetime(2024, 7, 24, 6, 40, tzinfo=UTC)  # 08:40 in Amsterdam, same date as the name
    found = resolve(filename="IMG-20240724-WA0003.jpg", client_captured_at=client)
    assert found == CaptureTime(datetime(2024, 7, 24, 8, 40), 120, "client")


def test_whatsapp_date_falls_back_to_midday_when_the_client_time_is_another_day() -> None:
    found = resolve(filename="IMG-20240724-WA0003.jpg", client_captured_at=datetime(2024, 7, 29, 8, 0, tzinfo=UTC))
    assert found == CaptureTime(datetime(2024, 7, 24, 12, 0), 120, "filename")


def test_aware_client_time_is_converted_and_naive_is_taken_as_local() -> None:
    aware = resolve(client_captured_at=datetime(2024, 7, 24, 6, 0, tzinfo=UTC), device_tz="Europe/London")
    assert aware == CaptureTime(datetime(2024, 7, 24, 7, 0), 60, "client")
    naive = resolve(client_captured_at=datetime(2024, 7, 24, 6, 0), device_tz="Europe/London")
    assert naive == CaptureTime(datetime(2024, 7, 24, 6, 0), 60, "client")


def test_upload_time_is_the_last_resort() -> None:
    assert resolve(filename="holiday.jpg") == CaptureTime(datetime(2024, 7, 24, 20, 0), 120, "upload")
    assert resolve(device_tz="Asia/Kolkata") == CaptureTime(datetime(2024, 7, 24, 23, 30), 330, "upload")


def test_unset_clocks_and_future_times_are_skipped() -> None:
    unset = CaptureTime(datetime(1970, 1, 1, 0, 0), None, "exif")
    assert resolve(embedded=unset, filename="IMG_20240724_071530.jpg").source == "filename"
    future = CaptureTime(UPLOADED.replace(tzinfo=None) + timedelta(days=3), 0, "exif")
    assert resolve(embedded=future, client_captured_at=datetime(2024, 7, 24, 7, 0)).source == "client"
