"""Taking a project out (a streamed zip) and deleting it with every file no other project uses."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Contributor, Moment, Project, Render
from app.services import faces
from app.services.errors import Invalid
from app.services.rendering import output_ext
from app.services.workshop import note_dict, notes_of, prompts_of
from app.storage import Storage
from app.storage.shared_segments import segments_prefix


@dataclass(frozen=True)
class ExportPlan:
    """What goes in the zip: small files as bytes, media as storage keys read while streaming."""

    filename: str
    texts: tuple[tuple[str, bytes], ...]
    files: tuple[tuple[str, str], ...]  # (name in the zip, storage key)


def _moment_meta(m: Moment) -> dict[str, Any]:
    return {
        "id": m.id, "file": f"originals/{m.id}-{m.sha256[:12]}.{m.format}", "original_name": m.original_name,
        "kind": m.kind, "mime": m.mime, "sha256": m.sha256, "size_bytes": m.size_bytes,
        "width": m.width, "height": m.height, "duration_s": m.duration_s,
        "captured_local": m.captured_local.isoformat(), "utc_offset_min": m.utc_offset_min,
        "time_source": m.time_source, "caption": m.caption, "mood": m.mood, "alias": m.alias, "role": m.role,
        "place": m.place, "status": m.status, "trim_in_s": m.trim_in_s, "trim_out_s": m.trim_out_s,
        "consent": {"at": m.consent_at.isoformat(), "version": m.consent_version, "scope": m.consent_scope},
        "contributor_id": m.contributor_id,
        "faces": faces.export_record(m),
    }


def _render_meta(r: Render) -> dict[str, Any]:
    return {"id": r.id, "kind": r.kind, "status": r.status, "options": r.options,
            "created_at": r.created_at.isoformat(), "file": _render_name(r) if r.output_key else None}


def _render_name(r: Render) -> str:
    return f"renders/{r.kind}-{r.id}.{output_ext(r)}"


def export_plan(*, session: Session, project: Project) -> ExportPlan:
    """Gather the metadata now (inside the request), so streaming needs no database session."""
    moments = sorted(project.moments, key=lambda m: m.id)
    renders = sorted(project.renders, key=lambda r: r.id)
    notes = notes_of(session=session, project=project)
    meta = {
        "project": {
            "id": project.id, "title": project.title, "date": project.day.isoformat(), "timezone": project.timezone,
            "language": project.language, "welcome_text": project.welcome_text,
            "consent_text": project.consent_text, "consent_version": project.consent_version,
            "brand_color": project.brand_color, "auto_approve": project.auto_approve,
            "prompts": prompts_of(project),
        },
        "moments": [_moment_meta(m) for m in moments],
        "renders": [_render_meta(r) for r in renders],
        "workshop_notes": [note_dict(n) for n in notes],
    }
    notes_text = "\n\n".join(f"{n.prompt}\n- {n.body}" if n.prompt else f"- {n.body}" for n in notes)
    files = [(f"originals/{m.id}-{m.sha256[:12]}.{m.format}", m.storage_key) for m in moments]
    for r in renders:
        if r.status == "done" and r.output_key:
            files.append((_render_name(r), r.output_key))
            if r.poster_key:
                files.append((f"renders/{r.kind}-{r.id}-poster.jpg", r.poster_key))
            if r.captions_key:
                files.append((f"renders/{r.kind}-{r.id}.vtt", r.captions_key))
    return ExportPlan(
        filename=f"dayreel-project-{project.id}-{project.day.isoformat()}.zip",
        texts=(("project.json", json.dumps(meta, ensure_ascii=False, indent=2).encode()),
               ("workshop-notes.txt", (notes_text + "\n").encode())),
        files=tuple(files),
    )


class _Pipe:
    """A write-only, unseekable sink whose bytes the generator hands on and forgets (zipfile streams into it)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:  # zipfile's writable type asks for it; zipfile never closes a file it was given
        pass

    def take(self) -> bytes:
        out, self.parts = b"".join(self.parts), []
        return out


def stream_zip(plan: ExportPlan, *, storage: Storage) -> Iterator[bytes]:
    """The zip, a chunk at a time: never more than about one CHUNK in memory. Media is stored, not deflated."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in plan.texts:
            zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
            yield pipe.take()
        for name, key in plan.files:
            try:
                size = storage.size(key)
            except FileNotFoundError:
                continue
            info = zipfile.ZipInfo(name)
            info.file_size = size
            # read from the backend a chunk at a time (from S3 straight from the bucket, no local copy)
            with zf.open(info, "w", force_zip64=size > 2**31) as dst:
                for chunk in storage.read_range(key):
                    dst.write(chunk)
                    yield pipe.take()
            yield pipe.take()
    yield pipe.take()


def delete_project(*, session: Session, storage: Storage, project: Project, confirm_title: str) -> int:
    """Remove the project's rows and every file no other project shares; returns how many files went.

    Originals, derived images, logos and music are content addressed and may be shared with another project
    (the same bytes uploaded twice): those stay while anything still refers to them. Renders and film segments
    are the project's own: everything under each render's folder and under its segments folder goes."""
    if confirm_title.strip() != project.title.strip():
        raise Invalid("type the project's title exactly to confirm that it should be deleted")
    keys: set[str] = set()
    for m in project.moments:
        keys.update(k for k in (m.storage_key, m.thumb_key, m.preview_key) if k)
    for r in project.renders:
        keys.update(k for k in (r.output_key, r.poster_key, r.captions_key) if k)
    keys.update(_settings_keys(project.settings))
    # its renders' folders, and its film segments (with storage s3; they show its people, see shared_segments.py)
    render_folders = [f"renders/{r.id}/" for r in project.renders] + [segments_prefix(project.id)]
    originals = {m.storage_key: m.sha256 for m in project.moments}
    project_id = project.id
    for note in notes_of(session=session, project=project):
        session.delete(note)
    for contributor in session.scalars(select(Contributor).where(Contributor.project_id == project_id)):
        session.delete(contributor)
    session.delete(project)
    session.flush()
    shared = _keys_in_use(session)
    removed = 0
    for key in sorted(keys - shared):
        if storage.exists(key):
            storage.delete(key)
            removed += 1
    for key, sha256 in originals.items():  # blurred copies go with the last moment of their file
        if key not in shared:
            removed += faces.delete_blurred_copies(storage, sha256)
    for folder in render_folders:  # anything else a render left (a file of an older version, its segments)
        removed += storage.delete_prefix(folder)
    return removed


def _settings_keys(settings: dict[str, Any] | None) -> set[str]:
    """The stored files a project's settings name: its logo and its music bed."""
    return {str(settings[name]) for name in ("logo_key", "music_key") if settings and settings.get(name)}


def _keys_in_use(session: Session) -> set[str]:
    """Keys still referenced by any remaining project (same file uploaded twice, a shared logo)."""
    used: set[str] = set()
    for row in session.execute(select(Moment.storage_key, Moment.thumb_key, Moment.preview_key)):
        used.update(k for k in row if k)
    for settings in session.scalars(select(Project.settings)):
        used.update(_settings_keys(settings))
    return used

