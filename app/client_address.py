"""The address a request came from: the socket peer, or X-Forwarded-For only when the peer is a proxy we
were told to trust (DAYREEL_TRUSTED_PROXIES). Anyone else can write any X-Forwarded-For they like."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """'10.0.0.1, 192.168.0.0/16' -> networks; raises ValueError naming the entry that is not an IP or CIDR."""
    networks = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"'{part}' is not an IP address or network (e.g. 10.0.0.1 or 10.0.0.0/8)") from None
    return tuple(networks)


def _trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in trusted)


def client_address(request: Request, trusted: Sequence[Network]) -> str:
    """The client's address. Through trusted proxies, the X-Forwarded-For entry nearest to us that is not a
    trusted proxy itself: each proxy appends the address it saw, so entries further left are the client's word."""
    peer = request.client.host if request.client else ""
    if not trusted or not _trusted(peer, trusted):
        return peer or "unknown"
    hops = [h.strip() for line in request.headers.getlist("x-forwarded-for") for h in line.split(",")]
    nearest = peer
    for hop in reversed([h for h in hops if h]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return nearest  # garbage our proxy passed on: stop at the last hop we trust
        if not _trusted(hop, trusted):
            return hop
        nearest = hop
    return nearest
