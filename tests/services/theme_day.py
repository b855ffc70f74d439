"""A project day whose captions have known themes (tests/pipeline/themes_data.py), as stored moments."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from app.context import Context
from app.db import session_scope
from app.models import Moment, Project
from tests import factories
from tests.mediagen import make_photo


def add_moments(ctx: Context, project: factories.ProjectRef, rows: list[tuple[str, str, int, str]], folder: Path,
                *, scope: str = "workshop", language: str | None = None, start: int = 0) -> list[int]:
    """Approved photo moments on the project's day from (time, caption, mood, role) rows; their ids in order."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for i, (time, caption, mood, role) in enumerate(rows, start=start):
        colour = ((i * 37) % 256, (i * 91) % 256, (i * 53 + 40) % 256)
        photo = make_photo(folder / f"p{i}.jpg", size=(96, 64), colour=colour, top_colour=(255 - colour[0], 90, 30))
        ref = factories.make_moment(ctx, project, photo, status="approved")
        with session_scope(ctx.sessions) as session:
            m = session.get(Moment, ref.id)
            assert m is not None
            m.caption, m.mood, m.role, m.consent_scope = caption, mood, role, scope
            m.captured_local = datetime.fromisoformat(f"{m.project.day.isoformat()}T{time}:00")
            if language:
                session.get(Project, project.id).language = language  # type: ignore[union-attr]
        ids.append(ref.id)
    return ids
