"""Sign-in limiting one sender cannot get around: per account and per address, not reset by a successful
sign-in elsewhere, X-Forwarded-For believed only from trusted proxies, a window that passes, shared
through Redis by several web processes."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from starlette.requests import Request

from app.config import Settings
from app.context import Context
from app.main import create_app
from tests import factories
from tests.conftest import services_required

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
REDIS_URL = "redis://127.0.0.1:6379/0"
# the defaults: 10 failures per account and 30 per address in 15 minutes
ACCOUNT_LIMIT, ADDRESS_LIMIT, WINDOW_S = 10, 30, 15 * 60.0


class FakeClock:
    """The limiter's clock, moved by the test instead of waiting."""

    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now


def make_client(ctx: Context, clock: FakeClock, *, peer: str = "203.0.113.7", settings: Settings | None = None,
                **limits: int) -> TestClient:
    """The app as seen from `peer`, its sign-in limiter on `clock` (and with smaller `limits`, to stay fast)."""
    app = create_app(settings, ctx=ctx) if settings else create_app(ctx=ctx)
    limiter = getattr(app.state, "signin_limiter", None)
    if limiter is not None:
        limiter.clock = clock
        for name, value in limits.items():
            setattr(limiter, name, value)
    return TestClient(app, client=(peer, 50000))


def test_the_default_limits() -> None:
    from app.services import signin_limit

    limiter = signin_limit.SigninLimiter()
    assert (limiter.account_limit, limiter.address_limit, limiter.window_s) == (ACCOUNT_LIMIT, ADDRESS_LIMIT, WINDOW_S)


def attempt(client: TestClient, email: str, password: str, *, forwarded: str | None = None) -> int:
    token = CSRF.search(client.get("/staff/login").text).group(1)  # type: ignore[union-attr]
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    r = client.post("/staff/login", data={"email": email, "password": password, "csrf": token},
                    headers=headers, follow_redirects=False)
    client.cookies.clear()  # each attempt on its own, as a script would
    return r.status_code


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def victim(ctx: Context) -> factories.StaffUser:
    return factories.make_staff(ctx, email="victim@example.org")


@pytest.fixture
def attacker(ctx: Context) -> factories.StaffUser:
    return factories.make_staff(ctx, admin=False, email="attacker@example.org")


def test_own_successful_sign_in_resets_nothing_and_the_window_passes(
    ctx: Context, victim: factories.StaffUser, attacker: factories.StaffUser, clock: FakeClock
) -> None:
    client = make_client(ctx, clock)
    for _ in range(ACCOUNT_LIMIT - 1):
        assert attempt(client, victim.email, "guess-guess") == 401
    # the attacker signs in to their own account from the same address: the victim's count stays
    assert attempt(client, attacker.email, attacker.password) == 303
    assert attempt(client, victim.email, "guess-guess") == 401
    # the account is limited now: even the right password waits for the window
    assert attempt(client, victim.email, victim.password) == 429
    assert attempt(client, " Victim@Example.org ", "guess-guess") == 429  # the same account, written otherwise
    clock.now += WINDOW_S / 2
    assert attempt(client, victim.email, victim.password) == 429
    # the failures fall out of the window: the right password works again
    clock.now += WINDOW_S / 2 + 1
    assert attempt(client, victim.email, victim.password) == 303


def test_account_limit_holds_across_addresses(
    ctx: Context, settings: Settings, victim: factories.StaffUser, clock: FakeClock
) -> None:
    proxied = settings.model_copy(update={"trusted_proxies": "10.0.0.0/8"})
    client = make_client(ctx, clock, peer="10.0.0.2", settings=proxied, account_limit=4)
    for i in range(4):
        assert attempt(client, victim.email, "guess-guess", forwarded=f"198.51.100.{i + 1}") == 401
    # a fresh address changes nothing for this account, while another account from there is fine
    assert attempt(client, victim.email, victim.password, forwarded="198.51.100.200") == 429
    other = factories.make_staff(ctx, email="other@example.org")
    assert attempt(client, other.email, other.password, forwarded="198.51.100.200") == 303


def test_address_limit_ignores_a_forged_forwarded_for(ctx: Context, clock: FakeClock) -> None:
    users = [factories.make_staff(ctx, email=f"u{i}@example.org") for i in range(2)]
    # no trusted proxies: X-Forwarded-For is the sender's word
    client = make_client(ctx, clock, peer="203.0.113.7", address_limit=6)
    for i in range(6):
        # a different account and a different claimed address each time: only the address counts up
        assert attempt(client, f"nobody{i}@example.org", "guess-guess", forwarded=f"192.0.2.{i + 1}") == 401
    assert attempt(client, users[0].email, users[0].password, forwarded="192.0.2.250") == 429
    # another address on the same server is not limited
    elsewhere = TestClient(client.app, client=("203.0.113.8", 50000))
    assert attempt(elsewhere, users[1].email, users[1].password) == 303
    clock.now += WINDOW_S + 1
    assert attempt(client, users[0].email, users[0].password) == 303


def test_an_ipv6_subscriber_counts_as_one_address(clock: FakeClock) -> None:
    from app.services.signin_limit import SigninLimiter

    limiter = SigninLimiter(address_limit=3, clock=clock)
    for i in range(3):  # every failure from another address in the same /64, each on another account
        limiter.record_failure(email=f"n{i}@example.org", address=f"2001:db8:1:2::{i + 1:x}")
    assert limiter.blocked(email="x@example.org", address="2001:db8:1:2:ffff::9")
    assert not limiter.blocked(email="x@example.org", address="2001:db8:1:3::1")
    assert not limiter.blocked(email="x@example.org", address="198.51.100.1")


def _request(peer: str, forwarded: list[str]) -> Request:
    headers = [(b"x-forwarded-for", v.encode()) for v in forwarded]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers, "client": (peer, 1)})


def test_client_address_believes_only_trusted_proxies() -> None:
    from app.client_address import client_address, parse_networks

    trusted = parse_networks("10.0.0.0/8, 2001:db8::1")
    # no proxies configured: the socket peer, whatever the header says
    assert client_address(_request("198.51.100.9", ["1.2.3.4"]), ()) == "198.51.100.9"
    # an untrusted peer's header is ignored
    assert client_address(_request("198.51.100.9", ["1.2.3.4"]), trusted) == "198.51.100.9"
    # through our proxy: the address it appended, not what the client wrote further left
    assert client_address(_request("10.0.0.2", ["6.6.6.6, 1.2.3.4"]), trusted) == "1.2.3.4"
    # two of our proxies in a row, the header split over two lines
    assert client_address(_request("10.0.0.2", ["6.6.6.6, 1.2.3.4", "10.1.1.1"]), trusted) == "1.2.3.4"
    assert client_address(_request("2001:db8::1", ["2001:db8::77"]), trusted) == "2001:db8::77"
    # garbage or nothing behind our proxy: the last hop we trust, never the garbage
    assert client_address(_request("10.0.0.2", ["not-an-ip"]), trusted) == "10.0.0.2"
    assert client_address(_request("10.0.0.2", []), trusted) == "10.0.0.2"


def test_a_mistyped_trusted_proxy_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match=r"'10\.0\.0\.300' is not an IP address or network"):
        Settings(trusted_proxies="10.0.0.1, 10.0.0.300", environment="test")
    assert Settings(environment="test").trusted_proxies == ""


@pytest.fixture
def redis_namespace() -> Iterator[str]:
    """A Redis key namespace nobody else uses, removed afterwards."""
    try:
        import redis

        conn = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        conn.ping()
    except Exception as err:
        message = f"Redis is not reachable on loopback ({err.__class__.__name__}: {err})"
        if services_required():
            pytest.fail(message + " and DAYREEL_REQUIRE_SERVICES=1")
        pytest.skip(message)
    namespace = f"dayreel-test-{secrets.token_hex(4)}"
    yield namespace
    for key in conn.scan_iter(match=f"{namespace}:*"):
        conn.delete(key)
    conn.close()


@pytest.mark.services
def test_limits_are_shared_by_web_processes_through_redis(
    ctx: Context, settings: Settings, victim: factories.StaffUser, redis_namespace: str, clock: FakeClock
) -> None:
    shared = settings.model_copy(update={"redis_url": REDIS_URL, "queue_name": redis_namespace})
    # two apps with nothing in common but Redis, as two web processes would be
    first, second = make_client(ctx, clock, settings=shared), make_client(ctx, clock, settings=shared)
    for _ in range(ACCOUNT_LIMIT):
        assert attempt(first, victim.email, "guess-guess") == 401
    assert attempt(second, victim.email, victim.password) == 429
    clock.now += WINDOW_S + 1
    assert attempt(second, victim.email, victim.password) == 303
