"""The template guard of the page tests (tests/template_guard.py) catches what it is there to catch."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace

import jinja2
import pytest
from starlette.requests import Request

from app import web
from app.context import Context
from app.models import Project
from tests import factories
from tests.template_guard import TemplateTouchedDatabase, templates_without_database

PROBES = {
    "probe/lazy.html": "{{ view.project.moments|length }} moments",
    "probe/column.html": "{{ view.project.title }}",
    "probe/plain.html": "{{ view.title }}: {{ view.moments }} moments",
    "probe/row.html": "{{ rows[0].title }}",
    "probe/held.html": "{{ view.project.title }}",
}


@pytest.fixture
def probe_templates(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The app's template environment, able to find the probe templates as well as its own."""
    env = web.templates.env
    monkeypatch.setattr(env, "loader", jinja2.ChoiceLoader([jinja2.DictLoader(PROBES), env.loader]))
    env.cache.clear()  # type: ignore[union-attr]  (the app's environment keeps its default cache)
    yield
    env.cache.clear()  # type: ignore[union-attr]


def _request() -> Request:
    return Request({"type": "http", "method": "GET", "path": "/", "query_string": b"", "headers": []})


def _carrying(row: Project) -> SimpleNamespace:
    """A row inside a plain object, which the check of the page's values does not open: the query guard's case."""
    return SimpleNamespace(project=row)


def test_a_template_that_lazy_loads_a_relationship_is_refused(
    ctx: Context, project: factories.ProjectRef, probe_templates: None,
) -> None:
    with ctx.sessions() as session, templates_without_database() as refused:
        row = session.get(Project, project.id)
        refusal = re.escape("probe/lazy.html loaded a lazy relationship of Project")
        with pytest.raises(TemplateTouchedDatabase, match=refusal):
            web.page(_request(), "probe/lazy.html", {"view": _carrying(row)})
    assert len(refused) == 1 and "Project.moments" in refused[0]


def test_a_template_that_reloads_an_expired_column_is_refused(
    ctx: Context, project: factories.ProjectRef, probe_templates: None,
) -> None:
    with ctx.sessions() as session, templates_without_database() as refused:
        row = session.get(Project, project.id)
        assert row is not None
        session.expire(row, ["title"])
        refusal = re.escape("probe/column.html loaded an unloaded or expired column")
        with pytest.raises(TemplateTouchedDatabase, match=refusal):
            web.page(_request(), "probe/column.html", {"view": _carrying(row)})
    assert len(refused) == 1


def test_view_data_renders_and_loads_outside_templates_are_left_alone(
    ctx: Context, project: factories.ProjectRef, probe_templates: None,
) -> None:
    with ctx.sessions() as session, templates_without_database() as refused:
        row = session.get(Project, project.id)
        assert row is not None
        session.expire(row, ["title"])
        view = {"title": row.title, "moments": len(row.moments)}  # loads in a service are what they are for
        response = web.page(_request(), "probe/plain.html", {"view": view})
    assert response.body.decode() == f"{row.title}: 0 moments"
    assert refused == []


def test_a_page_given_an_orm_row_is_refused_even_when_rendering_it_runs_no_query(
    ctx: Context, project: factories.ProjectRef, probe_templates: None,
) -> None:
    with ctx.sessions() as session, templates_without_database() as refused:
        row = session.get(Project, project.id)
        with pytest.raises(TemplateTouchedDatabase, match=re.escape("probe/row.html: rows[0] is a Project row")):
            web.page(_request(), "probe/row.html", {"rows": [row]})
    assert len(refused) == 1


@dataclass(frozen=True)
class _Holding:
    project: Project


def test_a_view_model_that_holds_an_orm_row_is_refused(
    ctx: Context, project: factories.ProjectRef, probe_templates: None,
) -> None:
    with ctx.sessions() as session, templates_without_database() as refused:
        row = session.get(Project, project.id)
        assert row is not None
        with pytest.raises(TemplateTouchedDatabase, match=re.escape("view.project is a Project row")):
            web.page(_request(), "probe/held.html", {"view": _Holding(row)})
    assert len(refused) == 1
