"""One CSRF guard for the whole app (app/csrf.py): every unsafe route of the real app, enumerated, is refused
without the session's token or from another site, whatever the route itself checks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from app.csrf import CONTRIBUTOR_API, CROSS_SITE, EXPIRED, SAFE_METHODS
from tests import factories
from tests.web.test_staff_pages import sign_in

PARAM = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")


def all_routes(routes: list[Any]) -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) of every route, included routers flattened (FastAPI >= 0.16x keeps them apart)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route.path, route
        elif hasattr(route, "effective_route_contexts"):
            for context in route.effective_route_contexts():
                if isinstance(context.original_route, APIRoute):
                    yield context.path, context.original_route


def unsafe_routes(client: TestClient) -> list[tuple[str, str]]:
    """(method, path with every parameter filled) of each unsafe route the app has."""
    found = []
    for template, route in all_routes(client.app.routes):  # type: ignore[attr-defined]
        path = PARAM.sub(lambda m: "1" if m.group(1).endswith("id") else "abcd-efgh-jkmn-pqrs", template)
        found += [(method, path) for method in sorted(route.methods - SAFE_METHODS)]
    return sorted(set(found))


def test_the_app_has_unsafe_routes_of_every_kind(client: TestClient) -> None:
    routes = unsafe_routes(client)
    methods = {m for m, _ in routes}
    assert len(routes) > 30 and {"POST", "PATCH", "DELETE"} <= methods


def test_every_unsafe_route_refuses_a_signed_in_browser_without_the_token(
    client: TestClient, staff: factories.StaffUser
) -> None:
    sign_in(client, staff)
    unguarded = []
    for method, path in unsafe_routes(client):
        if path.startswith(CONTRIBUTOR_API):
            continue  # acts on an invite link, never on the sign-in: covered by the site checks below
        r = client.request(method, path, data={"caption": "x"})
        if r.status_code != 403 or EXPIRED not in r.text:
            unguarded.append(f"{method} {path}: {r.status_code}")
    assert unguarded == []


def test_every_unsafe_route_refuses_another_site_even_with_the_token(
    client: TestClient, staff: factories.StaffUser
) -> None:
    token = sign_in(client, staff)
    unguarded = []
    for method, path in unsafe_routes(client):
        for header in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}):
            r = client.request(method, path, data={"csrf": token}, headers={"X-CSRF-Token": token, **header})
            if r.status_code != 403 or CROSS_SITE not in r.text:
                unguarded.append(f"{method} {path} {header}: {r.status_code}")
    assert unguarded == []


def test_a_basic_authorization_header_does_not_skip_the_check(
    client: TestClient, staff: factories.StaffUser, project: factories.ProjectRef
) -> None:
    sign_in(client, staff)
    r = client.post(f"/api/projects/{project.id}/films", json={}, headers={"Authorization": "Basic eDp5"})
    assert r.status_code == 403 and EXPIRED in r.text


@pytest.mark.parametrize("how", ["header", "form"])
def test_the_token_lets_our_own_pages_through(
    client: TestClient, staff: factories.StaffUser, project: factories.ProjectRef, how: str
) -> None:
    token = sign_in(client, staff)
    if how == "header":
        r = client.post(f"/api/projects/{project.id}/films", json={}, headers={"X-CSRF-Token": token,
                        "Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"})
        assert r.status_code == 409 and "approve some moments" in r.text  # the route itself answered
    else:
        r = client.post(f"/staff/projects/{project.id}/contributions", data={"csrf": token, "open": "false"},
                        follow_redirects=False)
        assert r.status_code == 303, r.text


def test_bearer_clients_and_cookieless_programs_need_no_token(
    client: TestClient, staff: factories.StaffUser, project: factories.ProjectRef
) -> None:
    r = client.post(f"/api/projects/{project.id}/films", json={},
                    headers={"Authorization": f"Bearer {staff.token}"})
    assert r.status_code == 409 and "approve some moments" in r.text
    client.cookies.clear()
    r = client.post("/api/projects", data={"title": "x"}, headers={"Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 401  # no cookie, no ambient authority to abuse: the route answers itself


def test_a_partner_site_may_send_tus_without_cookies_but_never_with_them(
    client: TestClient, project: factories.ProjectRef
) -> None:
    client.app.state.ctx.settings.cors_origins = "https://partner.example"  # type: ignore[attr-defined]
    headers = {"Origin": "https://partner.example", "Sec-Fetch-Site": "cross-site", "Tus-Resumable": "1.0.0",
               "Upload-Length": "10", "Upload-Metadata": f"invite {_b64(project.invite_token)}"}
    client.cookies.clear()
    assert client.post("/api/uploads", headers=headers).status_code != 403
    client.cookies.set("dayreel_contributor_1", "someone")
    r = client.post("/api/uploads", headers=headers)
    assert r.status_code == 403 and CROSS_SITE in r.text


def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()
