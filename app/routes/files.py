"""Sending a render's files: one place for their names, media types and HTTP Range."""

from __future__ import annotations

from typing import Literal

from fastapi.responses import FileResponse

from app.models import Render
from app.services.errors import NotFound
from app.services.rendering import output_ext
from app.storage import Storage

Part = Literal["file", "poster", "captions"]
MEDIA_TYPES = {"mp4": "video/mp4", "png": "image/png", "jpg": "image/jpeg", "pdf": "application/pdf"}


def render_part(render: Render, storage: Storage, part: Part) -> FileResponse:
    """The film or collage, its poster or its captions; callers have checked access already."""
    if part == "poster":
        key, media_type, ext = render.poster_key, "image/jpeg", "jpg"
    elif part == "captions":
        key, media_type, ext = render.captions_key, "text/vtt", "vtt"
    else:
        ext = output_ext(render)
        key, media_type = render.output_key, MEDIA_TYPES.get(ext, "application/octet-stream")
    if not key or render.status != "done":
        raise NotFound("this render has no file (yet)")
    # FileResponse answers Range requests (206), so a browser can seek in the film
    return FileResponse(storage.path(key), media_type=media_type, filename=f"dayreel-{render.kind}-{render.id}.{ext}",
                        content_disposition_type="inline")
