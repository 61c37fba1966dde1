"""Logging a flood cannot grow, and logs without secrets (docs/security.md "Floods"; ASVS
16.2.5, 16.4.1, 16.5.1)."""

from __future__ import annotations

import io
import logging

from tijdlijn import logs


def logger_with_limit() -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.RateLimit())
    logger = logging.getLogger(f"test.security.logs.{id(stream)}")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return logger, stream


def test_a_template_logs_at_most_its_budget_per_window() -> None:
    logger, stream = logger_with_limit()
    for n in range(10_000):
        logger.warning("refused packet %d", n)
    lines = stream.getvalue().splitlines()
    assert len(lines) == logs.BUDGET
    assert len(stream.getvalue()) < 1024


def test_all_templates_together_stay_under_the_total() -> None:
    logger, stream = logger_with_limit()
    for n in range(5_000):
        logger.warning(f"template {n} %s", "x")  # every line its own template
    assert len(stream.getvalue().splitlines()) == logs.TOTAL


def test_tracebacks_are_replaced_by_the_exception_type() -> None:
    logger, stream = logger_with_limit()
    secret = "J.K. woont op Dorpsstraat 12"
    try:
        raise ValueError(secret)
    except ValueError:
        logger.exception("handler error")
    text = stream.getvalue()
    assert "Traceback" not in text and secret not in text
    assert "handler error [ValueError; traceback weggelaten]" in text


def test_suppressed_lines_are_counted_on_the_next_one() -> None:
    logger, stream = logger_with_limit()
    handler = logger.handlers[0]
    limit = next(f for f in handler.filters if isinstance(f, logs.RateLimit))
    for _ in range(logs.BUDGET + 7):
        logger.warning("same line")
    limit.window_start -= logs.WINDOW  # the next window
    logger.warning("same line")
    assert stream.getvalue().splitlines()[-1] == "same line [+7 gelijke regels niet gelogd]"


def test_the_access_log_redacts_codes_and_session_ids() -> None:
    assert logs.redact("/api/join/ACDEFG") == "/api/join/[code]"
    assert logs.redact("/api/join/ACD EFG/qr.svg") == "/api/join/[code]/qr.svg"
    assert (
        logs.redact("/socket.io/?EIO=4&transport=polling&sid=abcDEF123")
        == "/socket.io/?EIO=4&transport=polling&sid=[weg]"
    )
    assert logs.redact("/healthz") == "/healthz"
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/api/join/ACDEFG", "1.1", 200),
        None,
    )
    assert logs.Redact().filter(record)
    assert "ACDEFG" not in record.getMessage() and "[code]" in record.getMessage()
