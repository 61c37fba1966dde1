"""Logging that a flood cannot turn into gigabytes, and an access log without secrets.

Every handler gets :class:`RateLimit`: per logger and message template at most ``BUDGET`` lines
per ``WINDOW`` seconds (and ``TOTAL`` over all templates), the rest counted and reported with the
next line that passes. Tracebacks are dropped (the exception's type is kept): one per malformed
packet was 86 MB in 5 s, and an exception's text may quote what a client sent.

With ``--access-log``, :class:`Redact` replaces join codes in paths and Socket.IO session ids in
query strings: either one lets whoever reads the log into a meeting or a connection.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from typing import Any

WINDOW = 10.0
BUDGET = 20
TOTAL = 100
_MAX_KEYS = 1000


class RateLimit(logging.Filter):
    def __init__(self, name: str = "") -> None:
        super().__init__(name)
        self.window_start = time.monotonic()
        self.passed: dict[tuple[str, str], int] = {}
        self.suppressed: dict[tuple[str, str], int] = {}
        self.total = 0

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        if now - self.window_start >= WINDOW:
            self.window_start = now
            self.passed.clear()
            self.total = 0
            if len(self.suppressed) > _MAX_KEYS:
                self.suppressed.clear()
        key = (record.name, str(record.msg)[:200])
        count = self.passed.get(key, 0)
        if count >= BUDGET or self.total >= TOTAL:
            self.suppressed[key] = self.suppressed.get(key, 0) + 1
            return False
        if len(self.passed) < _MAX_KEYS:
            self.passed[key] = count + 1
        self.total += 1
        if record.exc_info:
            kind = record.exc_info[0].__name__ if record.exc_info[0] else "Exception"
            record.msg = f"{record.msg} [{kind}; traceback weggelaten]"
            record.exc_info = None
            record.exc_text = None
        dropped = self.suppressed.pop(key, 0)
        if dropped:
            record.msg = f"{record.msg} [+{dropped} gelijke regels niet gelogd]"
        return True


_JOIN_PATH = re.compile(r"(/api/join/)[^/?]+")
_SECRET_QUERY = re.compile(r"((?:^|[?&])(?:sid|token|code)=)[^&\s]*", re.IGNORECASE)


def redact(path: str) -> str:
    return _SECRET_QUERY.sub(r"\1[weg]", _JOIN_PATH.sub(r"\1[code]", path))


class Redact(logging.Filter):
    """For uvicorn's access log: its args are (client, method, path, http version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact(args[2]), *args[3:])
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own configuration plus ours: limits on every handler, redaction on access.

    Untyped: the schema of ``logging.config.dictConfig``, which uvicorn's ``log_config`` takes."""
    filters = ["limit"]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "limit": {"()": "tijdlijn.logs.RateLimit"},
            "redact": {"()": "tijdlijn.logs.Redact"},
        },
        "formatters": {
            "default": {
                "()": "uvicorn.logging.DefaultFormatter",
                "fmt": "%(levelprefix)s %(message)s",
            },
            "plain": {"format": "%(levelname)s %(name)s %(message)s"},
            "access": {
                "()": "uvicorn.logging.AccessFormatter",
                "fmt": '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s',
            },
        },
        "handlers": {
            "default": {
                "formatter": "default",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "filters": filters,
            },
            "plain": {
                "formatter": "plain",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "filters": filters,
            },
            "access": {
                "formatter": "access",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "filters": ["redact", *filters],
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
        "root": {"handlers": ["plain"], "level": "INFO"},
    }


def meeting_ref(meeting_id: str) -> str:
    """A short hash for logs: enough to correlate lines, nothing about the case."""
    return hashlib.sha256(meeting_id.encode()).hexdigest()[:10]
