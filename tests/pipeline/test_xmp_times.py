"""Capture times of real files: XMP with the legacy "xap:" prefix, near-ISO dates, and no zone known."""

from __future__ import annotations

import io
import json
import struct
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from app.cli import main
from media_pipeline.capture_time import iso_time, xmp_time
from media_pipeline.probe import probe
from media_pipeline.types import CaptureTime
from tests.mediagen import make_photo

XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"


def packet(description: str, namespaces: str) -> str:
    """An XMP packet as Photoshop CS wrote them: xpacket wrapper, rdf:Description with attributes."""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="3.1.1-111">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        f'  <rdf:Description rdf:about="" {namespaces}>\n{description}\n  </rdf:Description>\n'
        " </rdf:RDF>\n</x:xmpmeta>\n" + " " * 200 + '\n<?xpacket end="w"?>'
    )


XAP = 'xmlns:xap="http://ns.adobe.com/xap/1.0/"'
PHOTOSHOP = 'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"'


def jpeg_with_app1_xmp(path: Path, xmp: str) -> Path:
    """A JPEG with the XMP packet in its own APP1 segment, inserted by hand right after SOI."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buffer, "JPEG")
    data = buffer.getvalue()
    body = XMP_HEADER + xmp.encode("utf-8")
    segment = b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body
    path.write_bytes(data[:2] + segment + data[2:])
    return path


def test_xap_create_date_as_element_is_read(tmp_path: Path) -> None:
    xmp = packet("   <xap:CreateDate>2008-03-14T09:26:53+01:00</xap:CreateDate>\n"
                 "   <xap:ModifyDate>2008-03-20T11:00:00+01:00</xap:ModifyDate>", XAP)
    photo = jpeg_with_app1_xmp(tmp_path / "cs3.jpg", xmp)
    assert probe(photo).captured == CaptureTime(datetime(2008, 3, 14, 9, 26, 53), 60, "xmp")


def test_xap_create_date_as_attribute_is_read_saved_by_pillow(tmp_path: Path) -> None:
    xmp = packet('   xap:CreateDate="2011-06-01T18:05:02.25-04:00" xap:MetadataDate="2011-06-02T10:00:00"', XAP)
    photo = tmp_path / "attr.jpg"
    Image.new("RGB", (64, 48), (30, 120, 200)).save(photo, "JPEG", xmp=xmp.encode())
    assert probe(photo).captured == CaptureTime(datetime(2011, 6, 1, 18, 5, 2, 250000), -240, "xmp")


def test_photoshop_date_created_comes_first_and_a_date_alone_is_passed_over() -> None:
    both = packet('   photoshop:DateCreated="2019-05-04T07:08:09" xap:CreateDate="2019-05-05T10:00:00+02:00"',
                  f"{XAP} {PHOTOSHOP}")
    assert xmp_time(both) == CaptureTime(datetime(2019, 5, 4, 7, 8, 9), None, "xmp")
    date_only = packet('   photoshop:DateCreated="2019-05-04" xap:CreateDate="2019-05-05T10:00:00+02:00"',
                       f"{XAP} {PHOTOSHOP}")
    assert xmp_time(date_only) == CaptureTime(datetime(2019, 5, 5, 10, 0), 120, "xmp")


def test_any_prefix_bound_to_the_xmp_namespace_counts() -> None:
    odd = packet('   ns1:CreateDate="2020-02-02T02:02:02Z"', 'xmlns:ns1="http://ns.adobe.com/xap/1.0/"')
    assert xmp_time(odd) == CaptureTime(datetime(2020, 2, 2, 2, 2, 2), 0, "xmp")
    # "xap:" bound to another namespace is not the XMP basic schema
    other = packet('   xap:CreateDate="2020-02-02T02:02:02Z"', 'xmlns:xap="http://example.com/not-xmp/"')
    assert xmp_time(other) is None


@pytest.mark.parametrize(
    ("written", "local", "offset"),
    [
        ("2024-04-22T14:38:09.526GMT+02:00", datetime(2024, 4, 22, 14, 38, 9, 526000), 120),
        ("2024-04-22T14:38:09 UTC", datetime(2024, 4, 22, 14, 38, 9), 0),
        ("2024-04-22T14:38:09GMT-5", datetime(2024, 4, 22, 14, 38, 9), -300),
        ("2024-04-22T14:38:09+0200", datetime(2024, 4, 22, 14, 38, 9), 120),
    ],
)
def test_near_iso_dates_are_read_leniently(written: str, local: datetime, offset: int) -> None:
    assert iso_time(written, source="xmp") == CaptureTime(local, offset, "xmp")


def test_exif_style_date_in_xmp_is_read() -> None:
    xmp = packet("   <xap:CreateDate>2008:03:14 09:26:53</xap:CreateDate>", XAP)
    assert xmp_time(xmp) == CaptureTime(datetime(2008, 3, 14, 9, 26, 53), None, "xmp")


def test_near_iso_date_in_a_file(tmp_path: Path) -> None:
    xmp = packet("   <xap:CreateDate>2024-04-22T14:38:09.526GMT+02:00</xap:CreateDate>", XAP)
    photo = jpeg_with_app1_xmp(tmp_path / "gmt.jpg", xmp)
    assert probe(photo).captured == CaptureTime(datetime(2024, 4, 22, 14, 38, 9, 526000), 120, "xmp")


def _probe_json(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, object]:
    assert main(["probe", str(path), "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_cli_probe_without_any_zone_says_the_offset_is_unknown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = make_photo(tmp_path / "plain.jpg", taken=datetime(2024, 7, 24, 7, 15, 30))  # EXIF without offset
    row = _probe_json(photo, capsys)
    assert (row["captured_local"], row["utc_offset"], row["time_source"]) == ("2024-07-24T07:15:30", None, "exif")
    # a zone given on the command line gives the offset on that date
    assert _probe_json(photo, capsys, "--tz", "Europe/Amsterdam")["utc_offset"] == "+02:00"
    # an offset in the file is kept either way
    with_offset = make_photo(tmp_path / "offset.jpg", taken=datetime(2024, 7, 24, 7, 15, 30), offset="-03:00")
    assert _probe_json(with_offset, capsys)["utc_offset"] == "-03:00"
    # a name-only time (no metadata) has no offset either
    named = make_photo(tmp_path / "IMG_20240724_071530.jpg")
    row = _probe_json(named, capsys)
    assert (row["time_source"], row["utc_offset"]) == ("filename", None)
