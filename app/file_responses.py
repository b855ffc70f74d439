"""Sending stored files: one helper for every file route (HTTP Range), and a render's names and media types.

Files are streamed through the app from either backend, after the route's access check, instead of
redirecting to a presigned URL: a presigned URL stays valid until it expires whatever happens in dayreel,
so revoking a presentation link (or removing a staff member) would not take effect at once. Streaming keeps
every byte behind the check made for that very request. Range requests are answered with 206 and
Content-Range (one range; several are answered with the whole file, as RFC 9110 allows), so a <video>
player seeks without downloading the film; from S3 only the asked-for bytes are fetched.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from typing import Literal

from fastapi import Request
from fastapi.responses import Response, StreamingResponse

from app.models import Render
from app.services.errors import NotFound
from app.services.rendering import output_ext
from app.storage import Storage

Part = Literal["file", "poster", "captions"]
MEDIA_TYPES = {"mp4": "video/mp4", "png": "image/png", "jpg": "image/jpeg", "pdf": "application/pdf",
               "svg": "image/svg+xml"}
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def byte_range(header: str | None, size: int) -> tuple[int, int] | Literal["unsatisfiable"] | None:
    """(first, last) byte of a single `Range: bytes=...`; None for no (or an ignorable) range."""
    if not header:
        return None
    match = _RANGE.match(header.strip().replace(" ", ""))
    if not match or match.group(1) == match.group(2) == "":
        return None  # several ranges or a syntax we do not know: the whole file
    first, last = match.group(1), match.group(2)
    if first == "":  # the last N bytes
        n = int(last)
        return (max(0, size - n), size - 1) if n > 0 and size > 0 else "unsatisfiable"
    start = int(first)
    if last != "" and int(last) < start:
        return None  # not a valid range: ignored (RFC 9110 14.2)
    if start >= size:
        return "unsatisfiable"
    return start, size - 1 if last == "" else min(int(last), size - 1)


def stored_file(
    request: Request, storage: Storage, key: str, *, media_type: str | None = None, filename: str | None = None,
    disposition: str = "inline", headers: dict[str, str] | None = None,
) -> Response:
    """The object at `key` for a request whose access was checked: whole (200) or one range (206)."""
    try:
        size = storage.size(key)
    except (FileNotFoundError, ValueError):
        raise NotFound("this file is not there (any more)") from None
    # keys never change their bytes (content addressed, or one key per render): the key names the version
    etag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    out = {"Accept-Ranges": "bytes", "ETag": etag, **(headers or {})}
    if filename:
        out["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    media_type = media_type or mimetypes.guess_type(key)[0] or "application/octet-stream"
    if_range = request.headers.get("if-range")
    wanted = byte_range(request.headers.get("range"), size) if if_range in (None, etag) else None
    if wanted == "unsatisfiable":
        return Response(status_code=416, headers={**out, "Content-Range": f"bytes */{size}"})
    if wanted is None:
        out["Content-Length"] = str(size)
        body = storage.read_range(key, 0, None) if size else iter(())
        return StreamingResponse(body, media_type=media_type, headers=out)
    start, end = wanted
    out["Content-Range"] = f"bytes {start}-{end}/{size}"
    out["Content-Length"] = str(end - start + 1)
    return StreamingResponse(storage.read_range(key, start, end), status_code=206, media_type=media_type,
                             headers=out)


def render_part(request: Request, render: Render, storage: Storage, part: Part) -> Response:
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
    return stored_file(request, storage, key, media_type=media_type,
                       filename=f"dayreel-{render.kind}-{render.id}.{ext}")
