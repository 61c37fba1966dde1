"""docker/compose.yaml and the Dockerfile agree with what `make deploy-check` proves on loopback.

Docker cannot run here, so the loopback check (tests/test_deploy.py) runs the same nginx
template, Redis configuration and app; this test pins the compose file to them: the template
nginx mounts is that one and every placeholder in it gets a value, there are at least two
replicas on Redis behind it, Redis is unreachable from outside and keeps nothing on disk, and
the image installs the package from the lock, not editable, and runs as an unprivileged user.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

DOCKER = Path(__file__).resolve().parents[1] / "docker"


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    return data


def test_nginx_gets_the_tested_template_with_every_placeholder_set() -> None:
    nginx = compose()["services"]["nginx"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in nginx["volumes"]}
    assert mounts["/etc/nginx/templates/default.conf.template"] == "./nginx/tijdlijn.conf.template"
    template = (DOCKER / "nginx" / "tijdlijn.conf.template").read_text()
    placeholders = set(re.findall(r"\$\{([A-Z0-9_]+)\}", template))
    assert placeholders and placeholders <= set(nginx["environment"])
    assert {"443:443", "80:80"} <= set(nginx["ports"])


def test_two_or_more_replicas_share_redis_behind_nginx() -> None:
    services = compose()["services"]
    replicas = [s for s in services.values() if s.get("build", {}).get("dockerfile")]
    assert len(replicas) >= 2
    upstreams = {v for k, v in services["nginx"]["environment"].items() if "REPLICA" in k}
    assert len(upstreams) == len(replicas)
    for replica in replicas:
        env = replica["environment"]
        assert env["TIJDLIJN_REDIS_URL"].startswith("redis://tijdlijn:")
        assert env["TIJDLIJN_REDIS_URL"].endswith("@redis:6379/0")
        assert "ports" not in replica, "replicas are reached through nginx only"
        assert replica["read_only"] is True and replica["cap_drop"] == ["ALL"]


def test_redis_is_internal_and_keeps_nothing_on_disk() -> None:
    data = compose()
    redis = data["services"]["redis"]
    assert "ports" not in redis
    assert redis["networks"] == ["backend"] and data["networks"]["backend"]["internal"] is True
    assert "/data" in redis["tmpfs"] and redis["read_only"] is True
    assert not [v for v in redis["volumes"] if ":/data" in v]


def test_image_installs_from_the_lock_not_editable_as_a_user() -> None:
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert "--require-hashes" in dockerfile and "requirements/runtime.txt" in dockerfile
    assert not re.search(r"pip install[^\n]*\s-e\s", dockerfile)
    users = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
