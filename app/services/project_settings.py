"""Editing a project: texts, prompts, brand colour and logo, open/closed, and its two tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import Session

from app.models import Project
from app.services.errors import Invalid, Unsupported
from app.services.projects import LANGUAGES, check_timezone, new_token
from app.services.workshop import parse_prompts
from app.storage import Storage, TooLarge

MAX_LOGO_BYTES = 5 * 1024 * 1024
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class ProjectEdit:
    title: str
    day: date
    timezone: str
    language: str
    welcome_text: str
    consent_text: str
    prompts_text: str
    brand_color: str
    auto_approve: bool


def update_project(*, session: Session, project: Project, edit: ProjectEdit) -> Project:
    """Apply the settings form; a changed consent text gets a new consent version."""
    title = edit.title.strip()
    if not title:
        raise Invalid("a project needs a title")
    if edit.language not in LANGUAGES:
        raise Invalid(f"language must be one of {', '.join(LANGUAGES)}")
    if not _COLOUR.match(edit.brand_color):
        raise Invalid("the brand colour must look like #E4572E")
    consent = edit.consent_text.strip()
    if not consent:
        raise Invalid("contributors need a consent text to agree to")
    prompts = parse_prompts(edit.prompts_text)
    project.title, project.day, project.language = title[:200], edit.day, edit.language
    project.timezone = check_timezone(edit.timezone.strip())
    project.welcome_text = edit.welcome_text.strip()
    if consent != project.consent_text.strip():
        project.consent_text = consent
        project.consent_version = (project.consent_version or 1) + 1
    project.brand_color = edit.brand_color.upper()
    project.auto_approve = edit.auto_approve
    # a new dict, so SQLAlchemy sees the JSON column change
    project.settings = {**(project.settings or {}), "prompts": prompts}
    session.flush()
    return project


def set_logo(*, session: Session, storage: Storage, project: Project, source: BinaryIO) -> str:
    """Store an uploaded logo under a content-addressed key and remember the key in the project."""
    try:
        staged = storage.stage(source, max_bytes=MAX_LOGO_BYTES)
    except TooLarge:
        raise Invalid(f"the logo is larger than {MAX_LOGO_BYTES // (1024 * 1024)} MB") from None
    try:
        with Image.open(staged.path) as img:
            ext = LOGO_FORMATS.get(img.format or "")
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError):
        ext = None
    if ext is None:
        storage.discard(staged)
        raise Unsupported("the logo must be a PNG, JPEG or WebP image")
    key = storage.commit(staged, f"logos/{staged.sha256[:2]}/{staged.sha256}.{ext}")
    project.settings = {**(project.settings or {}), "logo_key": key}
    session.flush()
    return key


def logo_key(project: Project) -> str | None:
    key = (project.settings or {}).get("logo_key")
    return str(key) if key else None


def set_contributions_open(*, session: Session, project: Project, is_open: bool) -> Project:
    project.contributions_open = is_open
    session.flush()
    return project


def rotate_present_token(*, session: Session, project: Project) -> Project:
    """A new presentation link; the old one stops working at once."""
    project.present_token = new_token()
    session.flush()
    return project


def revoke_present_token(*, session: Session, project: Project) -> Project:
    project.present_token = None
    session.flush()
    return project
