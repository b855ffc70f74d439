"""Every HTML page carries a strict CSP, refuses framing and sniffing, and keeps its URL (tokens) to itself;
no page has a script the CSP would block."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.context import Context
from app.models import Project
from tests import factories
from tests.mediagen import make_photo
from tests.web.test_staff_pages import sign_in


def _directives(csp: str) -> dict[str, list[str]]:
    out = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def _pages(ctx: Context, client: TestClient, staff: factories.StaffUser, project: factories.ProjectRef,
           tmp_path: Path) -> list[str]:
    moment = factories.make_moment(ctx, project, make_photo(tmp_path / "p.jpg"), status="approved")
    with ctx.sessions() as s:
        project_row = s.get(Project, project.id)
        assert project_row is not None
        present = project_row.present_token
    assert moment.contributor_token
    client.get(f"/c/{project.invite_token}/me/{moment.contributor_token}")  # sets the contributor cookie
    sign_in(client, staff)
    return [
        f"/c/{project.invite_token}", f"/c/{project.invite_token}/me", f"/p/{present}", "/staff/login", "/staff",
        f"/staff/projects/{project.id}", f"/staff/projects/{project.id}/moments", f"/staff/moments/{moment.id}",
        f"/staff/projects/{project.id}/settings", f"/staff/projects/{project.id}/film",
        f"/staff/projects/{project.id}/collage", f"/staff/projects/{project.id}/present", "/c/no-such-invite",
    ]


def test_every_page_has_the_security_headers(
    ctx: Context, client: TestClient, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    for url in _pages(ctx, client, staff, project, tmp_path):
        r = client.get(url)
        assert r.status_code in (200, 404), (url, r.status_code)
        assert r.headers["content-type"].startswith("text/html"), url
        csp = _directives(r.headers["content-security-policy"])
        assert csp["script-src"] == ["'self'"], url  # no 'unsafe-inline', no 'unsafe-eval', no other host
        assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"], url
        assert csp["default-src"] == ["'self'"] and csp["base-uri"] == ["'none'"], url
        assert r.headers["x-frame-options"] == "DENY", url
        assert r.headers["x-content-type-options"] == "nosniff", url
        assert r.headers["referrer-policy"] in ("same-origin", "no-referrer"), url


def test_private_pages_send_no_referrer_at_all(
    ctx: Context, client: TestClient, project: factories.ProjectRef, tmp_path: Path
) -> None:
    moment = factories.make_moment(ctx, project, make_photo(tmp_path / "p.jpg"))
    r = client.get(f"/c/{project.invite_token}/me/{moment.contributor_token}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["referrer-policy"] == "no-referrer"
    assert client.get(f"/c/{project.invite_token}/me").headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("url", ["/healthz", "/api/projects", "/static/staff.js"])
def test_api_answers_and_files_are_not_sniffed_either(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_no_page_has_a_script_or_handler_the_policy_would_block(
    ctx: Context, client: TestClient, staff: factories.StaffUser, project: factories.ProjectRef, tmp_path: Path
) -> None:
    for url in _pages(ctx, client, staff, project, tmp_path):
        soup = BeautifulSoup(client.get(url).text, "html.parser")
        for script in soup.find_all("script"):
            # a script runs only from /static; inline blocks are data the page's script reads, never run
            assert script.get("src", "").startswith("/static/") or script.get("type") == "application/json", (
                url, str(script)[:120])
        for tag in soup.find_all(True):
            handlers = [a for a in tag.attrs if a.lower().startswith("on")]
            assert not handlers, (url, tag.name, handlers)
            assert not str(tag.get("href", "")).lower().startswith("javascript:"), (url, str(tag)[:120])


def test_the_api_docs_page_allows_exactly_its_cdn_and_its_own_inline_script(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200
    policy = _directives(r.headers["content-security-policy"])
    soup = BeautifulSoup(r.text, "html.parser")
    scripts = soup.find_all("script")
    assert scripts, "Swagger UI needs its scripts"
    for script in scripts:
        if script.get("src"):  # the Swagger bundle from its CDN
            assert any(script["src"].startswith(source) for source in policy["script-src"] if "://" in source)
        else:  # the inline start-up script: allowed by its hash, never by 'unsafe-inline'
            digest = base64.b64encode(hashlib.sha256(script.string.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in policy["script-src"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert client.get("/redoc").status_code == 404
    # every other page keeps the strict policy
    assert _directives(client.get("/staff/login").headers["content-security-policy"])["script-src"] == ["'self'"]
