"""Sessions end on the server: a cookie kept from before sign-out, or from before a password change on
another device, opens nothing; API tokens are not sessions and keep working."""

from __future__ import annotations

import io
import sys

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.cli import main
from app.config import get_settings
from app.context import Context
from app.main import create_app
from app.models import StaffSession
from tests import factories
from tests.web.test_staff_pages import CSRF, sign_in

SESSION = "dayreel_session"


def signed_in(client: TestClient) -> bool:
    r = client.get("/staff", follow_redirects=False)
    assert r.status_code in (200, 303), r.text
    return r.status_code == 200


def with_cookie(ctx: Context, value: str) -> TestClient:
    """Another browser holding a copy of a session cookie."""
    other = TestClient(create_app(ctx=ctx))
    other.cookies.set(SESSION, value)
    return other


def test_a_cookie_captured_before_sign_out_is_refused_afterwards(
    client: TestClient, ctx: Context, staff: factories.StaffUser
) -> None:
    csrf = sign_in(client, staff)
    captured = client.cookies.get(SESSION)
    assert captured and signed_in(with_cookie(ctx, captured))
    r = client.post("/staff/logout", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303 and not signed_in(client)
    replay = with_cookie(ctx, captured)
    assert not signed_in(replay)
    assert replay.get("/api/projects", follow_redirects=False).status_code == 401
    # API tokens are not touched by signing out
    assert client.get("/api/projects", headers=staff.headers).status_code == 200
    # signing in again makes a new session that works
    sign_in(client, staff)
    assert signed_in(client)


def test_a_password_change_ends_the_other_sessions_only(
    client: TestClient, ctx: Context, staff: factories.StaffUser
) -> None:
    csrf = sign_in(client, staff)
    phone = TestClient(create_app(ctx=ctx))
    sign_in(phone, staff)
    assert signed_in(phone)
    page = client.get("/staff/password")
    assert page.status_code == 200 and CSRF.search(page.text)
    # wrong current password or too short a new one: said, nothing changed, in English and Dutch
    r = client.post("/staff/password", data={"csrf": csrf, "current": "not it at all", "new": "a new secret!"})
    assert r.status_code == 422 and "The current password is not right." in r.text
    r = client.post("/staff/password?lang=nl", data={"csrf": csrf, "current": staff.password, "new": "kort"})
    assert r.status_code == 422 and "Het nieuwe wachtwoord moet minstens 8 tekens hebben." in r.text
    assert signed_in(phone)
    r = client.post("/staff/password", data={"csrf": csrf, "current": staff.password, "new": "a new secret!"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert signed_in(client) and not signed_in(phone)
    assert client.get("/api/projects", headers=staff.headers).status_code == 200  # tokens stay
    # the old password is gone, the new one signs in
    new = factories.StaffUser(id=staff.id, email=staff.email, password="a new secret!", token=staff.token)
    sign_in(phone, new)
    assert signed_in(phone)


def test_a_form_post_needs_its_csrf_token_and_a_session(client: TestClient, staff: factories.StaffUser) -> None:
    r = client.post("/staff/password", data={"csrf": "x", "current": staff.password, "new": "a new secret!"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/staff/login")
    sign_in(client, staff)
    r = client.post("/staff/password", data={"csrf": "x", "current": staff.password, "new": "a new secret!"})
    assert r.status_code == 403


def test_the_command_line_password_reset_signs_out_every_session(
    client: TestClient, ctx: Context, staff: factories.StaffUser, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sign_in(client, staff)
    monkeypatch.setenv("DAYREEL_DATA_DIR", str(ctx.settings.data_dir))
    monkeypatch.setenv("DAYREEL_QUEUE_BACKEND", "immediate")
    get_settings.cache_clear()
    try:
        monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
        assert main(["user", "passwd", staff.email, "--password-stdin"]) == 2
        assert signed_in(client)
        monkeypatch.setattr(sys, "stdin", io.StringIO("reset by the admin\n"))
        assert main(["user", "passwd", staff.email, "--password-stdin"]) == 0
    finally:
        get_settings.cache_clear()
    assert "1 browser session(s) signed out" in capsys.readouterr().out
    assert not signed_in(client)
    sign_in(client, factories.StaffUser(id=staff.id, email=staff.email, password="reset by the admin",
                                        token=staff.token))


def test_a_sign_in_is_committed_before_its_redirect_is_sent(ctx: Context, staff: factories.StaffUser) -> None:
    """A browser follows the 303 at once: the session row must already be visible to the next request."""
    seen_at_redirect: list[int] = []
    app = create_app(ctx=ctx)

    async def watching(scope, receive, send):  # type: ignore[no-untyped-def]
        async def watch(message):  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start" and message["status"] == 303:
                with ctx.sessions() as other:  # another connection, as the browser's next request would use
                    seen_at_redirect.append(other.scalar(select(func.count()).select_from(StaffSession)) or 0)
            await send(message)

        await app(scope, receive, watch)

    with TestClient(watching) as client:
        token = CSRF.search(client.get("/staff/login").text).group(1)  # type: ignore[union-attr]
        r = client.post("/staff/login", data={"email": staff.email, "password": staff.password, "csrf": token},
                        follow_redirects=False)
    assert r.status_code == 303
    assert seen_at_redirect == [1]
