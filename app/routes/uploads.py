"""Resumable uploads: a small, strict tus 1.0 server of our own, then finishing into a moment.

Why our own: tuspyserver, the FastAPI tus library this replaces, writes a PATCH body before checking the
request (a 412/415 still appended bytes), appends at the end of the file instead of at the declared
offset, records the offset only when a body ends (kill -9 mid-PATCH then resumed into a file longer than
declared, accepted with 201) and held whole bodies in memory (measured in issue 10). We know of no
maintained Python tus server that checks before writing and reports only bytes it stored, and the
protocol core is small. Here every header, the upload's state and the project's (open, quotas) are
checked before a single body byte is read; bodies stream to disk in bounded pieces at their declared
offset; and only recorded bytes are ever reported (see `tus_store`).

OPTIONS /api/uploads            what this server speaks (no Tus-Resumable needed)
POST    /api/uploads            Upload-Length, Upload-Metadata (filename, filetype, invite, consent,
                                consent_scope); optionally the first bytes (creation-with-upload)
HEAD    /api/uploads/{id}       Upload-Offset: where to go on
PATCH   /api/uploads/{id}       bytes at Upload-Offset (optionally Upload-Checksum: sha1|sha256|md5 <b64>)
DELETE  /api/uploads/{id}       give up (termination)
POST    /api/invites/{token}/uploads/{id}/finish   caption, time, mood... -> 201 moment, or 4xx
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Callable
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from app.client_time import parse_client_time
from app.config import Settings
from app.cookies import contributor_token_of, set_contributor_cookie
from app.deps import SessionDep, SettingsDep, StorageDep, get_ctx
from app.error_models import API_ERRORS, ErrorBody
from app.schemas import MomentPublic
from app.services import projects, resumable, tus_store
from app.services.errors import Conflict, Invalid, ServiceError, TooLargeError, Unsupported
from app.services.ingest import UploadFields

TUS_PATH = "/api/uploads"
TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,creation-with-upload,termination,expiration,checksum"
OFFSET_TYPE = "application/offset+octet-stream"
_DIGITS = re.compile(r"^[0-9]{1,19}\Z")


class FinishUpload(BaseModel):
    caption: str = Field("", max_length=500)
    captured_at: str | None = Field(None, description="ISO 8601 with offset, e.g. the file's lastModified.")
    tz: str | None = Field(None, description="IANA time zone of the contributor's device.")
    mood: int | None = Field(None, ge=1, le=5)
    alias: str = Field("", max_length=100)
    role: str = ""
    consent: bool = Field(False, description="Defaults to the consent sent when the upload started.")
    consent_scope: str = ""


class PreconditionFailed(ServiceError):
    status = 412


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A malformed tus header."},
    403: {"description": "The project is closed, or a moments limit is reached."},
    404: {"description": "No such upload (or an invalid invite)."},
    409: {"description": "Upload-Offset is not where the upload stands."},
    410: {"description": "The upload expired."},
    412: {"description": "Tus-Resumable is missing or not 1.0.0."},
    413: {"description": "Larger than the upload limit, the declared length, or a bytes quota."},
    415: {"description": "Content-Type is not application/offset+octet-stream (or the file type is not media)."},
    423: {"description": "Another request is writing to this upload."},
    460: {"description": "The Upload-Checksum does not match the body; nothing of it was kept."},
}
# HEAD answers carry headers only; every other refusal carries {"detail": "<sentence>"}
_HEAD_ERRORS = {code: dict(answer) for code, answer in _ERRORS.items()}
for _answer in _ERRORS.values():
    _answer["model"] = ErrorBody


def _headers(settings: Settings, **extra: str) -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION, "Tus-Max-Size": str(settings.max_upload_bytes), "Cache-Control": "no-store",
            **extra}


def _expires(p: tus_store.Paths) -> str:
    return email.utils.formatdate(tus_store.expires_at(p), usegmt=True)


def _error(settings: Settings, err: ServiceError) -> Response:
    headers = _headers(settings)
    if isinstance(err, PreconditionFailed):
        headers["Tus-Version"] = TUS_VERSION
    return JSONResponse({"detail": err.message}, status_code=err.status, headers=headers)


def _check_resumable(value: str | None) -> None:
    if value != TUS_VERSION:
        raise PreconditionFailed("send Tus-Resumable: 1.0.0 (this server speaks tus 1.0.0)")


def _content_length(value: str | None) -> int | None:
    if value is None:
        return None
    if not _DIGITS.match(value.strip()):
        raise tus_store.BadRequest("Content-Length must be a whole number of bytes")
    return int(value)


def _check_offset_type(value: str | None) -> None:
    if (value or "").split(";", 1)[0].strip().lower() != OFFSET_TYPE:
        raise Unsupported(f"send the bytes with Content-Type: {OFFSET_TYPE}")


def _check_fits(offset: int, body_length: int | None, length: int) -> None:
    """A declared body past Upload-Length is refused before a byte of it is read."""
    if body_length is not None and offset + body_length > length:
        raise TooLargeError(f"this request sends more bytes than the upload declared in Upload-Length "
                            f"({length} bytes)")


def _has_body(request: Request, length: int | None) -> bool:
    return bool(length) or "chunked" in request.headers.get("transfer-encoding", "").lower()


def _store(rx: tus_store.Receiver, piece: bytes) -> None:
    """Write one piece of the body at the upload's offset, and record the bytes when a checkpoint is due."""
    rx.feed(piece)
    if rx.checkpoint_due:
        rx.checkpoint()


async def _cleanup(work: Callable[[], object]) -> None:
    """File work that must run even when the request is being cancelled, in a worker thread like the rest."""
    with anyio.CancelScope(shield=True):
        await run_in_threadpool(work)


async def _receive(request: Request, held: tus_store.Held, checksum: tus_store.Checksum | None) -> int | None:
    """Stream the body to disk at the upload's offset; None when the client went away mid-body.

    Only the body is awaited here: every write, record and fsync runs in a worker thread, so a slow disk
    (a write held back by the kernel's dirty-page limit, an fdatasync) never stalls the event loop and every
    other request with it. Each piece is written as it arrives, before the next is read, so a piece is on
    disk as soon as the client sent it; a thread hop costs ~0.1 ms, next to the piece's network time."""
    digest = await run_in_threadpool(tus_store.running_hash, held)
    rx = tus_store.Receiver(held, digest, checksum)
    try:
        async for piece in request.stream():
            if piece:
                await run_in_threadpool(_store, rx, piece)
    except ClientDisconnect:
        await run_in_threadpool(rx.keep_partial)
        return None
    except BaseException:
        await _cleanup(rx.rollback)
        raise
    return await run_in_threadpool(rx.commit)


def options(request: Request) -> Response:
    """What this tus server speaks: version, extensions, checksum algorithms, largest upload."""
    settings = get_ctx(request).settings
    return Response(status_code=204, headers=_headers(
        settings, **{"Tus-Version": TUS_VERSION, "Tus-Extension": EXTENSIONS,
                     "Tus-Checksum-Algorithm": ",".join(tus_store.CHECKSUMS)}))


async def create_upload(
    request: Request,
    tus_resumable: Annotated[str | None, Header(alias="Tus-Resumable")] = None,
    upload_length: Annotated[str | None, Header(alias="Upload-Length")] = None,
    upload_defer_length: Annotated[str | None, Header(alias="Upload-Defer-Length")] = None,
    upload_metadata: Annotated[str | None, Header(alias="Upload-Metadata")] = None,
    upload_checksum: Annotated[str | None, Header(alias="Upload-Checksum")] = None,
) -> Response:
    """Start an upload (creation); with a body of Content-Type application/offset+octet-stream, its first
    bytes too (creation-with-upload). 201 with Location and Upload-Offset."""
    ctx = get_ctx(request)
    settings = ctx.settings
    content_type, content_length = request.headers.get("content-type"), request.headers.get("content-length")
    try:
        _check_resumable(tus_resumable)
        if upload_length is None:
            raise Invalid("send Upload-Length: the size of the whole file must be known in advance"
                          if upload_defer_length is None else
                          "send Upload-Length: deferring the length is not supported, the size must be known")
        if not _DIGITS.match(upload_length.strip()):
            raise tus_store.BadRequest("Upload-Length must be a whole, non-negative number of bytes")
        size = int(upload_length)  # checked against the limit with the project (resumable.check_new_upload)
        metadata = tus_store.parse_metadata(upload_metadata)
        body_length = _content_length(content_length)
        with_body = _has_body(request, body_length)
        checksum = tus_store.parse_checksum(upload_checksum) if with_body else None
        if with_body:
            _check_offset_type(content_type)
            _check_fits(0, body_length, size)

        def start() -> tuple[tus_store.UploadInfo, tus_store.Held | None]:
            with ctx.sessions() as session:
                _project, info = resumable.start_upload(
                    session=session, settings=settings, metadata=metadata, size=size,
                    cookie_of=lambda project_id: contributor_token_of(request, project_id))
            return info, tus_store.Held(settings, info.id) if with_body else None

        info, held = await run_in_threadpool(start)
        offset = 0
        if held is not None:
            try:
                received = await _receive(request, held, checksum)
                if received is None:
                    return Response(status_code=400)  # nobody is listening any more
                offset = received
            except ServiceError:
                await run_in_threadpool(held.remove)  # a refused first body leaves no upload behind
                raise
            finally:
                await _cleanup(held.release)
    except ServiceError as err:
        return _error(settings, err)
    expires = await run_in_threadpool(_expires, tus_store.paths(settings, info.id))
    return Response(status_code=201, headers=_headers(
        settings, Location=f"{TUS_PATH}/{info.id}", **{"Upload-Offset": str(offset), "Upload-Expires": expires}))


def head_upload(
    upload_id: str,
    request: Request,
    tus_resumable: Annotated[str | None, Header(alias="Tus-Resumable")] = None,
) -> Response:
    """Where to go on: Upload-Offset (only bytes stored durably), Upload-Length, Upload-Expires."""
    settings = get_ctx(request).settings
    try:
        _check_resumable(tus_resumable)
        p, info = tus_store.peek(settings, upload_id)
        try:
            with tus_store.Held(settings, upload_id) as held:  # cuts a torn tail left by a crash
                info = held.info
        except tus_store.Locked:
            pass  # a PATCH is writing: its recorded offset is the truth until it records more
    except ServiceError as err:
        return Response(status_code=err.status, headers=_headers(settings))  # HEAD answers carry no body
    return Response(status_code=200, headers=_headers(settings, **{
        "Upload-Offset": str(info.offset), "Upload-Length": str(info.length), "Upload-Expires": _expires(p)}))


async def patch_upload(
    upload_id: str,
    request: Request,
    tus_resumable: Annotated[str | None, Header(alias="Tus-Resumable")] = None,
    upload_offset: Annotated[str | None, Header(alias="Upload-Offset")] = None,
    upload_checksum: Annotated[str | None, Header(alias="Upload-Checksum")] = None,
) -> Response:
    """Send bytes at Upload-Offset. Every check happens before the body is read; a refused request stores
    nothing. 204 with the new Upload-Offset."""
    ctx = get_ctx(request)
    settings = ctx.settings
    content_type, content_length = request.headers.get("content-type"), request.headers.get("content-length")
    try:
        tus_store.paths(settings, upload_id)
        _check_resumable(tus_resumable)
        _check_offset_type(content_type)
        if upload_offset is None or not _DIGITS.match(upload_offset.strip()):
            raise tus_store.BadRequest("send Upload-Offset: a whole, non-negative number of bytes")
        offset = int(upload_offset)
        body_length = _content_length(content_length)
        checksum = tus_store.parse_checksum(upload_checksum)

        def hold() -> tus_store.Held:
            """The upload, held, once it may go on from this offset (files and database: off the loop)."""
            tus_store.peek(settings, upload_id)
            held = tus_store.Held(settings, upload_id)
            try:
                info = held.info
                if offset != info.offset:
                    raise Conflict(f"Upload-Offset {offset} is not where this upload stands "
                                   f"({info.offset} bytes); ask with HEAD and go on from there")
                _check_fits(offset, body_length, info.length)
                with ctx.sessions() as session:
                    resumable.check_can_continue(session=session, settings=settings, info=info)
            except BaseException:
                held.release()
                raise
            return held

        held = await run_in_threadpool(hold)
        try:
            received = await _receive(request, held, checksum)
            if received is None:
                return Response(status_code=400)  # nobody is listening any more
        finally:
            await _cleanup(held.release)
    except ServiceError as err:
        return _error(settings, err)
    expires = await run_in_threadpool(_expires, tus_store.paths(settings, upload_id))
    return Response(status_code=204, headers=_headers(
        settings, **{"Upload-Offset": str(received), "Upload-Expires": expires}))


def delete_upload(
    upload_id: str,
    request: Request,
    tus_resumable: Annotated[str | None, Header(alias="Tus-Resumable")] = None,
) -> Response:
    """Give up an upload (termination): its bytes are deleted at once. 204."""
    settings = get_ctx(request).settings
    try:
        tus_store.paths(settings, upload_id)
        _check_resumable(tus_resumable)
        with tus_store.Held(settings, upload_id) as held:
            held.remove()
    except ServiceError as err:
        return _error(settings, err)
    return Response(status_code=204, headers=_headers(settings))


def build_router(settings: Settings) -> APIRouter:
    """The tus endpoints (with and without the trailing slash) and the finish endpoint."""
    del settings  # the limits are read per request from the app's context
    router = APIRouter(tags=["uploads"])
    for path in (TUS_PATH, f"{TUS_PATH}/"):
        router.add_api_route(path, options, methods=["OPTIONS"], status_code=204, include_in_schema=path == TUS_PATH)
        router.add_api_route(path, create_upload, methods=["POST"], status_code=201, responses=_ERRORS,
                             include_in_schema=path == TUS_PATH)
    item = f"{TUS_PATH}/{{upload_id}}"
    router.add_api_route(item, options, methods=["OPTIONS"], status_code=204, include_in_schema=False)
    router.add_api_route(item, head_upload, methods=["HEAD"], responses=_HEAD_ERRORS)
    router.add_api_route(item, patch_upload, methods=["PATCH"], status_code=204, responses=_ERRORS,
                         openapi_extra={"requestBody": {"content": {OFFSET_TYPE: {"schema": {
                             "type": "string", "format": "binary"}}}}})
    router.add_api_route(item, delete_upload, methods=["DELETE"], status_code=204, responses=_ERRORS)
    router.add_api_route(
        "/api/invites/{token}/uploads/{upload_id}/finish", finish_upload, methods=["POST"], status_code=201,
        response_model=MomentPublic,
        responses={**API_ERRORS, 200: {"model": MomentPublic, "description": "Asked again: the same moment."}},
    )
    return router


def finish_upload(
    token: str,
    upload_id: str,
    body: FinishUpload,
    request: Request,
    response: Response,
    session: SessionDep,
    storage: StorageDep,
    settings: SettingsDep,
) -> MomentPublic:
    """Turn a completely sent upload into a moment (same checks as a direct upload); asking twice is safe."""
    fields = UploadFields(
        caption=body.caption, captured_at=parse_client_time(body.captured_at), tz=body.tz or None, mood=body.mood,
        alias=body.alias, role=body.role, consent=body.consent, consent_scope=body.consent_scope,
    )
    project = projects.project_by_invite(session=session, token=token)
    finished = resumable.finish_upload(
        session=session, storage=storage, settings=settings, project=project, upload_id=upload_id, fields=fields,
        contributor_token=contributor_token_of(request, project.id),
    )
    if finished.contributor_token:
        set_contributor_cookie(response, finished.moment.project_id, finished.contributor_token, settings)
    if not finished.created:
        response.status_code = 200
    return MomentPublic.of(finished.moment)
