"""A real `tijdlijn serve` in a subprocess on a free loopback port, its output captured.

A subprocess (not a thread) so that tests see exactly what an operator would: the console
script, uvicorn, and every line it logs (the canary test reads them all).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.redis import free_port

# Tests create many meetings and connections from 127.0.0.1; the limits have tests of their own
# (tests/test_security_*.py), which pass their own values.
RELAXED_LIMITS = {
    "TIJDLIJN_CREATIONS_PER_HOUR": "100000",
    "TIJDLIJN_MAX_LIVE_MEETINGS": "100000",
    "TIJDLIJN_MAX_CONNECTIONS_PER_ADDRESS": "100000",
}


class ServerProcess:
    def __init__(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        healthy: bool = True,
        port: int | None = None,
    ) -> None:
        # A given port: a restarted server where the pages (or devices) expect the old one.
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(tempfile.mkstemp(prefix="tijdlijn-log-", suffix=".txt")[1])
        self._log = self.log_path.open("wb")
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **RELAXED_LIMITS, **(env or {})}
        if "--redis-url" not in args:
            full_env.pop("TIJDLIJN_REDIS_URL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tijdlijn.cli", "serve", "--port", str(self.port), *args],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=full_env,
        )
        self._wait_ready(healthy)

    def _wait_ready(self, healthy: bool, timeout: float = 30.0) -> None:
        """Until /healthz answers 200 or, with ``healthy=False`` (a dead Redis), answers at all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"tijdlijn serve exited early:\n{self.output()}")
            try:
                status = httpx.get(f"{self.url}/healthz", timeout=5.0).status_code
                if status == 200 or not healthy:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)  # polling a starting process; not a wait for an event we control
        self.stop()
        raise RuntimeError(f"tijdlijn serve did not become healthy:\n{self.output()}")

    def output(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: the process dies at once, as in a crash (nothing flushed, nothing closed)."""
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def cleanup(self) -> None:
        self.stop()
        self.log_path.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def live_server() -> Iterator[ServerProcess]:
    """One server on the embedded store for the whole session; meetings keep tests apart."""
    # Many tests try wrong codes from 127.0.0.1; the limiter has a test of its own.
    server = ServerProcess(env={"TIJDLIJN_JOIN_FAILURES_PER_MINUTE": "10000"})
    yield server
    server.cleanup()


@pytest.fixture
def start_server() -> Iterator[Callable[..., ServerProcess]]:
    """Start extra servers (Redis, short TTL, ...) that stop when the test ends."""
    started: list[ServerProcess] = []

    def start(
        *args: str, env: dict[str, str] | None = None, healthy: bool = True, port: int | None = None
    ) -> ServerProcess:
        server = ServerProcess(*args, env=env, healthy=healthy, port=port)
        started.append(server)
        return server

    yield start
    for server in started:
        server.cleanup()
