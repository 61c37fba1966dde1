"""The shipped multi-machine topology, on loopback: Redis, two replicas, Debian's nginx with TLS.

Docker cannot run here, so this proves docker/compose.yaml's topology with the same parts: the
nginx configuration in docker/nginx/ (checked with `nginx -t` first), two `tijdlijn serve`
processes sharing one redis-server, and a whole meeting played through nginx over HTTPS by
WebSocket devices (spread over both replicas), a long-polling phone (kept on one replica) and a
phone that starts polling and upgrades. nginx's access log (which names the replica per request)
shows where every device landed. `make deploy-check` runs this file alone.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
import socketio
from cryptography.fernet import Fernet

from tests.support.redis import free_port
from tests.support.server import ServerProcess

pytestmark = pytest.mark.redis

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "docker" / "nginx" / "tijdlijn.conf.template"
NGINX = "/usr/sbin/nginx"
DEADLINE = 15.0
PLACEHOLDER = re.compile(r"\$\{([A-Z0-9_]+)\}")


def render(template: str, values: dict[str, str]) -> str:
    """Fill ${NAME} as the nginx image's envsubst does: only names given, nginx's $vars stay."""
    missing = {m for m in PLACEHOLDER.findall(template)} - set(values)
    assert not missing, f"placeholders without a value: {missing}"
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


@dataclass
class Nginx:
    url: str
    access_log: Path
    process: subprocess.Popen[bytes]
    context: ssl.SSLContext

    def log_lines(self) -> list[str]:
        return self.access_log.read_text().splitlines()


def self_signed(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def start_nginx(workdir: Path, replicas: list[str]) -> Nginx:
    binary = shutil.which("nginx") or NGINX
    if not Path(binary).exists():
        pytest.fail("nginx not found: run `make test`, which installs it from Debian")
    workdir.chmod(0o755)  # nginx's workers run as an unprivileged user when we are root
    cert, key = self_signed(workdir)
    port = free_port()
    access_log = workdir / "access.log"
    site = render(
        TEMPLATE.read_text(),
        {
            "TIJDLIJN_REPLICA_1": replicas[0],
            "TIJDLIJN_REPLICA_2": replicas[1],
            "NGINX_SERVER_NAME": "127.0.0.1",
            "NGINX_HTTPS_LISTEN": f"127.0.0.1:{port}",
            "NGINX_HTTP_LISTEN": f"127.0.0.1:{free_port()}",
            "NGINX_TLS_CERT": str(cert),
            "NGINX_TLS_KEY": str(key),
            "NGINX_ACCESS_LOG": str(access_log),
        },
    )
    (workdir / "tijdlijn.conf").write_text(site)
    # The main file is what a distribution's nginx.conf provides; the site is the shipped one.
    temp = "\n".join(
        f"  {kind}_temp_path {workdir / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = workdir / "nginx.conf"
    main.write_text(
        f"worker_processes 1;\npid {workdir / 'nginx.pid'};\n"
        f"error_log {workdir / 'error.log'} warn;\n"
        "events { worker_connections 512; }\n"
        f"http {{\n{temp}\n  include {workdir / 'tijdlijn.conf'};\n}}\n"
    )
    command = [binary, "-p", str(workdir), "-e", str(workdir / "error.log"), "-c", str(main)]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, f"nginx -t failed:\n{checked.stderr}"
    process = subprocess.Popen([*command, "-g", "daemon off;"], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    context = ssl.create_default_context(cafile=str(cert))
    url = f"https://127.0.0.1:{port}"
    while True:
        if process.poll() is not None:
            pytest.fail(f"nginx exited: {(workdir / 'error.log').read_text()}")
        try:
            httpx.get(f"{url}/healthz", verify=context, timeout=2).raise_for_status()
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)  # polling a starting process
    return Nginx(url, access_log, process, context)


def stop_nginx(nginx: Nginx) -> None:
    # QUIT: a graceful stop, so every open request is logged before nginx exits.
    nginx.process.send_signal(3)
    try:
        nginx.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        nginx.process.kill()
        nginx.process.wait()


@pytest.fixture
def topology(tmp_path: Path, redis_url: str, redis_prefix: str) -> Iterator[Nginx]:
    # Replicas share one capsule key, as compose.yaml has them do.
    env = {
        "TIJDLIJN_KEY_PREFIX": redis_prefix,
        "TIJDLIJN_CAPSULE_KEYS": Fernet.generate_key().decode(),
        # nginx is the trusted proxy, as in compose.yaml (there at its fixed backend address).
        "TIJDLIJN_TRUSTED_PROXIES": "127.0.0.1",
    }
    replicas = [ServerProcess("--redis-url", redis_url, env=env) for _ in range(2)]
    try:
        nginx = start_nginx(tmp_path, [f"127.0.0.1:{r.port}" for r in replicas])
        try:
            yield nginx
        finally:
            stop_nginx(nginx)
    finally:
        for replica in replicas:
            replica.cleanup()


@dataclass
class Phone:
    """A Socket.IO client through nginx, recording the events that reach it."""

    name: str
    nginx: Nginx
    token: str
    transports: list[str] | None
    events: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[Any] = field(default_factory=list)
    disconnects: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    client: Any = None
    session: aiohttp.ClientSession | None = None

    async def connect(self) -> None:
        self.session = session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(ssl=self.nginx.context)
        )
        self.client = socketio.AsyncClient(reconnection=False, http_session=session)
        welcomed = asyncio.Event()
        self.client.on("snapshot", lambda data: welcomed.set())
        self.client.on("event", self._on_event)
        self.client.on("meeting.deleted", self._on_deleted)
        self.client.on("disconnect", self._on_disconnect)
        await self.client.connect(
            self.nginx.url,
            auth={"token": self.token},
            headers={"Origin": self.nginx.url},
            transports=self.transports,
            wait_timeout=DEADLINE,
        )
        await asyncio.wait_for(welcomed.wait(), DEADLINE)

    def _on_event(self, data: dict[str, Any]) -> None:
        self.events.append(data)
        self.changed.set()

    def _on_deleted(self, data: Any) -> None:
        self.deleted.append(data)
        self.changed.set()

    def _on_disconnect(self, reason: Any = None) -> None:
        self.disconnects += 1
        self.changed.set()

    def seqs(self) -> set[int]:
        return {e["seq"] for e in self.events}

    async def until(self, done: Any, what: str) -> None:
        deadline = asyncio.get_running_loop().time() + DEADLINE
        while not done():
            self.changed.clear()
            remaining = deadline - asyncio.get_running_loop().time()
            assert remaining > 0, f"{self.name}: timed out waiting for {what}"
            try:
                await asyncio.wait_for(self.changed.wait(), remaining)
            except TimeoutError:
                continue

    async def close(self) -> None:
        if self.client is not None:
            # Abort, not the graceful goodbye: after "end and delete" the server has already
            # dropped the session, and a polling client would wait out a long-poll to learn it.
            await self.client.eio.disconnect(abort=True)
        if self.session is not None:
            await self.session.close()


async def test_a_meeting_through_nginx_on_two_replicas(topology: Nginx) -> None:
    nginx = topology
    async with httpx.AsyncClient(base_url=nginx.url, verify=nginx.context) as http:
        health = await http.get("/healthz")
        assert health.status_code == 200
        assert "max-age" in health.headers["strict-transport-security"]
        parties = [
            {"name": f"Partij {i}", "colour": c} for i, c in enumerate(["#E69F00", "#56B4E9"])
        ]
        made = (
            await http.post(
                "/api/meetings", json={"title": "Deploy", "initials": "D.C.", "parties": parties}
            )
        ).json()
        party_ids = [
            p["id"] for p in (await http.get(f"/api/join/{made['join_code']}")).json()["parties"]
        ]
        tokens = [
            (
                await http.post("/api/join", json={"code": made["join_code"], "party_id": pid})
            ).json()["token"]
            for pid in party_ids * 3
        ]
    websocket = ["websocket"]
    devices = [
        Phone("facilitator", nginx, made["facilitator_token"], websocket),
        Phone("wall", nginx, made["wall_token"], websocket),
        *(Phone(f"phone{i}", nginx, t, websocket) for i, t in enumerate(tokens[:4])),
        Phone("polling phone", nginx, tokens[4], ["polling"]),
        # Starts polling, then upgrades to a WebSocket: the upgrade must reach the same replica.
        Phone("upgrading phone", nginx, tokens[5], None),
    ]
    try:
        for device in devices:
            await device.connect()
        facilitator, polling = devices[0], devices[-2]
        seqs = []
        moment = await facilitator.client.call(
            "moment.add",
            {"op_id": "d1", "text": "Eerste melding", "reveal": True},
            timeout=DEADLINE,
        )
        assert moment["ok"], moment
        seqs.append(moment["seq"])
        for n, writer in enumerate(devices[2:]):
            ack = await writer.client.call(
                "interpretation.add",
                {"op_id": f"i{n}", "moment_id": moment["id"], "text": f"Duiding {n}"},
                timeout=DEADLINE,
            )
            assert ack["ok"], (writer.name, ack)
            seqs.append(ack["seq"])
        # Every write, from whichever replica, reaches every device on either replica.
        for device in devices:
            await device.until(lambda d=device: set(seqs) <= d.seqs(), f"seqs {seqs}")
        assert polling.client.transport() == "polling"
        assert devices[-1].client.transport() == "websocket"
        ended = await facilitator.client.call(
            "meeting.end", {"op_id": "end", "confirm": True}, timeout=DEADLINE
        )
        assert ended["ok"] and ended["receipt"]["verified_empty"], ended
        for device in devices[1:]:
            await device.until(lambda d=device: bool(d.deleted), "meeting.deleted")
        assert all(d.disconnects == 0 for d in devices[1:] if not d.deleted)
    finally:
        for device in devices:
            await device.close()
        # aiohttp closes TLS connections asynchronously after session.close(); its documented
        # graceful shutdown is a short pause before the loop ends, else a polling client's last
        # connection can be reported unclosed. Not a wait for the server: everything is checked.
        await asyncio.sleep(0.25)
    stop_nginx(nginx)

    lines = nginx.log_lines()
    assert lines, "nginx logged nothing"
    socketio_lines = [line for line in lines if " /socket.io/ " in line]
    by_transport: dict[str, set[str]] = {}
    for line in socketio_lines:
        transport = re.search(r"transport=(\S*)", line)
        upstream = re.search(r"upstream=(\S+)", line)
        assert transport and upstream, line
        by_transport.setdefault(transport.group(1), set()).add(upstream.group(1))
    assert len(by_transport["websocket"]) == 2, f"devices on one replica only: {by_transport}"
    assert len(by_transport["polling"]) == 1, f"a polling session moved: {by_transport}"
    # 499: the client closed its pending long-poll when it left; a 400 would be a lost session.
    failed = [line for line in socketio_lines if line.split()[1] not in ("101", "200", "499")]
    assert not failed, failed
    # Logs without content or addresses: no client IP, no token, no query string.
    log = "\n".join(lines)
    assert "127.0.0.1 -" not in log and made["facilitator_token"] not in log
    assert "EIO=" not in log and made["join_code"] not in log
