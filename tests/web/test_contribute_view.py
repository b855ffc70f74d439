"""The contributor pages get plain values (app/services/contribute_view.py), never ORM rows: a template
cannot start a query, lazy or not, nor read a row after its session ended."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.db import Base
from app.models import Project
from app.services.contribute_view import MomentView, ProjectView
from tests import factories
from tests.mediagen import make_photo
from tests.web.test_contribute import csrf_of, photo, second, upload  # noqa: F401 (fixtures)


def orm_rows(value: Any, where: str = "context") -> list[str]:
    """Where in a page's values an ORM row sits, looking through dicts, lists and dataclasses."""
    if isinstance(value, Base):
        return [f"{where}: {type(value).__name__}"]
    if isinstance(value, dict):
        return [f for k, v in value.items() for f in orm_rows(v, f"{where}[{k!r}]")]
    if isinstance(value, list | tuple | set | frozenset):
        return [f for i, v in enumerate(value) for f in orm_rows(v, f"{where}[{i}]")]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [f for fld in dataclasses.fields(value)
                for f in orm_rows(getattr(value, fld.name), f"{where}.{fld.name}")]
    return []


def test_the_check_finds_a_row_wherever_it_sits() -> None:
    row = Project(title="x")
    assert orm_rows({"a": [1, {"b": (row,)}]}) == ["context['a'][1]['b'][0]: Project"]
    assert orm_rows({"a": ProjectView("t", "tok", None, "", True)}) == []  # type: ignore[arg-type]


def test_every_contributor_page_gets_plain_values(
    client: TestClient, second: TestClient, project: factories.ProjectRef, photo: Path, tmp_path: Path  # noqa: F811
) -> None:
    token = project.invite_token
    pages = [client.get(f"/c/{token}")]
    csrf = csrf_of(pages[0].text)
    with photo.open("rb") as fh:  # no consent: the invite page again, with the error
        pages.append(client.post(f"/c/{token}", files={"file": ("a.jpg", fh)}, data={"csrf": csrf}))
    with photo.open("rb") as fh:
        pages.append(client.post(f"/c/{token}", files={"file": ("a.jpg", fh)},
                                 data={"csrf": csrf, "consent": "true", "caption": "Koffie"}))
    pages.append(client.get(f"/c/{token}/me"))
    mine = client.cookies.get(f"dayreel_contributor_{project.id}")
    upload(second, token, make_photo(tmp_path / "b.jpg", colour="green"))
    pages.append(second.get(f"/c/{token}/me/{mine}", follow_redirects=False))  # asks before switching
    pages.append(client.get("/c/not-an-invite"))
    seen: dict[str, dict[str, Any]] = {}
    for r in pages:  # TestClient answers carry the template and its context
        assert r.template.name.startswith("contribute/"), r.template.name
        seen[r.template.name] = r.context
        assert orm_rows(r.context) == [], r.template.name
    assert set(seen) == {f"contribute/{n}.html" for n in ("invite", "thanks", "me", "switch", "invalid")}
    assert isinstance(seen["contribute/me.html"]["project"], ProjectView)
    assert [m.caption for m in seen["contribute/me.html"]["moments"]] == ["Koffie"]
    assert all(isinstance(m, MomentView) for m in seen["contribute/me.html"]["moments"])
