"""Page tests refuse a template that touches the database: pages get plain view data, not ORM rows.

While `app.web.page` renders a template (`app.web.RENDERING` is set), an ORM query that loads a relationship
or (re)loads a column of a row already in the session means the template reached through an ORM row — a lazy
load per row of a loop. The listener raises (the page answers 500) and keeps what it saw, so the test fails
even where nothing looks at that page's answer (a browser test, an error handler).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from app.web import RENDERING


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


@contextmanager
def templates_without_database() -> Iterator[list[str]]:
    """Every Session (the app's, in any thread) refuses loads made while a template renders; yields the list of
    what was refused."""
    seen: list[str] = []

    def refuse(state: ORMExecuteState) -> None:
        message = _violation(state)
        if message is not None:
            seen.append(message)
            raise TemplateTouchedDatabase(message)

    event.listen(Session, "do_orm_execute", refuse)
    try:
        yield seen
    finally:
        event.remove(Session, "do_orm_execute", refuse)
