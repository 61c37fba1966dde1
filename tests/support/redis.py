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


def answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def start_redis(workdir: Path, port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """Start redis-server on ``port`` (a free one by default) and wait until it answers PING."""
    binary = shutil.which("redis-server") or REDIS_SERVER
    if not Path(binary).exists():
        pytest.fail(
            f"redis-server not found (looked on PATH and at {REDIS_SERVER}): "
            "run `make test`, which installs it",
            pytrace=False,
        )
    port = port or free_port()
    log = workdir / "redis.log"
    command = [binary, "--save", "", "--appendonly", "no", "--port", str(port)]
    command += ["--bind", "127.0.0.1", "--dir", str(workdir), "--logfile", str(log)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_DEADLINE_SECONDS
    while not answers_ping(port):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_redis(process)
            detail = log.read_text() if log.exists() else "(no log)"
            pytest.fail(f"redis-server did not start on port {port}:\n{detail}", pytrace=False)
        time.sleep(0.02)
    return process, f"redis://127.0.0.1:{port}/0"


def stop_redis(process: subprocess.Popen[bytes]) -> None:
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
