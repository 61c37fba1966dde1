"""HTTP hardening against a real server: headers everywhere, forwarded headers only from trusted
proxies, bodies bounded while streaming, no 500 from any input, no secrets in the access log
(docs/security.md; ASVS V3.4, V4.1, V2.2, V16.2)."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.clients import create_meeting, join
from tests.support.server import ServerProcess
from tijdlijn.domain.items import PALETTE


async def aget(url: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.get(url, **kwargs)


async def apost(url: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(url, **kwargs)


EVIL = "http://evil.example"
POLLING = "/socket.io/?EIO=4&transport=polling"
NESTED = "[" * 30_000 + "]" * 30_000  # 60 KB


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.parametrize("path", ["/", "/facilitator", "/api/join/ACDEFG", POLLING, "/healthz"])
def test_every_answer_carries_the_security_headers(live_server: ServerProcess, path: str) -> None:
    answer = httpx.get(live_server.url + path, timeout=10)
    headers = answer.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    if path.startswith(("/api/", "/socket.io")):
        assert headers["cache-control"] == "no-store", path
    assert "strict-transport-security" not in headers  # not without an https public URL


def test_hsts_when_the_public_url_is_https(start_server: Callable[..., ServerProcess]) -> None:
    server = start_server("--public-url", "https://tijdlijn.example.nl")
    for path in ("/", POLLING):
        answer = httpx.get(server.url + path, timeout=10)
        assert (
            answer.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
        ), path


def test_the_origin_check_ignores_forwarded_host_from_an_untrusted_peer(
    live_server: ServerProcess,
) -> None:
    spoofed = {"Origin": EVIL, "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}
    answer = httpx.get(live_server.url + POLLING, headers=spoofed, timeout=10)
    assert answer.status_code == 400, answer.text
    assert "access-control-allow-origin" not in answer.headers


def test_a_trusted_proxy_may_say_which_host_was_asked(
    start_server: Callable[..., ServerProcess],
) -> None:
    server = start_server("--trusted-proxy", "127.0.0.1")
    forwarded = {"Origin": EVIL, "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}
    answer = httpx.get(server.url + POLLING, headers=forwarded, timeout=10)
    assert answer.status_code == 200, answer.text


def chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b"[" * size
        sent += size


@pytest.mark.parametrize("path", ["/api/meetings", "/api/join", "/api/import", POLLING])
def test_a_huge_chunked_body_is_refused_without_being_read(
    start_server: Callable[..., ServerProcess], path: str
) -> None:
    server = start_server()
    before = rss_kib(server.process.pid)
    status = None
    try:
        answer = httpx.post(server.url + path, content=chunks(200 * 1024 * 1024), timeout=30)
        status = answer.status_code
    except httpx.TransportError:
        pass  # the server answered and closed while the client was still sending: also fine
    grown = rss_kib(server.process.pid) - before
    assert status in (None, 413, 400), status
    # 200 MB sent at it; it kept at most a few MB of it.
    assert grown < 20 * 1024, f"RSS grew by {grown} KiB"
    assert httpx.get(server.url + "/healthz", timeout=10).status_code == 200


def test_a_declared_length_over_the_limit_is_refused_at_once(live_server: ServerProcess) -> None:
    # httpx will not send a length it does not mean; a plain socket will.
    request = (
        f"POST /api/meetings HTTP/1.1\r\nHost: 127.0.0.1:{live_server.port}\r\n"
        "Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{}"
    )
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=10) as sock:
        sock.sendall(request.encode())
        received = b""
        while b'"invalid"' not in received:  # until the body is in, or the server closed
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
        head = received.decode(errors="replace")
    assert head.startswith("HTTP/1.1 413"), head[:200]
    assert '"code": "invalid"' in head or '"code":"invalid"' in head


@pytest.mark.parametrize(
    "path",
    ["/api/meetings", "/api/join", "/api/import", "/api/followup/start", "/api/report"],
)
def test_sixty_kb_of_nested_json_is_invalid_not_500(live_server: ServerProcess, path: str) -> None:
    answer = httpx.post(live_server.url + path, content=NESTED, timeout=10)
    assert answer.status_code in (400, 401), answer.text
    assert answer.json()["error"]["code"] in ("invalid", "unauthorized")


async def test_the_access_log_holds_no_join_codes_or_session_ids(
    start_server: Callable[..., ServerProcess],
) -> None:
    server = start_server("--access-log")
    m = await create_meeting(server.url, parties=1)
    joined = await join(server.url, m.join_code, m.party_ids[0])
    handshake = await aget(server.url + POLLING, timeout=10)
    sid = json.loads(handshake.text[1:])["sid"]
    sent = await apost(f"{server.url}{POLLING}&sid={sid}", content=b"40{}", timeout=10)
    assert sent.status_code == 200, sent.text
    await aget(f"{server.url}/api/join/{m.join_code}/qr.svg", timeout=10)
    server.stop()
    output = server.output()
    assert "/api/join/[code]" in output, "the access log ran"
    for secret in (m.join_code, sid, m.facilitator_token, joined["token"]):
        assert secret not in output


def test_a_body_on_a_page_changes_nothing(live_server: ServerProcess) -> None:
    body = {"title": "x", "initials": "J.K.", "parties": [{"name": "A", "colour": PALETTE[0]}]}
    answer = httpx.post(live_server.url + "/", json=body, timeout=10)
    assert answer.status_code == 405
