"""The report PDF from plain data: English words for English projects, Lato embedded, small enough to e-mail
even for 300 moments with camera-sized photos."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image
from pypdf import PdfReader

from media_pipeline.report.model import ReportAction, ReportData, ReportMoment, ReportTheme
from media_pipeline.report.pdf import build_report_pdf

MAX_EMAIL_BYTES = 15 * 1024 * 1024


def _noise(path: Path, size: tuple[int, int]) -> str:
    """A photo that compresses as badly as a real one (worse: pure noise)."""
    pixels = np.random.default_rng(7).integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path, quality=92)
    return str(path)


def test_english_report_of_300_moments_is_small_and_says_everything(tmp_path: Path) -> None:
    photo = _noise(tmp_path / "photo.jpg", (4032, 3024))
    moment = ReportMoment("09:00", "Fresh coffee for the team", 5, "employee", photo)
    data = ReportData(
        title="A day at the bakery", date="2026-03-12", language="en", scope="public", moments=300,
        contributors=61, customers=170, employees=130, cover_image=photo,
        mood_hourly=tuple((h, 1 + (h * 7 % 40) / 10) for h in range(6, 22)), high=(moment, moment),
        low=(ReportMoment("07:40", "The queue goes all the way outside", 1, "customer", photo),) * 2,
        themes_map=_noise(tmp_path / "map.jpg", (3200, 2000)),
        themes=tuple(ReportTheme(f"Theme {i}", 25, 3.4, "07:05–19:20", 14, 11,
                                 (f"Quote one of theme {i}", "Another quote", "A third")) for i in range(12)),
        first_hour=6, last_hour=21, missing_hours=((13, 14),), missing_customers=((6, 8),),
        notes=(("Look differently: what do you see?", ("The queue is the first thing customers meet",)),
               ("", ("A note without a prompt",))),
        actions=(ReportAction("Open a second till when the queue is long", "Sam (shift lead)", "2026-04-01"),),
    )
    out = build_report_pdf(data, tmp_path / "report.pdf")
    size = out.stat().st_size
    assert size < MAX_EMAIL_BYTES, f"{size / 1e6:.1f} MB"
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    text = " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())
    for words in ("Workshop report", "A day at the bakery", "Thursday 12 March 2026", "Made for: public use",
                  "300 moments", "High points", "Low points", "Theme 11", "“Quote one of theme 0”",
                  "Hours without any moment: 13:00–14:00", "Hours without a customer's moment: 06:00–08:00",
                  "Look differently: what do you see?", "The queue is the first thing customers meet",
                  "Other notes", "Open a second till when the queue is long", "Sam (shift lead)"):
        assert words in text, words
    fonts = {str(page["/Resources"]["/Font"][k].get_object()["/BaseFont"]) for page in reader.pages
             for k in page["/Resources"].get("/Font", {})}  # type: ignore[union-attr]
    assert any(f.endswith("+Lato-Regular") for f in fonts) and any(f.endswith("+Lato-Italic") for f in fonts)
    # photos were downsampled to print size: none is embedded at the camera's 4032 px
    widths = [img.image.width for page in reader.pages for img in page.images]
    assert widths and max(widths) < 4032


def test_same_data_same_file(tmp_path: Path) -> None:
    data = ReportData(title="Dag", date="2026-03-12", language="nl", scope="workshop", moments=1, contributors=1,
                      customers=1, employees=0)
    first = build_report_pdf(data, tmp_path / "a.pdf").read_bytes()
    assert build_report_pdf(data, tmp_path / "b.pdf").read_bytes() == first
