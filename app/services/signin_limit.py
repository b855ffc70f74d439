"""Sign-in limiting: failed attempts counted per account and per client address in a sliding window.

Only failures count and nothing resets them early: signing in to one's own account does not clear the
count of the account one was guessing at, nor of one's address. Failures older than the window fall
away, so a limited account or address can sign in again with the right password afterwards. With Redis
configured the counts are shared by every web process; otherwise each process keeps its own.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)

ACCOUNT_LIMIT = 10  # failures per account in the window
ADDRESS_LIMIT = 30  # failures per client address in the window
WINDOW_S = 15 * 60.0


class FailureStore(Protocol):
    def count(self, key: str, *, since: float) -> int: ...

    def add(self, key: str, *, at: float, window_s: float) -> None: ...


class MemoryStore:
    """Failure times per key in this process; keys whose failures all expired are swept as it grows."""

    SWEEP_AT = 10_000

    def __init__(self) -> None:
        self._times: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def count(self, key: str, *, since: float) -> int:
        with self._lock:
            times = self._times.get(key)
            if not times:
                return 0
            while times and times[0] < since:
                times.popleft()
            return len(times)

    def add(self, key: str, *, at: float, window_s: float) -> None:
        with self._lock:
            if len(self._times) >= self.SWEEP_AT:
                self._times = {k: t for k, t in self._times.items() if t and t[-1] >= at - window_s}
            self._times.setdefault(key, deque()).append(at)


class RedisStore:
    """One sorted set of failure times per key, shared by every process; it expires with the window.
    If Redis cannot be reached, this process counts on its own rather than failing the sign-in."""

    def __init__(self, client: Any, prefix: str) -> None:
        self._redis, self._prefix = client, prefix
        self._fallback = MemoryStore()

    def count(self, key: str, *, since: float) -> int:
        try:
            return int(self._redis.zcount(self._prefix + key, since, "+inf"))
        except Exception as err:  # redis.RedisError and connection errors alike
            log.warning("sign-in limit: Redis unavailable, counting in this process (%s)", err)
            return self._fallback.count(key, since=since)

    def add(self, key: str, *, at: float, window_s: float) -> None:
        name = self._prefix + key
        try:
            pipe = self._redis.pipeline()
            pipe.zadd(name, {f"{at:.6f}-{secrets.token_hex(4)}": at})
            pipe.zremrangebyscore(name, "-inf", at - window_s)
            pipe.expire(name, math.ceil(window_s))
            pipe.execute()
        except Exception as err:
            log.warning("sign-in limit: Redis unavailable, counting in this process (%s)", err)
            self._fallback.add(key, at=at, window_s=window_s)


def _address_key(address: str) -> str:
    # one IPv6 subscriber usually holds a whole /64: counting single addresses would give them billions of tries
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "addr:" + address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return "addr:" + str(ip.ipv4_mapped)
        return "addr:" + str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return "addr:" + str(ip)


def _account_key(email: str) -> str:
    # hashed: bounded length, and no addresses in Redis keys
    return "acct:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


@dataclass
class SigninLimiter:
    store: FailureStore = field(default_factory=MemoryStore)
    account_limit: int = ACCOUNT_LIMIT
    address_limit: int = ADDRESS_LIMIT
    window_s: float = WINDOW_S
    clock: Callable[[], float] = time.time  # wall clock: Redis counts are compared across processes

    def blocked(self, *, email: str, address: str) -> bool:
        """True while the account or the address has used up its failures in the window."""
        since = self.clock() - self.window_s
        return (self.store.count(_account_key(email), since=since) >= self.account_limit
                or self.store.count(_address_key(address), since=since) >= self.address_limit)

    def record_failure(self, *, email: str, address: str) -> None:
        now = self.clock()
        self.store.add(_account_key(email), at=now, window_s=self.window_s)
        self.store.add(_address_key(address), at=now, window_s=self.window_s)


def build_limiter(*, redis_url: str | None, namespace: str) -> SigninLimiter:
    """Redis-backed when a Redis URL is given, else counted in this process."""
    if not redis_url:
        return SigninLimiter()
    import redis

    client = redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
    return SigninLimiter(store=RedisStore(client, prefix=f"{namespace}:signin:"))
