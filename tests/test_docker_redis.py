"""The Redis setup shipped in docker/, tried on a real redis-server (Docker cannot run here).

The start script, redis.conf and users.acl are used exactly as compose uses them; only the port,
the bind address and the working directory are overridden for the test.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from tests.support.after_meeting import finished_meeting
from tests.support.redis import free_port, launch, redis_binary, stop_redis
from tijdlijn.answers import written
from tijdlijn.store.base import AccessRecord
from tijdlijn.store.redis import RedisStore

pytestmark = pytest.mark.redis

DOCKER = Path(__file__).resolve().parents[1] / "docker"
PLACEHOLDER = "__TIJDLIJN_REDIS_PASSWORD_SHA256__"


class Server:
    def __init__(self, command: list[str], port: int, workdir: Path, env: dict[str, str]) -> None:
        self.port = port
        self.workdir = workdir
        self.process = launch(command, port, workdir, env)

    def client(self, user: str | None, password: str | None) -> redis.Redis:
        # No retries: a refusal is the answer under test, not a blip to ride out.
        return redis.Redis(
            host="127.0.0.1",
            port=self.port,
            username=user,
            password=password,
            socket_timeout=5,
            retry=Retry(NoBackoff(), 0),
        )

    def stop(self) -> None:
        stop_redis(self.process)


@pytest.fixture
def password() -> str:
    return secrets.token_hex(16)


@pytest.fixture
def scripted(tmp_path: Path, password: str) -> Iterator[Server]:
    """Redis started by docker/redis-start.sh, as the compose file starts it."""
    port = free_port()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "redis-server").symlink_to(redis_binary())
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "TIJDLIJN_REDIS_PASSWORD": password,
        "REDIS_CONF_DIR": str(DOCKER),
        "REDIS_ACL_OUT": str(tmp_path / "users.acl"),
    }
    command = ["sh", str(DOCKER / "redis-start.sh"), "--port", str(port), "--bind", "127.0.0.1"]
    server = Server(command, port, tmp_path, env)
    yield server
    server.stop()


def test_the_start_script_fills_in_the_hash_and_never_the_password(
    scripted: Server, password: str, tmp_path: Path
) -> None:
    acl = (tmp_path / "users.acl").read_text()
    assert hashlib.sha256(password.encode()).hexdigest() in acl
    assert password not in acl and PLACEHOLDER not in acl
    assert (tmp_path / "users.acl").stat().st_mode & 0o077 == 0
    assert PLACEHOLDER in (DOCKER / "users.acl").read_text()  # the repository holds no hash


def test_default_user_is_off_and_a_wrong_password_is_refused(scripted: Server) -> None:
    with pytest.raises(redis.AuthenticationError):
        scripted.client(None, None).ping()
    with pytest.raises(redis.AuthenticationError):
        scripted.client("tijdlijn", "wrong").ping()


def test_tijdlijn_user_is_held_to_its_prefix(scripted: Server, password: str) -> None:
    db = scripted.client("tijdlijn", password)
    assert db.ping()
    assert db.set("tijdlijn:k", "v", ex=60) and db.get("tijdlijn:k") == b"v"
    assert db.eval("return redis.call('GET', KEYS[1])", 1, "tijdlijn:k") == b"v"
    assert list(db.scan_iter(match="tijdlijn:*")) == [b"tijdlijn:k"]
    assert db.publish("tijdlijn:socketio", "x") == 0
    refused = [
        lambda: db.set("other:k", "v"),
        lambda: db.get("other:k"),
        lambda: db.publish("socketio", "x"),
        lambda: db.keys("*"),
        lambda: db.flushall(),
        lambda: db.config_get("save"),
        lambda: db.bgsave(),
        lambda: db.save(),
        lambda: db.execute_command("SCRIPT", "FLUSH"),  # type: ignore[no-untyped-call]
    ]
    for attempt in refused:
        with pytest.raises(redis.exceptions.NoPermissionError):
            attempt()  # type: ignore[no-untyped-call]
    with pytest.raises(redis.exceptions.ResponseError):  # refused, and disabled outright
        db.execute_command("DEBUG", "SLEEP", "0")  # type: ignore[no-untyped-call]
    # A script may not reach outside the prefix either, whatever keys it declares.
    with pytest.raises(redis.exceptions.ResponseError):
        db.eval("return redis.call('SET', 'other:x', '1')", 1, "tijdlijn:k")


async def test_the_app_store_works_within_the_acl(scripted: Server, password: str) -> None:
    """Every command the Redis store and Socket.IO's manager use is allowed: a whole lifecycle."""
    store = RedisStore(f"redis://tijdlijn:{password}@127.0.0.1:{scripted.port}/0")
    await store.open()
    try:
        await store.ping()
        meeting, _ = finished_meeting()
        grant: AccessRecord = {"role": "facilitator", "participant_id": None, "party_id": None}
        assert await store.create(meeting, "ACDEFG", {"h": grant}, {"join_code": "ACDEFG"}, 60)
        assert await store.meeting_for_code("ACDEFG") == meeting["id"]
        assert await store.access(meeting["id"], "h") == grant
        event = {"seq": 1, "type": "x", "at": 1.0, "changes": [], "public": []}
        await store.append(meeting["id"], event, "op1", written(1, {}), 60)  # type: ignore[arg-type]
        assert await store.since(meeting["id"], 0) is not None
        await store.set_presence(meeting["id"], {"sid": "wall"}, 2_000_000_000, 60)
        assert await store.presence(meeting["id"], 0) == {"sid": "wall"}
        pubsub = store.client.pubsub()
        await pubsub.subscribe("tijdlijn:socketio")
        await pubsub.aclose()  # type: ignore[no-untyped-call]
        deletion = await store.delete(meeting["id"])
        assert deletion.removed > 0 and deletion.remaining == 0
    finally:
        await store.close()


@pytest.fixture
def with_admin(tmp_path: Path, password: str) -> Iterator[tuple[Server, str]]:
    """The shipped redis.conf with the ACL plus a test-only admin, to read the configuration."""
    admin = secrets.token_hex(16)
    digest = hashlib.sha256(password.encode()).hexdigest()
    acl = (DOCKER / "users.acl").read_text().replace(PLACEHOLDER, digest)
    acl_file = tmp_path / "users.acl"
    acl_file.write_text(acl + f"user testadmin on >{admin} ~* &* +@all\n")
    port = free_port()
    command = [redis_binary(), str(DOCKER / "redis.conf"), "--aclfile", str(acl_file)]
    command += ["--port", str(port), "--bind", "127.0.0.1"]
    server = Server(command, port, tmp_path, {"PATH": "/usr/bin:/bin"})
    yield server, admin
    server.stop()


def test_meeting_data_stays_off_disk(with_admin: tuple[Server, str], password: str) -> None:
    server, admin = with_admin
    root = server.client("testadmin", admin)
    config = root.config_get("*")
    assert config["save"] == ""
    assert config["appendonly"] == "no"
    assert config["protected-mode"] == "yes"
    assert config["maxmemory-policy"] == "noeviction"
    assert Path(str(config["dir"])).resolve() == server.workdir.resolve()

    app = server.client("tijdlijn", password)
    for n in range(100):
        app.set(f"tijdlijn:m:x:{n}", "gegevens over een casus")
    root.shutdown()  # no save points: shutting down writes nothing
    server.process.wait(timeout=5)
    written = {p.name for p in server.workdir.iterdir()} - {"redis.log", "users.acl"}
    assert written == set()
