"""The workshop report: its pages say the themes, quotes, notes and actions, in the project's language, and
only moments whose consent allows the report's scope appear."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.context import Context
from app.db import session_scope
from app.models import Project
from app.services import report, workshop
from app.services.errors import Conflict, Invalid
from tests import factories
from tests.pipeline.themes_data import DUTCH
from tests.services.theme_day import add_moments


def _pdf(ctx: Context, project: factories.ProjectRef, scope: str | None = None) -> bytes:
    with session_scope(ctx.sessions) as session:
        proj = session.get(Project, project.id)
        assert proj is not None
        return report.report_pdf(session=session, storage=ctx.storage, project=proj, scope=scope)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def test_report_pages(ctx: Context, project: factories.ProjectRef, tmp_path: Path, artifacts: Path) -> None:
    add_moments(ctx, project, DUTCH[:11], tmp_path / "org", scope="organisation", language="nl")
    add_moments(ctx, project, DUTCH[11:], tmp_path / "ws", scope="workshop", start=50)  # the #service moments
    with session_scope(ctx.sessions) as session:
        proj = session.get(Project, project.id)
        assert proj is not None
        prompts = workshop.prompts_of(proj)
        workshop.add_note(session=session, project=proj, body="Wachttijd bij de kassa is te lang", prompt=prompts[0])
        workshop.add_note(session=session, project=proj, body="Koffie verbindt het team", prompt=prompts[2])
        workshop.add_action(session=session, project=proj, text="Tweede kassa open bij drukte",
                            owner="Sanne (teamleider)", due="2026-04-01")
    pdf = _pdf(ctx, project)  # for the organisation: the workshop-only moments stay out
    (artifacts / "workshop-report.pdf").write_bytes(pdf)
    text = " ".join(_text(pdf).split())
    assert "Workshopverslag" in text and "Een dag in het ziekenhuis" in text
    assert "Gemaakt voor: gebruik binnen de organisatie" in text
    for theme in ("Wachtrij", "Koffie", "Parkeerplaats", "Lunch"):
        assert theme in text
    assert "“De wachtrij staat tot buiten”" in text  # the strongest quote of Wachtrij
    assert "#service" not in text and "Vriendelijke hulp" not in text  # consented to the workshop only
    assert prompts[0] in text and "Wachttijd bij de kassa is te lang" in text
    assert prompts[2] in text and "Koffie verbindt het team" in text
    assert "Tweede kassa open bij drukte" in text and "Sanne (teamleider)" in text and "2026-04-01" in text
    assert "Elk uur daartussen heeft momenten" in text  # coverage: 07:00-15:00, with holes per role
    assert "Uren zonder moment van een klant: 09:00–10:00 en 12:00–15:00" in text
    assert "Uren zonder moment van een medewerker: 07:00–09:00 en 10:00–12:00" in text
    assert PdfReader(io.BytesIO(pdf)).metadata.title.startswith("Workshopverslag")  # type: ignore[union-attr]
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True) if shutil.which("pdffonts") else None
    if fonts is not None and fonts.returncode == 0:
        assert b"Lato-Regular" in fonts.stdout and b"Lato-Italic" in fonts.stdout
    if shutil.which("pdftoppm"):  # page images, for people to look at
        subprocess.run(["pdftoppm", "-r", "50", "-png", str(artifacts / "workshop-report.pdf"),
                        str(artifacts / "workshop-report")], check=True)

    workshop_text = _text(_pdf(ctx, project, "workshop"))
    assert "#service" in workshop_text and "Gemaakt voor: de workshop" in " ".join(workshop_text.split())


def test_report_refuses_an_unknown_scope_and_an_empty_day(ctx: Context, project: factories.ProjectRef,
                                                           tmp_path: Path) -> None:
    with pytest.raises(Invalid):
        _pdf(ctx, project, "everyone")
    add_moments(ctx, project, DUTCH[:2], tmp_path / "w", scope="workshop")
    with pytest.raises(Conflict):
        _pdf(ctx, project, "public")
