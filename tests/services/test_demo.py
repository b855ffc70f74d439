"""The demo speaks one language throughout: its project, every caption and the demo user's pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.context import Context
from app.demo import DEMO_EMAIL, SCENES, TEXT, create_demo
from app.models import Moment, Project, User


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_demo_is_in_one_language(ctx: Context, language: str) -> None:
    other = "nl" if language == "en" else "en"
    lines = list(create_demo(ctx, render=False, language=language))
    assert any(f"{TEXT[language].title} (id" in line and "in " in line for line in lines), lines
    with ctx.sessions() as s:
        project = s.scalars(select(Project)).one()
        assert (project.title, project.language, project.welcome_text) == (
            TEXT[language].title, language, TEXT[language].welcome)
        captions = set(s.scalars(select(Moment.caption).where(Moment.project_id == project.id)))
        user = s.scalars(select(User).where(User.email == DEMO_EMAIL)).one()
        assert user.language == language
    assert captions == {scene.caption[language] for scene in SCENES}
    assert not captions & {scene.caption[other] for scene in SCENES}
