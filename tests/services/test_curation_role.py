"""The curation service checks a role itself (the API's schema does too, other callers need not)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.context import Context
from app.db import session_scope
from app.models import Moment
from app.services.curation import MomentPatch, update_moment
from app.services.errors import Invalid
from tests import factories
from tests.mediagen import make_photo


def test_a_role_is_one_of_the_codes_or_refused(ctx: Context, project: factories.ProjectRef, tmp_path: Path) -> None:
    ref = factories.make_moment(ctx, project, make_photo(tmp_path / "p.jpg"))
    with session_scope(ctx.sessions) as session:
        moment = session.get(Moment, ref.id)
        assert moment is not None
        with pytest.raises(Invalid, match="role must be"):
            update_moment(session=session, moment=moment, patch=MomentPatch(role="boss"))
        assert moment.role == ""
        for role in ("employee", "customer", ""):
            assert update_moment(session=session, moment=moment, patch=MomentPatch(role=role)).role == role
