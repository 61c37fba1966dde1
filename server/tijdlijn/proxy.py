"""Who is asking: the client address, and forwarded headers believed only from trusted proxies.

Behind nginx or oauth2-proxy the direct peer is the proxy, and the client's address is in
``X-Forwarded-For``. Anyone can send that header, so it counts only when the direct peer is in
``--trusted-proxy``. :class:`ProxyHeaders` runs before everything else: from a trusted peer it
sets the client address (the nearest untrusted hop of ``X-Forwarded-For``) and the scheme; from
any other peer it removes every forwarded header, so nothing downstream (Engine.IO's origin
check reads ``X-Forwarded-Host`` and ``-Proto``) can be fooled by them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_FORWARDED = (b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host", b"forwarded")


def networks(proxies: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def trusted(address: str, nets: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in nets)


def peer(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "?"


def address_key(address: str) -> str:
    """What limits count by: an IPv4 address, or the /64 of an IPv6 one (one subscriber's
    network hands out addresses from a /64, so counting single addresses would not limit)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class ProxyHeaders:
    def __init__(self, app: ASGIApp, proxies: Iterable[str]) -> None:
        self.app = app
        self.nets = networks(proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = self.rewrite(scope)
        await self.app(scope, receive, send)

    def rewrite(self, scope: Scope) -> Scope:
        """The scope as the app should see it (a copy when anything changes)."""
        headers = scope.get("headers", [])
        if not trusted(peer(scope), self.nets):
            # A copy only when there is something to remove: a WebSocket keeps its scope for
            # the connection's lifetime (bench/README.md, memory per connection).
            if any(k in _FORWARDED for k, _ in headers):
                kept = [(k, v) for k, v in headers if k not in _FORWARDED]
                scope = {**scope, "headers": kept}
            return scope
        scope = {**scope, "tijdlijn.peer": peer(scope)}
        values = {k.decode(): v.decode("latin-1") for k, v in headers if k in _FORWARDED}
        hops = [h.strip() for h in values.get("x-forwarded-for", "").split(",") if h.strip()]
        # From the right: the last hop a trusted proxy added is the first we cannot vouch for.
        for hop in reversed(hops):
            if not trusted(hop, self.nets):
                scope["client"] = (hop, 0)
                break
        else:
            if hops:
                scope["client"] = (hops[0], 0)
        proto = values.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        if proto in ("http", "https"):
            scope["scheme"] = proto if scope["type"] == "http" else {"http": "ws"}.get(proto, "wss")
        return scope
