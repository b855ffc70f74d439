"""Titles on film cards and on the clock collage wrap between words, never inside one, and shrink to fit."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from media_pipeline.collage import CollageOptions, build_collage_plan, render_collage
from media_pipeline.collage.draw import DISC_TITLE_WIDTH
from media_pipeline.film.cards import card_image
from media_pipeline.film.lettering import fitted, px, text_length, unit
from media_pipeline.film.plan import Card
from media_pipeline.fonts import font
from media_pipeline.text import fit_text, lines_at, wrap_words
from media_pipeline.types import Moment, ProjectInfo

# capitals without descenders, so lines of text are always apart by empty rows of pixels
NO_SPACES = ("DEBAKKERIJVANDEFAMILIEDEVRIESINAMSTERDAMNOORDWERKTDEHELEDAGDOOR")[:60]
LONG = ("A long project title about the whole working day of the bakery team in Amsterdam Noord, "
        "from the first oven to the last delivery of the evening")
# lower case without descenders (the clock's centre is small: this fits it at 14 px on a 4K collage)
NO_SPACES_LOWER = "Debakkerdevriesinamsterdamnoordwerktdeheleochtendmetzestienmensen"[:60]
JOINED = "Werkdag_Bakkerij_De_Vries_Amsterdam_Noord_2026_ochtendploeg01"


def _rows_of_text(mask: np.ndarray) -> int:
    """How many separate runs of rows hold text (a single empty row inside a small letter does not part them)."""
    rows = mask.any(axis=1)
    rows[1:-1] |= rows[:-2] & rows[2:]
    return int(np.count_nonzero(rows[1:] & ~rows[:-1]) + rows[0])


def _bright(img: Image.Image, box: tuple[int, int, int, int] | None = None) -> np.ndarray:
    pixels = np.asarray(img.convert("RGB"))
    if box is not None:
        x, y, w, h = box
        pixels = pixels[y : y + h, x : x + w]
    return pixels.min(axis=2) > 200


def test_fit_text_keeps_words_whole_and_inside_the_width() -> None:
    width = 700.0

    def measure(size: int):  # type: ignore[no-untyped-def]
        return font(size, "bold")

    size, lines = fit_text(LONG, width, max_lines=2, start_px=80, min_px=30, measure=measure)
    assert " ".join(lines).split() == LONG.split()  # every break is between two words
    assert all(measure(size).getlength(line) <= width for line in lines)
    assert size == 30 and len(lines) > 2  # at the smallest size it wanted, more lines rather than a cut

    size, lines = fit_text(NO_SPACES, width, max_lines=2, start_px=80, min_px=30, measure=measure)
    assert lines == [NO_SPACES]  # smaller, not split
    assert size < 30 and measure(size).getlength(NO_SPACES) <= width

    size, lines = fit_text(JOINED, width, max_lines=3, start_px=80, min_px=30, measure=measure)
    assert "".join(lines) == JOINED and all(line.endswith("_") for line in lines[:-1])  # after the joins only
    assert all(measure(size).getlength(line) <= width for line in lines)


def test_a_word_that_fits_is_never_broken_at_its_joins() -> None:
    fnt = font(40)
    width = fnt.getlength("Jan-Willem bakt") + 1
    assert wrap_words("Jan-Willem bakt brood", fnt, width) == ["Jan-Willem bakt", "brood"]
    assert lines_at("Jan-Willem", fnt, fnt.getlength("Willem") + 1) == ["Jan-", "Willem"]


@pytest.mark.parametrize("size", [(1920, 1080), (320, 180), (1080, 1920)])
@pytest.mark.parametrize("title", [NO_SPACES, LONG])
def test_card_title_fits_the_card_and_keeps_words_whole(size: tuple[int, int], title: str) -> None:
    width, height = size
    u = unit(width, height)
    margin = px(120, u)
    block = fitted(title, width - 2 * margin, size_px=round(150 * u), min_px=round(80 * u), max_lines=2,
                   weight="black")
    assert " ".join(block.lines).split() == title.split()
    assert all(text_length(line, block.size_px, "black") <= width - 2 * margin for line in block.lines)
    img = card_image(Card("chapter", title), width, height, "#E4572E")
    letters = _bright(img)
    ys, xs = np.nonzero(letters)
    assert margin - 2 <= xs.min() and xs.max() <= width - margin + 2, (xs.min(), xs.max())
    assert ys.min() > 0 and ys.max() < height - 1
    if title == NO_SPACES:
        assert _rows_of_text(letters) == 1  # one line, shrunk: not broken mid-word


def test_long_title_on_the_clock_keeps_words_whole_inside_the_disc(tmp_path: Path) -> None:
    day = datetime(2026, 12, 5)
    moments = []
    for i in range(4):
        Image.new("RGB", (64, 48), (40 + i * 40, 90, 200 - i * 40)).save(tmp_path / f"p{i}.png")
        moments.append(Moment(f"p{i}", f"p{i}.png", "photo", 64, 48, day + timedelta(hours=7 + 3 * i), 60))
    for title in (NO_SPACES_LOWER, LONG):
        plan = build_collage_plan(moments, ProjectInfo(title=title, date="2026-12-05"),
                                  CollageOptions(layout="clock", width=3840, height=2160, labels=False))
        band = plan.title
        assert band is not None and band.shape == "disc"
        x, y, w, h = band.rect
        lines = lines_at(title, font(band.title_px, "bold"), w * DISC_TITLE_WIDTH)
        assert " ".join(lines).split() == title.split()
        out = render_collage(plan, tmp_path / "clock.png", resolve=lambda key: tmp_path / key, workers=1)
        with Image.open(out) as img:
            # the title's ink is the only near-white in the centre square (the hour numbers are above it)
            letters = _bright(img, (x, y + h // 6, w, h * 2 // 3))
        ys, xs = np.nonzero(letters)
        assert xs.min() >= w * (1 - DISC_TITLE_WIDTH) / 2 - 2 and xs.max() <= w * (1 + DISC_TITLE_WIDTH) / 2 + 2
        if title == NO_SPACES_LOWER:
            assert lines == [NO_SPACES_LOWER]
            assert ys.max() - ys.min() < 1.3 * band.title_px  # one line of type, not broken in two


def test_a_caption_keeps_a_readable_size_for_a_pasted_long_word() -> None:
    # captions pass their smallest size as the floor: an endless word breaks there instead of shrinking all
    word = "Z" * 120
    block = fitted(f"Kijk {word}", 600, size_px=48, min_px=32, max_lines=3, weight="regular", floor_px=32)
    assert block.size_px == 32
    assert all(text_length(line, 32, "regular") <= 600 for line in block.lines)
    assert "".join(block.lines).replace(" ", "") == f"Kijk{word}"
