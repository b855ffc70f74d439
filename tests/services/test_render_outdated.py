"""A finished render is marked outdated when what it shows would change: its moments, or whose faces it hides."""

from __future__ import annotations

from datetime import datetime

from app.context import Context
from app.db import session_scope
from app.models import Project, Render
from app.services import faces, rendering
from tests import factories


def test_changing_the_face_blurring_policy_outdates_finished_renders(
    ctx: Context, project: factories.ProjectRef
) -> None:
    factories.add_rows(ctx, project, [datetime(2024, 7, 24, 9), datetime(2024, 7, 24, 17)], status="approved")
    with session_scope(ctx.sessions) as s:
        p = s.get(Project, project.id)
        assert p is not None
        s.add(Render(project_id=project.id, kind="film", status="done", moments_digest=rendering.moments_digest(s, p)))

    def outdated() -> bool:
        with ctx.sessions() as s:
            return rendering.is_outdated(session=s, render=s.query(Render).one())

    def set_policy(policy: str) -> None:
        with ctx.sessions() as s:
            p = s.get(Project, project.id)
            assert p is not None
            faces.set_policy(session=s, project=p, policy=policy)

    assert not outdated()
    set_policy("always")
    assert outdated()  # the film still shows faces the project now hides
    set_policy(faces.DEFAULT_POLICY)
    assert not outdated()  # back as it was made
