"""Page tests refuse a template that touches the database: pages get plain view data, not ORM rows.

While `app.web.page` renders a template (`app.web.RENDERING` is set), an ORM query that loads a relationship
or (re)loads a column of a row already in the session means the template reached through an ORM row — a lazy
load per row of a loop. The listener raises (the page answers 500) and keeps what it saw, so the test fails
even where nothing looks at that page's answer (a browser test, an error handler).

A query is only the loud case: a many-to-one already in the identity map loads without one. So the page's
values are looked at too, before rendering: an ORM row among them (in a list, a dict, a tuple) is refused.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import BaseModel
from sqlalchemy import event, inspect
from sqlalchemy.orm import InstanceState, ORMExecuteState, Session

from app import web
from app.web import RENDERING

# Values still given as ORM rows, each with where it is made and why it is not changed here.
ROWS_ALLOWED: dict[str, Callable[[str], bool]] = {}  # a key and the templates that may still get a row there


class TemplateTouchedDatabase(AssertionError):
    """A template made the ORM load a relationship or a column: give it view data instead."""


def _violation(state: ORMExecuteState) -> str | None:
    template = RENDERING.get()
    if template is None:
        return None
    if state.is_relationship_load:
        owner = state.lazy_loaded_from
        path = state.loader_strategy_path
        prop = path[-1] if path is not None and len(path) else None
        what = (f"a lazy relationship of {owner.class_.__name__} {owner.identity}: {prop}" if owner is not None
                else f"a relationship: {prop}")
    elif state.is_column_load:
        what = "an unloaded or expired column"
    else:
        what = "a query"  # a template has no session to query with; a property of an ORM row does
    return f"{template} loaded {what} while rendering: {' '.join(str(state.statement).split())[:200]}"


def _rows_in(value: Any, where: str, depth: int = 0) -> Iterator[str]:
    """Where in `value` an ORM row is: containers, dataclasses and pydantic models are looked into."""
    if isinstance(inspect(value, raiseerr=False), InstanceState):
        yield f"{where} is a {type(value).__name__} row"
    elif depth >= 4:
        return
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _rows_in(v, f"{where}[{k!r}]", depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for i, v in enumerate(value):
            yield from _rows_in(v, f"{where}[{i}]", depth + 1)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _rows_in(getattr(value, field.name), f"{where}.{field.name}", depth + 1)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _rows_in(getattr(value, name), f"{where}.{name}", depth + 1)


def rows_given(template: str, context: dict[str, Any]) -> list[str]:
    """The ORM rows among a page's values, but for those ROWS_ALLOWED still lets through."""
    return [f"{template}: {found}" for key, value in context.items()
            if not (key in ROWS_ALLOWED and ROWS_ALLOWED[key](template))
            for found in _rows_in(value, key)]


@contextmanager
def templates_without_database() -> Iterator[list[str]]:
    """Every Session (the app's, in any thread) refuses loads made while a template renders, and every page
    refuses ORM rows among its values; yields the list of what was refused."""
    seen: list[str] = []

    def refuse(state: ORMExecuteState) -> None:
        message = _violation(state)
        if message is not None:
            seen.append(message)
            raise TemplateTouchedDatabase(message)

    plain_response = web.templates.TemplateResponse

    def refuse_rows(request: Any, name: str, context: dict[str, Any], **kwargs: Any) -> Any:
        rows = rows_given(name, context)
        if rows:
            seen.extend(rows)
            raise TemplateTouchedDatabase("pages get plain view data, not ORM rows: " + "; ".join(rows))
        return plain_response(request, name, context, **kwargs)

    event.listen(Session, "do_orm_execute", refuse)
    shadowed = vars(web.templates).get("TemplateResponse")  # an outer guard's, when guards nest
    web.templates.TemplateResponse = refuse_rows  # type: ignore[method-assign]  (this instance, for the test)
    try:
        yield seen
    finally:
        if shadowed is None:
            del web.templates.TemplateResponse  # the class's method again
        else:
            web.templates.TemplateResponse = shadowed  # type: ignore[method-assign]
        event.remove(Session, "do_orm_execute", refuse)
