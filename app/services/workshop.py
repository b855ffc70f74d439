"""Workshops: the reflection prompts a facilitator steps through, and the notes the room answers with."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Project, User, WorkshopAction, WorkshopNote
from app.services.errors import Invalid, NotFound

# "look / think / do / be differently", then what stays, changes and grows
DEFAULT_PROMPTS: dict[str, tuple[str, ...]] = {
    "en": (
        "Look differently: what do you see when you look through the customer's eyes?",
        "Think differently: what matters to them?",
        "Do differently: what would we do differently?",
        "Be different: what would make us different?",
        "What stays, what changes, what do we want to grow?",
    ),
    "nl": (
        "Anders kijken: wat zie je als je door de ogen van de klant kijkt?",
        "Anders denken: wat is voor hen belangrijk?",
        "Anders doen: wat zouden we anders doen?",
        "Anders zijn: wat zou ons onderscheiden?",
        "Wat blijft, wat verandert, wat willen we laten groeien?",
    ),
}
MAX_PROMPTS, MAX_PROMPT_CHARS, MAX_NOTE_CHARS = 20, 300, 2000


def prompts_of(project: Project, language: str | None = None) -> list[str]:
    """The project's own prompts, else the defaults in `language` (the page's; else the project's)."""
    own = (project.settings or {}).get("prompts")
    if own:
        return [str(p) for p in own]
    return list(DEFAULT_PROMPTS.get(language or project.language, DEFAULT_PROMPTS["en"]))


def parse_prompts(text: str) -> list[str]:
    """One prompt per line; blank lines are dropped. An empty list means 'use the defaults'."""
    prompts = [line.strip() for line in text.splitlines() if line.strip()]
    if len(prompts) > MAX_PROMPTS:
        raise Invalid(f"at most {MAX_PROMPTS} prompts, one per line")
    if any(len(p) > MAX_PROMPT_CHARS for p in prompts):
        raise Invalid(f"a prompt may be at most {MAX_PROMPT_CHARS} characters")
    return prompts


def add_note(
    *, session: Session, project: Project, body: str, prompt: str = "", user: User | None = None
) -> WorkshopNote:
    body = body.strip()
    if not body:
        raise Invalid("the note is empty")
    if len(body) > MAX_NOTE_CHARS:
        raise Invalid(f"a note may be at most {MAX_NOTE_CHARS} characters")
    note = WorkshopNote(project_id=project.id, prompt=prompt.strip()[:MAX_PROMPT_CHARS], body=body,
                        created_by_id=user.id if user else None)
    session.add(note)
    session.flush()
    return note


def notes_of(*, session: Session, project: Project) -> list[WorkshopNote]:
    return list(session.scalars(_rows_of(project, WorkshopNote)))


_Owned = TypeVar("_Owned", WorkshopNote, WorkshopAction)


def _rows_of(project: Project, model: type[WorkshopNote] | type[WorkshopAction]) -> Any:
    """A project's notes or actions, oldest first."""
    return select(model).where(model.project_id == project.id).order_by(model.id)


def delete_note(*, session: Session, project: Project, note_id: int) -> None:
    _delete_own(session, project, WorkshopNote, note_id, "note")


def _delete_own(session: Session, project: Project, model: type[_Owned], row_id: int, what: str) -> None:
    """Delete a note or action of this project; another project's (or none) is a 404."""
    row = session.get(model, row_id)
    if row is None or row.project_id != project.id:
        raise NotFound(f"no such {what}")
    session.delete(row)
    session.flush()


def note_dict(note: WorkshopNote) -> dict[str, object]:
    return {"id": note.id, "prompt": note.prompt, "body": note.body,
            "created_at": note.created_at.strftime("%Y-%m-%dT%H:%M:%S")}


MAX_ACTION_CHARS, MAX_OWNER_CHARS = 1000, 120


def add_action(*, session: Session, project: Project, text: str, owner: str = "", due: str = "",
               user: User | None = None) -> WorkshopAction:
    """What the room decided to do, who owns it and by when (`due` as YYYY-MM-DD, or empty)."""
    text, owner = " ".join(text.split()), " ".join(owner.split())
    if not text:
        raise Invalid("the action is empty")
    if len(text) > MAX_ACTION_CHARS or len(owner) > MAX_OWNER_CHARS:
        raise Invalid(f"an action may be at most {MAX_ACTION_CHARS} characters, its owner {MAX_OWNER_CHARS}")
    try:
        when = date.fromisoformat(due.strip()) if due.strip() else None
    except ValueError:
        raise Invalid("the date must look like 2026-04-01") from None
    action = WorkshopAction(project_id=project.id, text=text, owner=owner, due=when,
                            created_by_id=user.id if user else None)
    session.add(action)
    session.flush()
    return action


def actions_of(*, session: Session, project: Project) -> list[WorkshopAction]:
    return list(session.scalars(_rows_of(project, WorkshopAction)))


def delete_action(*, session: Session, project: Project, action_id: int) -> None:
    _delete_own(session, project, WorkshopAction, action_id, "action")


def action_dict(action: WorkshopAction) -> dict[str, object]:
    return {"id": action.id, "text": action.text, "owner": action.owner,
            "due": action.due.isoformat() if action.due else ""}


def notes_by_prompt(*, session: Session, project: Project) -> list[tuple[str, list[str]]]:
    """The room's notes grouped under the prompt they answered: the project's prompts in order, then others."""
    groups: dict[str, list[str]] = {}
    for note in notes_of(session=session, project=project):
        groups.setdefault(note.prompt, []).append(note.body)
    order = [p for p in prompts_of(project) if p in groups] + [p for p in groups if p not in prompts_of(project)]
    return [(p, groups[p]) for p in order]
