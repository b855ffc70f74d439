"""Editing a project: texts, prompts, brand colour and logo, open/closed, and its two tokens."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

import av
from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import Session

from app.models import Project
from app.services.errors import Invalid, TooLargeError, Unsupported
from app.services.projects import LANGUAGES, check_timezone, new_token
from app.services.workshop import parse_prompts
from app.storage import Storage, TooLarge

MAX_LOGO_BYTES = 5 * 1024 * 1024
MAX_LOGO_PIXELS = 25_000_000  # a logo is shown at most screen-wide; more pixels only cost memory
MAX_MUSIC_BYTES = 100 * 1024 * 1024
MAX_MUSIC_S = 30 * 60
MUSIC_FORMATS = {"mp3": "mp3", "mov": "m4a", "mp4": "m4a", "m4a": "m4a", "wav": "wav", "ogg": "ogg", "flac": "flac"}
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
    keep_gps: bool = False


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
    project.keep_gps = edit.keep_gps  # applies to moments uploaded from now on
    # a new dict, so SQLAlchemy sees the JSON column change
    project.settings = {**(project.settings or {}), "prompts": prompts}
    session.flush()
    return project


def _store_asset(
    *, session: Session, storage: Storage, project: Project, source: BinaryIO, what: str, folder: str,
    setting: str, max_bytes: int, detect: Callable[[Path], str | None], refusal: str,
) -> str:
    """Store an uploaded project file (logo, music) content-addressed; its key goes in project.settings."""
    try:
        staged = storage.stage(source, max_bytes=max_bytes)
    except TooLarge:
        raise Invalid(f"the {what} is larger than {max_bytes // (1024 * 1024)} MB") from None
    try:
        ext = detect(staged.path)
    except BaseException:  # a refusal from detect (too many pixels) or a crash: the staging file goes too
        storage.discard(staged)
        raise
    if ext is None:
        storage.discard(staged)
        raise Unsupported(refusal)
    key = storage.commit(staged, f"{folder}/{staged.sha256[:2]}/{staged.sha256}.{ext}")
    project.settings = {**(project.settings or {}), setting: key}
    session.flush()
    return key


def _logo_ext(path: Path) -> str | None:
    try:
        with Image.open(path) as img:
            if img.width * img.height > MAX_LOGO_PIXELS:
                raise TooLargeError(f"the logo is {img.width}x{img.height} pixels; at most "
                                    f"{MAX_LOGO_PIXELS // 1_000_000} million pixels please (e.g. 2000x1000)")
            ext = LOGO_FORMATS.get(img.format or "")
            img.verify()
    except Image.DecompressionBombError:  # Pillow refuses far larger images before we can ask
        raise TooLargeError(f"the logo has far too many pixels; at most {MAX_LOGO_PIXELS // 1_000_000} million "
                            "pixels please (e.g. 2000x1000)") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    return ext


def _music_ext(path: Path) -> str | None:
    """The extension for an audio file PyAV can decode a first frame of, else None."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio or (container.duration or 0) / 1e6 > MAX_MUSIC_S:
                return None
            next(container.decode(audio=0))
            names = container.format.name.split(",")
    except (av.FFmpegError, StopIteration, OSError, ValueError):
        return None
    return next((MUSIC_FORMATS[n] for n in names if n in MUSIC_FORMATS), None)


def set_logo(*, session: Session, storage: Storage, project: Project, source: BinaryIO) -> str:
    """Store an uploaded logo and remember its key in the project."""
    return _store_asset(session=session, storage=storage, project=project, source=source, what="logo",
                        folder="logos", setting="logo_key", max_bytes=MAX_LOGO_BYTES, detect=_logo_ext,
                        refusal="the logo must be a PNG, JPEG or WebP image")


def set_music(*, session: Session, storage: Storage, project: Project, source: BinaryIO) -> str:
    """Store the project's music bed (MP3, M4A/AAC, WAV, OGG or FLAC, up to 30 minutes)."""
    return _store_asset(session=session, storage=storage, project=project, source=source, what="music",
                        folder="music", setting="music_key", max_bytes=MAX_MUSIC_BYTES, detect=_music_ext,
                        refusal="the music must be an MP3, M4A, WAV, OGG or FLAC file of at most 30 minutes")


def logo_key(project: Project) -> str | None:
    key = (project.settings or {}).get("logo_key")
    return str(key) if key else None


def music_key(project: Project) -> str | None:
    key = (project.settings or {}).get("music_key")
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
