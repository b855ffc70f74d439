"""The error body every 4xx carries, as sent and as documented in the OpenAPI.

Every refusal is `{"detail": "<a sentence>"}`; a request that fails validation (422) adds `errors`, one
entry per field, with only the field's location, the message and the error type: never the value sent
(which may be raw bytes or a secret) or an exception object.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    """What went wrong, as one readable sentence."""

    detail: str = Field(description="A sentence saying what is wrong and, where possible, what to do.")


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="Where the value was: e.g. ['body', 'mood'] or ['query', 'after'].")
    msg: str
    type: str


class ValidationErrorBody(ErrorBody):
    """A request whose fields do not fit: the sentence, then each field's problem."""

    errors: list[FieldError] = Field(default_factory=list)


_MESSAGES = {
    400: "The request could not be read (e.g. a malformed form or body).",
    401: "No valid API token or session.",
    403: "Not allowed (e.g. an expired form, a closed project, no consent).",
    404: "No such thing here, or it is not yours to see.",
    409: "Conflicts with the current state.",
    413: "The file or body is larger than the limit.",
    415: "This kind of file is not accepted.",
    422: "The request's fields do not fit; `detail` says which and why.",
}


def error_responses(*codes: int, html: bool = False) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route or router: the error body for each status; `html` pages may answer with a page.

    Pages refer to the models by name: the API routes (same app) put them in the schema's components."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        model = ValidationErrorBody if code == 422 else ErrorBody
        if html:  # a page's route documents HTML; its model would land under text/html, so spell both out
            ref = {"$ref": f"#/components/schemas/{model.__name__}"}
            out[code] = {"description": _MESSAGES[code], "content": {
                "application/json": {"schema": ref}, "text/html": {"schema": {"type": "string"}}}}
        else:
            out[code] = {"description": _MESSAGES[code], "model": model}
    return out


API_ERRORS = error_responses(400, 401, 403, 404, 409, 413, 415, 422)
PAGE_ERRORS = error_responses(400, 403, 404, 409, 413, 415, 422, html=True)


def _safe_loc(loc: Iterable[Any]) -> list[str | int]:
    return [p if isinstance(p, int) and not isinstance(p, bool) else str(p)[:100] for p in loc]


def safe_errors(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Validation errors without `input`, `ctx` or `url`: only where, what and which kind, as plain strings."""
    return [{"loc": _safe_loc(err.get("loc", ())), "msg": str(err.get("msg", "invalid"))[:300],
             "type": str(err.get("type", "value_error"))[:100]} for err in errors]


def use_error_bodies(app: FastAPI) -> None:
    """Make the app's OpenAPI say what a 422 really sends, on routes that did not declare it themselves:
    FastAPI's default (HTTPValidationError, `detail` as an array) is replaced by ValidationErrorBody."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (ErrorBody, ValidationErrorBody):
            found = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(found.pop("$defs", {}))
            components.setdefault(model.__name__, found)
        default_ref = "#/components/schemas/HTTPValidationError"
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for content in (operation.get("responses", {}).get("422", {}).get("content") or {}).values():
                    if content.get("schema", {}).get("$ref") == default_ref:
                        content["schema"] = {"$ref": "#/components/schemas/ValidationErrorBody"}
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to replace the schema
