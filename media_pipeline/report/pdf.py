"""ReportData -> the workshop report PDF (ReportLab Platypus: flowing pages, tables, vector chart).

ReportLab because the report is a document, not a picture: paragraphs and tables flow over as many pages as
the notes and actions need, the mood curve is drawn as vectors, and TrueType fonts (the bundled Lato) are
embedded as subsets, with no system libraries needed (WeasyPrint needs Pango; fpdf2 has no flowing layout).
Photos are downsampled to 300 dpi at the size they are placed, so the file stays small enough to e-mail.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from xml.sax.saxutils import escape

from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from media_pipeline.collage.wording import date_text
from media_pipeline.fonts import Weight, font_path
from media_pipeline.images import open_image
from media_pipeline.report.model import ReportData, ReportMoment
from media_pipeline.report.wording import hours_text, mood_text, rw
from media_pipeline.themes.map import mood_colour
from media_pipeline.words import role_word

PRINT_DPI = 300
JPEG_QUALITY = 82
MARGIN = 1.8 * cm
INK = colors.HexColor("#1c1c1e")
MUTED = colors.HexColor("#6b6b70")


@lru_cache(maxsize=1)
def _fonts() -> str:
    """Register the bundled Lato once; returns the family name."""
    faces: tuple[tuple[str, Weight], ...] = (("Lato", "regular"), ("Lato-Bold", "bold"), ("Lato-Italic", "italic"))
    for name, weight in faces:
        pdfmetrics.registerFont(TTFont(name, str(font_path(weight))))
    pdfmetrics.registerFontFamily("Lato", normal="Lato", bold="Lato-Bold", italic="Lato-Italic",
                                  boldItalic="Lato-Bold")
    return "Lato"


def _styles(brand: colors.Color) -> dict[str, ParagraphStyle]:
    family = _fonts()
    base = ParagraphStyle("body", fontName=family, fontSize=10.5, leading=14.5, textColor=INK, spaceAfter=5)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=12, textColor=MUTED),
        "cover": ParagraphStyle("cover", parent=base, fontName="Lato-Bold", fontSize=30, leading=36, spaceAfter=8),
        "kicker": ParagraphStyle("kicker", parent=base, fontName="Lato-Bold", fontSize=12, textColor=brand),
        "h1": ParagraphStyle("h1", parent=base, fontName="Lato-Bold", fontSize=20, leading=25, spaceBefore=4,
                             spaceAfter=10),
        "h2": ParagraphStyle("h2", parent=base, fontName="Lato-Bold", fontSize=13.5, leading=18, spaceBefore=10,
                             spaceAfter=4),
        "quote": ParagraphStyle("quote", parent=base, fontName="Lato-Italic", leftIndent=12, textColor=INK),
    }


def _placed(path: str | None, max_w: float, max_h: float, work: Path) -> Image | None:
    """The picture fitted in max_w x max_h points, downsampled to 300 dpi at that size (JPEG)."""
    if not path:
        return None
    try:
        with PILImage.open(path) as probe:
            src_w, src_h = probe.size
    except OSError:
        return None
    scale = min(max_w / src_w, max_h / src_h)
    w_pt, h_pt = src_w * scale, src_h * scale
    px = (max(1, min(src_w, round(w_pt / 72 * PRINT_DPI))), max(1, min(src_h, round(h_pt / 72 * PRINT_DPI))))
    try:
        img = open_image(Path(path), fit=px)
    except Exception:  # a picture that cannot be read leaves a gap, never a failed report
        return None
    img = img.resize(px, PILImage.Resampling.LANCZOS) if img.size != px else img
    out = work / f"img-{len(os.listdir(work))}.jpg"
    img.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, dpi=(PRINT_DPI, PRINT_DPI))
    return Image(str(out), width=w_pt, height=h_pt)


class MoodChart(Flowable):
    """Mean mood per hour as a line over a 1-5 scale, the day's hours along the bottom (drawn straight on the
    page canvas: vectors in Lato, nothing else)."""

    def __init__(self, data: ReportData, width: float, height: float, brand: colors.Color) -> None:
        super().__init__()
        self.data, self.width, self.height, self.brand = data, width, height, brand

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c, data = self.canv, self.data
        left, bottom, top = 22, 18, 8
        first, last = data.first_hour, max(data.last_hour, data.first_hour + 1)
        plot_w, plot_h = self.width - left - 6, self.height - bottom - top

        def xy(hour: float, mood: float) -> tuple[float, float]:
            return left + (hour - first) / (last - first) * plot_w, bottom + (mood - 1) / 4 * plot_h

        c.setFont("Lato", 7)
        c.setLineWidth(0.5)
        for level in range(1, 6):
            _, y = xy(first, level)
            c.setStrokeColor(colors.HexColor("#e2e0dc"))
            c.line(left, y, left + plot_w, y)
            c.setFillColor(MUTED)
            c.drawRightString(left - 6, y - 2.5, str(level))
        for hour in range(first, last + 1, 1 if last - first <= 12 else 2):
            c.drawCentredString(xy(hour, 1)[0], 4, f"{hour:02d}")
        points = [xy(h, m) for h, m in data.mood_hourly]
        c.setStrokeColor(self.brand)
        c.setLineWidth(2)
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            c.line(x0, y0, x1, y1)
        c.setStrokeColor(colors.white)
        c.setLineWidth(0.8)
        for (_, mood), (x, y) in zip(data.mood_hourly, points, strict=True):
            r, g, b = mood_colour(mood)
            c.setFillColor(colors.Color(r / 255, g / 255, b / 255))
            c.circle(x, y, 3.2, stroke=1, fill=1)


def _moment_row(m: ReportMoment, styles: dict[str, ParagraphStyle], work: Path, language: str) -> list[Any]:
    picture = _placed(m.image, 5.2 * cm, 3.9 * cm, work) or Spacer(5.2 * cm, 1)
    mood = "–" if m.mood is None else str(m.mood)
    words = [Paragraph(f"<b>{escape(m.time)}</b> · {escape(rw('mood_word', language))} {mood}/5", styles["small"]),
             Paragraph(f"“{escape(m.caption)}”" if m.caption else "–", styles["quote"])]
    return [picture, words]


def _moments_table(moments: Sequence[ReportMoment], styles: dict[str, ParagraphStyle], work: Path,
                   language: str) -> Table:
    table = Table([_moment_row(m, styles, work, language) for m in moments], colWidths=[5.6 * cm, None])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                               ("LEFTPADDING", (0, 0), (0, -1), 0)]))
    return table


def build_report_pdf(data: ReportData, out_path: Path) -> Path:
    """Write the report to `out_path` atomically and return it. Deterministic: no timestamps in the file."""
    lang = data.language
    brand = colors.HexColor(data.brand_color if data.brand_color.startswith("#") else f"#{data.brand_color}")
    styles = _styles(brand)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
    with TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        doc = BaseDocTemplate(str(tmp), pagesize=A4, title=f"{rw('report', lang)} · {data.title}",
                              author="dayreel", invariant=1, initialFontName="Lato", leftMargin=MARGIN,
                              rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN)
        footer = f"{data.title} · {rw('report', lang)}"

        def on_page(canvas: Any, document: Any) -> None:
            canvas.saveState()
            canvas.setFont("Lato", 8)
            canvas.setFillColor(MUTED)
            canvas.drawString(MARGIN, 1.0 * cm, footer)
            page_width = canvas._pagesize[0]  # this page's own: the themes map's page lies on its side
            canvas.drawRightString(page_width - MARGIN, 1.0 * cm, f"{rw('page', lang)} {document.page}")
            canvas.restoreState()

        portrait = Frame(MARGIN, MARGIN, A4[0] - 2 * MARGIN, A4[1] - 2 * MARGIN, id="portrait")
        wide = landscape(A4)
        land = Frame(MARGIN, MARGIN, wide[0] - 2 * MARGIN, wide[1] - 2 * MARGIN, id="landscape")
        doc.addPageTemplates([PageTemplate("portrait", [portrait], onPage=on_page, pagesize=A4),
                              PageTemplate("landscape", [land], onPage=on_page, pagesize=wide)])
        width = A4[0] - 2 * MARGIN
        story: list[Any] = _cover(data, styles, width, work)
        story += [PageBreak(), *_mood_page(data, styles, width, brand, work)]
        story += [NextPageTemplate("landscape"), PageBreak(), *_themes_pages(data, styles, wide[0] - 2 * MARGIN,
                                                                             wide[1] - 2 * MARGIN, work)]
        story += [NextPageTemplate("portrait"), PageBreak(), *_coverage(data, styles), *_notes(data, styles)]
        story += [PageBreak(), *_actions(data, styles, width)]
        doc.build(story)
    os.replace(tmp, out_path)
    return out_path


def _cover(data: ReportData, styles: dict[str, ParagraphStyle], width: float, work: Path) -> list[Any]:
    lang = data.language
    counts = (f"{data.moments} {rw('moments', lang)} · {data.contributors} {rw('contributors', lang)} · "
              f"{data.customers} {role_word('customer', lang, plural=True)} · "
              f"{data.employees} {role_word('employee', lang, plural=True)}")
    story: list[Any] = [Paragraph(escape(rw("report", lang)), styles["kicker"]),
                        Paragraph(escape(data.title), styles["cover"]),
                        Paragraph(escape(date_text(data.date, lang)), styles["h2"]),
                        Paragraph(escape(counts), styles["body"]), Spacer(1, 0.4 * cm)]
    cover = _placed(data.cover_image, width, 15 * cm, work)
    if cover is not None:
        story += [cover, Spacer(1, 0.4 * cm)]
    story.append(Paragraph(escape(rw("scope", lang, scope=rw(f"scope.{data.scope}", lang))), styles["small"]))
    return story


def _mood_page(data: ReportData, styles: dict[str, ParagraphStyle], width: float, brand: colors.Color,
               work: Path) -> list[Any]:
    lang = data.language
    story: list[Any] = [Paragraph(escape(rw("mood", lang)), styles["h1"])]
    if not data.mood_hourly:
        return [*story, Paragraph(escape(rw("no_mood", lang)), styles["body"])]
    story += [Paragraph(escape(rw("mood_intro", lang)), styles["small"]), MoodChart(data, width, 6 * cm, brand)]
    for key, moments in (("high", data.high), ("low", data.low)):
        if moments:
            story += [Paragraph(escape(rw(key, lang)), styles["h2"]), _moments_table(moments, styles, work, lang)]
    return story


def _themes_pages(data: ReportData, styles: dict[str, ParagraphStyle], width: float, height: float,
                  work: Path) -> list[Any]:
    lang = data.language
    story: list[Any] = [Paragraph(escape(rw("themes", lang)), styles["h1"])]
    picture = _placed(data.themes_map, width, height - 2.6 * cm, work)  # the heading stays on its page
    if picture is not None:
        story.append(picture)
    if not data.themes:
        return [*story, Paragraph(escape(rw("no_themes", lang)), styles["body"])]
    story += [NextPageTemplate("portrait"), PageBreak()]
    for t in data.themes:
        roles = (f"{t.customers} {role_word('customer', lang, plural=True)} / "
                 f"{t.employees} {role_word('employee', lang, plural=True)}")
        block = [Paragraph(escape(t.name), styles["h2"]),
                 Paragraph(escape(rw("theme_line", lang, count=t.count, mood=mood_text(t.mean_mood, lang),
                                     span=t.span, roles=roles)), styles["small"])]
        block += [Paragraph(f"“{escape(q)}”", styles["quote"]) for q in t.quotes]
        story.append(KeepTogether([*block]))  # a list[Flowable]: KeepTogether's stubs refuse a list[Paragraph]
    return story


def _coverage(data: ReportData, styles: dict[str, ParagraphStyle]) -> list[Any]:
    lang = data.language
    lines = [rw("span", lang, first=f"{data.first_hour:02d}:00", last=f"{data.last_hour + 1:02d}:00"),
             rw("missing_hours", lang, hours=hours_text(data.missing_hours, lang)) if data.missing_hours
             else rw("missing_none", lang)]
    for role, ranges, count in (("customers", data.missing_customers, data.customers),
                                ("employees", data.missing_employees, data.employees)):
        if count == 0:
            lines.append(rw(f"no_{role}", lang))
        elif ranges:
            lines.append(rw(f"missing_{role}", lang, hours=hours_text(ranges, lang)))
    return [Paragraph(escape(rw("coverage", lang)), styles["h1"]),
            *[Paragraph(escape(line), styles["body"]) for line in lines], Spacer(1, 0.6 * cm)]


def _notes(data: ReportData, styles: dict[str, ParagraphStyle]) -> list[Any]:
    lang = data.language
    story: list[Any] = [Paragraph(escape(rw("notes", lang)), styles["h1"])]
    if not data.notes:
        return [*story, Paragraph(escape(rw("no_notes", lang)), styles["body"])]
    for prompt, notes in data.notes:
        story.append(Paragraph(escape(prompt or rw("other_notes", lang)), styles["h2"]))
        story += [Paragraph(f"• {escape(n)}", styles["body"]) for n in notes]
    return story


def _actions(data: ReportData, styles: dict[str, ParagraphStyle], width: float) -> list[Any]:
    lang = data.language
    story: list[Any] = [Paragraph(escape(rw("actions", lang)), styles["h1"])]
    if not data.actions:
        return [*story, Paragraph(escape(rw("no_actions", lang)), styles["body"])]
    head = [Paragraph(f"<b>{escape(rw(k, lang))}</b>", styles["body"]) for k in ("action", "owner", "due")]
    rows = [[Paragraph(escape(a.text), styles["body"]), Paragraph(escape(a.owner), styles["body"]),
             Paragraph(escape(a.due), styles["body"])] for a in data.actions]
    table = Table([head, *rows], colWidths=[width * 0.6, width * 0.25, width * 0.15], repeatRows=1)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor("#d8d4cc")),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f1eee8"))]))
    return [*story, table]
