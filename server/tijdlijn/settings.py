"""One frozen dataclass of configuration, filled from flags and environment by cli.py."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass

# A meeting lasts 2 to 2.5 hours; 12 hours after the last activity covers a long day with a
# break, and nothing may live longer than a day: this is ephemeral data about vulnerable people.
DEFAULT_TTL_SECONDS = 12 * 3600
MAX_TTL_SECONDS = 24 * 3600
# Facilitators prepare over days: a meeting in preparation is kept until the day after its
# planned date, but never longer than this many days after its last change.
MAX_PREPARATION_DAYS = 30
# A preparation without a planned date is kept this long after its last change.
UNDATED_PREPARATION_DAYS = 14


def default_state_dir() -> str:
    """Where the embedded default keeps its one file (the capsule key): the XDG state folder."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "state"
    )
    return os.path.join(base, "tijdlijn")


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    redis_url: str | None = None
    key_prefix: str = "tijdlijn:"
    ttl_seconds: int = DEFAULT_TTL_SECONDS
    # None: same origin only. Behind a reverse proxy, list the public origins.
    allowed_origins: tuple[str, ...] | None = None
    # The address people open (for links and QR codes); None: taken from each request.
    public_url: str | None = None
    # Writes per connection: a burst, then a steady rate.
    rate_burst: int = 20
    rate_per_second: float = 5.0
    max_message_bytes: int = 64 * 1024
    # Wrong join codes allowed per client address per minute, against guessing.
    join_failures_per_minute: int = 30
    # Events kept per meeting for resync; older clients get a fresh snapshot instead.
    log_max: int = 5000
    web_dir: str | None = None
    # Prometheus /metrics on a port of its own (None: no endpoint); docs/deploy.md.
    metrics_port: int | None = None
    metrics_host: str = "127.0.0.1"
    # Days a preparation may last (1 to 30), see MAX_PREPARATION_DAYS.
    preparation_days: int = MAX_PREPARATION_DAYS
    # The folder for the capsule key when none is configured (created once, mode 0700/0600).
    state_dir: str | None = None
    # Keys that seal restore capsules (Fernet, urlsafe base64 of 32 bytes); the first seals, all
    # open, so a key can be rotated. Several processes must share them: set them here.
    capsule_keys: tuple[str, ...] = ()
    # Seconds a device's presence entry counts unless its process renews it (every third of
    # this): the entries of a process that died fade within this time.
    presence_seconds: int = 60
    # Security (docs/security.md). Addresses or networks of reverse proxies whose
    # X-Forwarded-For/-Proto/-Host are believed; empty: no forwarded header is believed.
    trusted_proxies: tuple[str, ...] = ()
    # Who may create meetings: anyone (only on a loopback address), a holder of one of these
    # keys, or a request that a trusted proxy marked with this header (e.g. oauth2-proxy).
    facilitator_keys: tuple[str, ...] = ()
    facilitator_header: str | None = None
    creations_per_hour: int = 30
    max_live_meetings: int = 500
    max_connections_per_meeting: int = 100
    max_connections_per_address: int = 200
    # Overload (admission.py, docs/deploy.md): writes are answered `busy` at once while the
    # event loop runs this many ms late, or while this many writes are in flight in this
    # process and the oldest of them has waited this many ms; 0 turns a gate (or the wait) off.
    overload_lag_ms: int = 50
    overload_writes_in_flight: int = 16
    overload_write_wait_ms: int = 200

    def __post_init__(self) -> None:
        if not 60 <= self.ttl_seconds <= MAX_TTL_SECONDS:
            raise ValueError(
                f"ttl_seconds must be between 60 and {MAX_TTL_SECONDS} (24 hours), "
                f"got {self.ttl_seconds}"
            )
        if not 1 <= self.preparation_days <= MAX_PREPARATION_DAYS:
            raise ValueError(
                f"preparation_days must be between 1 and {MAX_PREPARATION_DAYS}, "
                f"got {self.preparation_days}"
            )
        if not 6 <= self.presence_seconds <= 3600:
            raise ValueError(
                f"presence_seconds must be between 6 and 3600, got {self.presence_seconds}"
            )
        if min(self.overload_lag_ms, self.overload_writes_in_flight) < 0 or (
            self.overload_write_wait_ms < 0
        ):
            raise ValueError("the overload thresholds must be 0 (off) or more")
        if self.allowed_origins is not None and "*" in self.allowed_origins:
            raise ValueError("allowed_origins may not contain '*': list the real origins")
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(f"trusted proxy {proxy!r} is no IP address or network") from None
        if any(len(key) < 16 for key in self.facilitator_keys):
            raise ValueError("a facilitator key must be at least 16 characters")
        if self.facilitator_header and not self.trusted_proxies:
            raise ValueError("facilitator_header needs trusted_proxies: only a proxy may set it")
        if self.facilitator_access == "open" and not is_loopback(self.host):
            raise ValueError(
                f"listening on {self.host} lets anyone who can reach it create meetings: set a "
                "facilitator key (--facilitator-key / TIJDLIJN_FACILITATOR_KEYS) or a trusted "
                "header (--facilitator-header with --trusted-proxy), see docs/security.md"
            )

    @property
    def store_kind(self) -> str:
        return "redis" if self.redis_url else "memory"

    @property
    def facilitator_access(self) -> str:
        """open, key, header or key+header: what a request needs to create a meeting."""
        ways = [
            w
            for w, on in (("key", self.facilitator_keys), ("header", self.facilitator_header))
            if on
        ]
        return "+".join(ways) or "open"

    @property
    def hsts(self) -> bool:
        return bool(self.public_url and self.public_url.startswith("https://"))


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _listed(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def from_env(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Settings from ``TIJDLIJN_*`` variables; explicit overrides (flags) win."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    if env.get("TIJDLIJN_REDIS_URL"):
        values["redis_url"] = env["TIJDLIJN_REDIS_URL"]
    if env.get("TIJDLIJN_TTL_SECONDS"):
        values["ttl_seconds"] = int(env["TIJDLIJN_TTL_SECONDS"])
    if env.get("TIJDLIJN_ALLOWED_ORIGINS"):
        values["allowed_origins"] = tuple(
            o.strip() for o in env["TIJDLIJN_ALLOWED_ORIGINS"].split(",") if o.strip()
        )
    if env.get("TIJDLIJN_PUBLIC_URL"):
        values["public_url"] = env["TIJDLIJN_PUBLIC_URL"].rstrip("/")
    if env.get("TIJDLIJN_JOIN_FAILURES_PER_MINUTE"):
        values["join_failures_per_minute"] = int(env["TIJDLIJN_JOIN_FAILURES_PER_MINUTE"])
    if env.get("TIJDLIJN_RATE_BURST"):
        values["rate_burst"] = int(env["TIJDLIJN_RATE_BURST"])
    if env.get("TIJDLIJN_RATE_PER_SECOND"):
        values["rate_per_second"] = float(env["TIJDLIJN_RATE_PER_SECOND"])
    if env.get("TIJDLIJN_LOG_MAX"):
        values["log_max"] = int(env["TIJDLIJN_LOG_MAX"])
    if env.get("TIJDLIJN_WEB_DIR"):
        values["web_dir"] = env["TIJDLIJN_WEB_DIR"]
    if env.get("TIJDLIJN_METRICS_PORT"):
        values["metrics_port"] = int(env["TIJDLIJN_METRICS_PORT"])
    if env.get("TIJDLIJN_METRICS_HOST"):
        values["metrics_host"] = env["TIJDLIJN_METRICS_HOST"]
    if env.get("TIJDLIJN_PREPARATION_DAYS"):
        values["preparation_days"] = int(env["TIJDLIJN_PREPARATION_DAYS"])
    if env.get("TIJDLIJN_STATE_DIR"):
        values["state_dir"] = env["TIJDLIJN_STATE_DIR"]
    if env.get("TIJDLIJN_CAPSULE_KEYS"):
        values["capsule_keys"] = tuple(
            k.strip() for k in env["TIJDLIJN_CAPSULE_KEYS"].split(",") if k.strip()
        )
    if env.get("TIJDLIJN_PRESENCE_SECONDS"):
        values["presence_seconds"] = int(env["TIJDLIJN_PRESENCE_SECONDS"])
    if env.get("TIJDLIJN_KEY_PREFIX"):
        values["key_prefix"] = env["TIJDLIJN_KEY_PREFIX"]
    if env.get("TIJDLIJN_TRUSTED_PROXIES"):
        values["trusted_proxies"] = _listed(env["TIJDLIJN_TRUSTED_PROXIES"])
    if env.get("TIJDLIJN_FACILITATOR_KEYS"):
        values["facilitator_keys"] = _listed(env["TIJDLIJN_FACILITATOR_KEYS"])
    if env.get("TIJDLIJN_FACILITATOR_HEADER"):
        values["facilitator_header"] = env["TIJDLIJN_FACILITATOR_HEADER"]
    for name in (
        "creations_per_hour",
        "max_live_meetings",
        "max_connections_per_meeting",
        "max_connections_per_address",
        "overload_lag_ms",
        "overload_writes_in_flight",
        "overload_write_wait_ms",
    ):
        if env.get(f"TIJDLIJN_{name.upper()}"):
            values[name] = int(env[f"TIJDLIJN_{name.upper()}"])
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)  # type: ignore[arg-type]
