"""A real redis-server for the tests: one per session on a free loopback port, no persistence.

Each test gets its own key prefix, so tests share the server without seeing each other's keys,
and whatever a test leaves under its prefix is removed afterwards.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

REDIS_SERVER = "/usr/bin/redis-server"
START_DEADLINE_SECONDS = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def answers(port: int) -> bool:
    """Any reply to PING (+PONG, or -NOAUTH from a server with passwords) means it is up."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64)[:1] in (b"+", b"-")
    except OSError:
        return False


def redis_binary() -> str:
    binary = shutil.which("redis-server") or REDIS_SERVER
    if not Path(binary).exists():
        pytest.fail(
            f"redis-server not found (looked on PATH and at {REDIS_SERVER}): "
            "run `make test`, which installs it",
            pytrace=False,
        )
    return binary


def launch(
    command: list[str], port: int, workdir: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Run ``command`` (a redis-server on ``port``) in ``workdir``, logging to redis.log there,
    and wait until it answers; fail the test with its log if it does not."""
    log = workdir / "redis.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=workdir, env=env, stdout=out, stderr=out)
    deadline = time.monotonic() + START_DEADLINE_SECONDS
    while not answers(port):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_redis(process)
            pytest.fail(
                f"redis-server did not start on port {port}:\n{log.read_text()}", pytrace=False
            )
        time.sleep(0.02)  # polling a starting process: there is no event to wait for
    return process


def start_redis(workdir: Path, port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """Start a bare redis-server on ``port`` (a free one by default), no persistence; its
    process and URL."""
    port = port or free_port()
    command = [redis_binary(), "--save", "", "--appendonly", "no", "--port", str(port)]
    command += ["--bind", "127.0.0.1", "--dir", str(workdir)]
    return launch(command, port, workdir), f"redis://127.0.0.1:{port}/0"


def stop_redis(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    process, url = start_redis(tmp_path_factory.mktemp("redis"))
    try:
        yield url
    finally:
        stop_redis(process)


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    prefix = f"t{uuid.uuid4().hex}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
