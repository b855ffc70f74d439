"""Schemathesis over the app's own OpenAPI: no input a client sends gives a 5xx, and every answer is documented.

The app runs in-process (ASGI). Each operation gets a bounded, derandomized number of generated requests
(valid and invalid data), once as staff (bearer token) and once as a contributor (invite token and cookie),
against a project with a few moments; the tus endpoints included (their protocol is also tested with tuspy).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.config import Settings
from app.context import build_context
from app.main import create_app
from tests import factories
from tests.mediagen import make_photo

EXAMPLES = 20  # per operation, mode and caller: enough to reach every error branch, small enough for CI
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# tus PATCH bodies are raw bytes; small ones are enough to reach every refusal
schemathesis.openapi.media_type("application/offset+octet-stream", st.binary(max_size=2048))


@dataclass
class Tally:
    operations: set[str] = field(default_factory=set)
    requests: int = 0
    server_errors: list[str] = field(default_factory=list)
    nonconforming: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Caller:
    """Who sends the requests, what they send with them and which ids they know."""

    name: str
    headers: dict[str, str]
    cookies: dict[str, str]
    path_parameters: dict[str, Any]
    applies: Callable[[str], bool]


def _run_operation(operation: Any, caller: Caller, mode: GenerationMode, tally: Tally) -> None:
    known = {k: v for k, v in caller.path_parameters.items() if k in operation.path_parameters}
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=known or None)

    @given(case=strategy)
    @hypothesis_settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                         phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def probe(case: Any) -> None:
        tally.requests += 1
        try:
            response = case.call(headers=caller.headers, cookies=caller.cookies, allow_redirects=False)
        except Exception as err:  # the in-process client re-raises what the server would answer with a 500
            tally.server_errors.append(f"{caller.name} {mode.value} {case.method} {case.formatted_path} -> 500: "
                                       f"{type(err).__name__}: {str(err)[:200]}")
            return
        label = f"{caller.name} {mode.value} {case.method} {case.formatted_path} -> {response.status_code}"
        if response.status_code >= 500:
            tally.server_errors.append(f"{label}: {response.text[:200]}")
            return
        try:
            case.validate_response(response, checks=CHECKS, headers=caller.headers)
        except FailureGroup as group:  # failed checks: note them, keep probing
            tally.nonconforming.extend(f"{label}: {failure.title}: {failure.message[:300]}"
                                       for failure in group.exceptions)

    tally.operations.add(f"{operation.method.upper()} {operation.path}")
    try:
        probe()
    except Unsatisfiable:  # nothing to negate (no parameters, no body): the positive run covered it
        if mode is GenerationMode.POSITIVE:
            raise


def test_no_server_errors_and_answers_match_the_schema(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", queue_backend="sqlite", environment="test",
                        secret_key="test-secret-0123456789", public_base_url="http://testserver")
    ctx = build_context(settings)  # jobs are queued in SQLite and never run: no render starts mid-probe
    try:
        app: FastAPI = create_app(ctx=ctx)
        staff = factories.make_staff(ctx)
        project = factories.make_project(ctx, owner_email=staff.email)
        first = factories.make_moment(ctx, project, make_photo(tmp_path / "a.jpg", colour="red",
                                                               taken=datetime(2024, 7, 24, 9, 0, 0)))
        assert first.contributor_token
        token = first.contributor_token
        own = factories.make_moment(ctx, project, make_photo(tmp_path / "b.jpg", colour="blue"),
                                    contributor_token=token, status="approved")
        factories.make_moment(ctx, project, make_photo(tmp_path / "c.jpg", colour="green"), status="approved")
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)

        def is_invite(path: str) -> bool:
            return "{token}" in path

        callers = [
            Caller("staff", staff.headers, {}, {"project_id": project.id, "moment_id": first.id},
                   lambda path: not is_invite(path)),
            Caller("staff-any-id", staff.headers, {}, {}, lambda path: not is_invite(path)),
            Caller("contributor", {}, {f"dayreel_contributor_{project.id}": token},
                   {"token": project.invite_token, "moment_id": own.id, "contributor_token": token}, is_invite),
            Caller("contributor-any-id", {}, {f"dayreel_contributor_{project.id}": token},
                   {"token": project.invite_token}, is_invite),
        ]
        tally = Tally()
        for result in schema.get_all_operations():
            operation = result.ok()
            for caller in callers:
                if caller.applies(operation.path):
                    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                        _run_operation(operation, caller, mode, tally)
        print(f"schemathesis: {len(tally.operations)} operations, {tally.requests} requests, "
              f"{len(tally.server_errors)} server errors, {len(tally.nonconforming)} undocumented answers")
        assert len(tally.operations) >= 20
        assert not tally.server_errors, "\n".join(tally.server_errors[:30])
        assert not tally.nonconforming, "\n".join(tally.nonconforming[:30])
    finally:
        ctx.engine.dispose()


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__, "-q", "-s"])
