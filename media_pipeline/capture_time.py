"""The trust chain for capture times: embedded metadata, file name, the client's clock, the upload.

Pure functions on strings and datetimes; `probe` reads the raw values and calls the parsers here, the
app calls `resolve_capture_time` once it knows the contributor's time zone and the upload time.
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from media_pipeline.daytime import utc_microseconds
from media_pipeline.types import CaptureTime, TimeSource

# A year before this is a camera with an unset clock or a zero epoch (1904 QuickTime, 1970 Unix).
EARLIEST_YEAR = 1971
# A capture this far after the upload is a wrong clock, not a real time (allows for any zone mix-up).
FUTURE_SLACK = timedelta(days=1)
# A WhatsApp file name gives the date only; when the client's time does not fall on it we use midday.
DATE_ONLY_HOUR = 12

# YYYY MM DD, an optional separator (or WhatsApp desktop's " at "), HH MM SS, optional milliseconds
# (Pixel: PXL_20240724_071530123). Covers IMG_/VID_/PXL_/Screenshot_ prefixes, Samsung's bare
# 20240724_071530, Dropbox's "2024-07-24 07.15.30" and "WhatsApp Image 2024-07-24 at 07.15.30".
_DATETIME_RE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d\d)[-_.]?(?P<mo>\d\d)[-_.]?(?P<d>\d\d)"
    r"(?:[ _T.-]|\s+at\s+)?"
    r"(?P<h>\d\d)[-_.:]?(?P<mi>\d\d)[-_.:]?(?P<s>\d\d)(?P<ms>\d{3})?(?!\d)"
)
# WhatsApp on phones: IMG-20240724-WA0003.jpg, VID-20240724-WA0001.mp4 (date only)
_WHATSAPP_RE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{3}-(?P<y>(?:19|20)\d\d)(?P<mo>\d\d)(?P<d>\d\d)-WA\d+", re.I)
_EXIF_RE = re.compile(r"^\s*(\d{4})[:-](\d\d)[:-](\d\d)[ T](\d\d):(\d\d)(?::(\d\d))?")
_OFFSET_RE = re.compile(r"^\s*([+-])(\d\d):?(\d\d)\s*$")
# "GMT+02:00" / "UTC+2" / a trailing " UTC" that some XMP writers put where ISO 8601 has "+02:00" or "Z"
_ZONE_WORD_RE = re.compile(r"\s*(?:GMT|UTC)\s*(?:(?P<sign>[+-])(?P<h>\d{1,2})(?::?(?P<m>\d\d))?)?\s*$", re.I)

# XMP properties that say when a photo was taken, in order of trust: (namespace URI, property name).
# The namespace, not the prefix, names a property: Photoshop CS-era files write xmp:CreateDate as "xap:".
XMP_NS = "http://ns.adobe.com/xap/1.0/"
_XMP_DATES = (
    ("http://ns.adobe.com/photoshop/1.0/", "DateCreated"),
    (XMP_NS, "CreateDate"),
    ("http://ns.adobe.com/exif/1.0/", "DateTimeOriginal"),
)
# the prefixes these namespaces usually have, for a packet fragment that lost its xmlns declarations
_XMP_USUAL_PREFIXES = {
    "http://ns.adobe.com/photoshop/1.0/": ("photoshop",),
    XMP_NS: ("xmp", "xap"),
    "http://ns.adobe.com/exif/1.0/": ("exif",),
}
_XMLNS_RE = re.compile(r"xmlns:([A-Za-z_][\w.-]*)\s*=\s*[\"']([^\"']+)[\"']")


def _valid(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0
) -> datetime | None:
    if year < EARLIEST_YEAR:
        return None
    try:
        return datetime(year, month, day, hour, minute, second, micro)
    except ValueError:
        return None


def _filename_time(name: str) -> tuple[datetime, bool] | None:
    """(local time, date only) from a file name, or None."""
    base = re.split(r"[\\/]", name)[-1]
    for m in _DATETIME_RE.finditer(base):
        ms = int(m["ms"]) * 1000 if m["ms"] else 0
        found = _valid(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"]), ms)
        if found is not None:
            return found, False
    for m in _WHATSAPP_RE.finditer(base):
        found = _valid(int(m["y"]), int(m["mo"]), int(m["d"]), DATE_ONLY_HOUR)
        if found is not None:
            return found, True
    return None


def time_from_filename(name: str) -> CaptureTime | None:
    """The capture time a phone wrote into a file name (source "filename", offset unknown), or None.

    A WhatsApp name (IMG-20240724-WA0003.jpg) carries the date only; it is given at 12:00 local time.
    Never raises: anything that is not a valid date and time gives None.
    """
    found = _filename_time(name)
    return CaptureTime(local=found[0], utc_offset_min=None, source="filename") if found else None


def parse_offset(text: str | None) -> int | None:
    """Minutes east of UTC from "+02:00", "+0200", "-05:30" or "Z"; None when absent or malformed."""
    if not text:
        return None
    if text.strip().upper() == "Z":
        return 0
    m = _OFFSET_RE.match(text)
    if not m:
        return None
    minutes = int(m[2]) * 60 + int(m[3])
    if minutes > 14 * 60:
        return None
    return -minutes if m[1] == "-" else minutes


def exif_time(value: str | None, *, subsec: str | None = None, offset: str | None = None) -> CaptureTime | None:
    """An EXIF "YYYY:MM:DD HH:MM:SS" (+ SubSecTime digits, + OffsetTime) as source "exif"; None if blank."""
    if not value:
        return None
    m = _EXIF_RE.match(value.strip("\x00 "))
    if not m:
        return None
    micro = 0
    digits = (subsec or "").strip("\x00 ")
    if digits.isdigit():
        micro = int((digits + "000000")[:6])  # SubSec digits are a decimal fraction: "12" is 0.12 s
    y, mo, d, h, mi = (int(m[i]) for i in range(1, 6))
    local = _valid(y, mo, d, h, mi, int(m[6] or 0), micro)
    if local is None:
        return None
    return CaptureTime(local=local, utc_offset_min=parse_offset(offset), source="exif")


def iso_time(value: str | None, *, source: TimeSource) -> CaptureTime | None:
    """An ISO 8601 date-time (XMP, QuickTime): local time plus its offset when written; None if unusable.

    A date without a time of day is refused: it says nothing about when in the day it happened.
    """
    if not value:
        return None
    text = value.strip("\x00 ")
    if not re.match(r"^\d{4}-?\d\d-?\d\d[T ]\d\d", text):
        return None
    text = _ZONE_WORD_RE.sub(_iso_offset, text)  # lenient: "…09.526GMT+02:00" is "…09.526+02:00"
    try:
        parsed = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return None
    if parsed.year < EARLIEST_YEAR:
        return None
    offset = parsed.utcoffset()
    minutes = None if offset is None else int(offset.total_seconds() // 60)
    return CaptureTime(local=parsed.replace(tzinfo=None), utc_offset_min=minutes, source=source)


def _iso_offset(found: re.Match[str]) -> str:
    if not found["sign"]:
        return "+00:00"
    return f"{found['sign']}{int(found['h']):02d}:{found['m'] or '00'}"


def xmp_time(packet: str | None) -> CaptureTime | None:
    """The capture time in an XMP packet (source "xmp"): photoshop:DateCreated, then xmp:CreateDate, then
    exif:DateTimeOriginal, found by namespace whatever prefix the writer chose ("xap:" in older files).

    A date without a time of day is passed over for the next property. None when there is none.
    """
    if not packet:
        return None
    declared: dict[str, list[str]] = {}
    for prefix, uri in _XMLNS_RE.findall(packet):
        declared.setdefault(uri.strip(), []).append(prefix)
    for uri, name in _XMP_DATES:
        # undeclared (a fragment of a packet): the usual prefixes, unless bound to another namespace here
        taken = {prefix for other, names in declared.items() if other != uri for prefix in names}
        prefixes = declared.get(uri) or [p for p in _XMP_USUAL_PREFIXES[uri] if p not in taken]
        for prefix in prefixes:
            qname = re.escape(f"{prefix}:{name}")
            pattern = re.compile(rf"{qname}\s*=\s*[\"']([^\"']+)[\"']|<{qname}>\s*([^<]+?)\s*</{qname}>")
            for match in pattern.finditer(packet):
                found = iso_time(match[1] or match[2], source="xmp") or _exif_style(match[1] or match[2])
                if found is not None:
                    return found
    return None


def _exif_style(value: str) -> CaptureTime | None:
    """Some writers put EXIF's "2008:03:14 09:26:53" into XMP; lenient, as exiftool is."""
    found = exif_time(value)
    return CaptureTime(found.local, found.utc_offset_min, "xmp") if found is not None else None


def utc_time(value: str | None) -> CaptureTime | None:
    """A container creation_time (UTC by definition) as CaptureTime(UTC wall time, 0, "container-utc")."""
    found = iso_time(value, source="container-utc")
    if found is None:
        return None
    # "creation_time" is UTC even when written without a zone; honour an explicit offset if one is given
    try:
        utc = found.local - timedelta(minutes=found.utc_offset_min or 0)
    except OverflowError:  # year 1 or 9999 with an offset: a wrong clock
        return None
    if utc.year < EARLIEST_YEAR:
        return None
    return CaptureTime(local=utc, utc_offset_min=0, source="container-utc")


def _zone(name: str | None) -> tzinfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None  # a browser may send a zone our tz database lacks; fall back to the next one


def _in_zone(instant: datetime, zone: tzinfo | None, source: TimeSource) -> CaptureTime:
    """An instant as wall-clock time in `zone`; with no zone, as written (its own offset, else UTC)."""
    aware = instant if instant.tzinfo else instant.replace(tzinfo=UTC)
    local = aware.astimezone(zone) if zone is not None else aware
    return CaptureTime(local=local.replace(tzinfo=None), utc_offset_min=_offset_min(local), source=source)


def _offset_min(aware: datetime) -> int:
    offset = aware.utcoffset() or timedelta(0)
    return int(offset.total_seconds() // 60)


def _with_offset(found: CaptureTime, zone: tzinfo | None) -> CaptureTime:
    """A local time with its offset; an unknown offset is taken from the zone on that date (DST), and stays
    unknown (None) when no zone is known either."""
    if found.utc_offset_min is not None or zone is None:
        return found
    offset = _offset_min(found.local.replace(tzinfo=zone))
    return CaptureTime(local=found.local, utc_offset_min=offset, source=found.source)


def _plausible(found: CaptureTime, uploaded_at: datetime) -> bool:
    if found.local.year < EARLIEST_YEAR:
        return False
    # compared as integers: year 9999 west of Greenwich is past datetime.max in UTC
    latest = uploaded_at.astimezone(UTC).replace(tzinfo=None) + FUTURE_SLACK
    return utc_microseconds(found.local, found.utc_offset_min) <= utc_microseconds(latest, 0)


def resolve_capture_time(
    *,
    embedded: CaptureTime | None,
    filename: str | None,
    client_captured_at: datetime | None,
    device_tz: str | None,
    project_tz: str | None,
    uploaded_at: datetime,
) -> CaptureTime:
    """The best capture time we have, in the order of trust, as local time with its UTC offset.

    1. `embedded` (from `probe`: exif, xmp, quicktime, container-utc). A container UTC time is
       converted into `device_tz` (the contributor's zone at upload), else `project_tz`, with the
       offset valid on that date (DST).
    2. A date-time in `filename`. A date-only WhatsApp name uses the client time when that falls on
       the same local date (it is more precise), else that date at 12:00 (source "filename").
    3. `client_captured_at` (the browser's lastModified): aware is converted into the zone, naive is
       taken as local time (source "client").
    4. `uploaded_at` (aware UTC) converted into the zone (source "upload").

    A time without an offset gets the zone's offset for that date; with no zone at all (the CLI without
    --tz) its offset stays unknown (None), while a time that is UTC by definition (container, upload) is
    given in UTC with offset 0. A candidate from before 1971 (an unset clock, a zero epoch) or later than
    a day after the upload is skipped as a wrong clock.
    """
    zone = _zone(device_tz) or _zone(project_tz)
    uploaded_utc = uploaded_at if uploaded_at.tzinfo else uploaded_at.replace(tzinfo=UTC)

    client: CaptureTime | None = None
    if client_captured_at is not None:
        if client_captured_at.tzinfo is None:
            client = _with_offset(CaptureTime(client_captured_at, None, "client"), zone)
        else:
            try:
                client = _in_zone(client_captured_at, zone, "client")
            except OverflowError:  # year 1 or 9999 with an offset: no real clock says that
                client = None

    candidates: list[CaptureTime] = []
    if embedded is not None:
        if embedded.source == "container-utc":
            with contextlib.suppress(OverflowError):  # year 1 or 9999 in the zone: a wrong clock
                candidates.append(_in_zone(embedded.local.replace(tzinfo=UTC), zone, "container-utc"))
        else:
            candidates.append(_with_offset(embedded, zone))
    found = _filename_time(filename) if filename else None
    if found is not None:
        local, date_only = found
        if date_only and client is not None and client.local.date() == local.date():
            candidates.append(client)
        else:
            candidates.append(_with_offset(CaptureTime(local, None, "filename"), zone))
    if client is not None:
        candidates.append(client)

    for candidate in candidates:
        if _plausible(candidate, uploaded_utc):
            return candidate
    return _in_zone(uploaded_utc, zone, "upload")
