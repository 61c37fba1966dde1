"""Configuration: flags and environment, the TTL ceiling, and what `tijdlijn serve` prints."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.server import ServerProcess
from tijdlijn.settings import MAX_TTL_SECONDS, Settings, from_env


def test_defaults_are_the_embedded_store_for_twelve_hours() -> None:
    settings = from_env({})
    assert settings.store_kind == "memory"
    assert settings.ttl_seconds == 12 * 3600
    assert settings.allowed_origins is None  # same origin only


def test_environment_and_flags_flags_win() -> None:
    env = {
        "TIJDLIJN_REDIS_URL": "redis://127.0.0.1:1/0",
        "TIJDLIJN_TTL_SECONDS": "3600",
        "TIJDLIJN_ALLOWED_ORIGINS": "https://a.example, https://b.example",
    }
    settings = from_env(env, ttl_seconds=7200)
    assert settings.store_kind == "redis"
    assert settings.ttl_seconds == 7200
    assert settings.allowed_origins == ("https://a.example", "https://b.example")


@pytest.mark.parametrize("ttl", [MAX_TTL_SECONDS + 1, 10 * 24 * 3600, 0])
def test_ttl_beyond_the_hard_maximum_is_refused(ttl: int) -> None:
    with pytest.raises(ValueError, match="ttl_seconds"):
        Settings(ttl_seconds=ttl)


def test_presence_lifetime_comes_from_the_environment_within_bounds() -> None:
    assert from_env({}).presence_seconds == 60
    assert from_env({"TIJDLIJN_PRESENCE_SECONDS": "6"}).presence_seconds == 6
    for seconds in ("5", "3601"):
        with pytest.raises(ValueError, match="presence_seconds"):
            from_env({"TIJDLIJN_PRESENCE_SECONDS": seconds})


def test_a_wildcard_origin_is_refused() -> None:
    with pytest.raises(ValueError, match="allowed_origins"):
        Settings(allowed_origins=("*",))


def test_serve_refuses_a_ttl_over_a_day_with_a_clear_message() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tijdlijn.cli", "serve", "--ttl", str(2 * MAX_TTL_SECONDS)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "ttl_seconds" in done.stderr


def test_serve_prints_the_address_to_open(live_server: ServerProcess) -> None:
    assert f"http://localhost:{live_server.port}/" in live_server.output()
