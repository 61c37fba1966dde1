"""HTTP against a real server: creating a meeting, joining with a code, the QR code, health and
the pages' security headers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.redis import free_port
from tests.support.server import ServerProcess
from tijdlijn.access import CODE_ALPHABET, new_join_code
from tijdlijn.domain.items import PALETTE

URLSAFE = re.compile(r"^[A-Za-z0-9_-]+$")
DUTCH = re.compile(r"\b(de|het|een|bijeenkomst|code|niet|ongeldige|verzoek)\b", re.IGNORECASE)


@pytest.fixture
def http(live_server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=10) as client:
        yield client


def new_meeting(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Casus Noord",
        "initials": "J.K.",
        "parties": [
            {"name": "Wijkteam", "colour": PALETTE[0]},
            {"name": "School", "colour": PALETTE[1]},
        ],
    }
    body.update(overrides)
    return body


def created(http: httpx.Client, **overrides: Any) -> dict[str, Any]:
    answer = http.post("/api/meetings", json=new_meeting(**overrides))
    assert answer.status_code == 201, answer.text
    data: dict[str, Any] = answer.json()
    return data


def error_of(answer: httpx.Response, status: int, code: str) -> str:
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["code"] == code, error
    message: str = error["message"]
    assert DUTCH.search(message), f"not a Dutch message: {message!r}"
    return message


def test_health_reports_the_embedded_store(http: httpx.Client) -> None:
    answer = http.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "store": "memory"}


def test_health_is_503_with_a_reason_when_redis_is_unreachable(start_server: Any) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    server = start_server("--redis-url", dead, healthy=False)
    answer = httpx.get(f"{server.url}/healthz", timeout=10)
    assert answer.status_code == 503, answer.text
    body = answer.json()
    assert body["status"] == "unavailable"
    assert body["store"] == "redis"
    assert isinstance(body["reason"], str) and body["reason"]
    # Creating a meeting fails cleanly too: a coded error, not a 500.
    answer = httpx.post(f"{server.url}/api/meetings", json=new_meeting(), timeout=10)
    assert answer.status_code == 503, answer.text
    assert answer.json()["error"]["code"] == "unavailable"


def test_create_answers_tokens_code_and_links(http: httpx.Client) -> None:
    data = created(http)
    assert set(data) == {
        "meeting_id",
        "join_code",
        "facilitator_token",
        "cofacilitator_token",
        "wall_token",
        "links",
    }
    tokens = [data["facilitator_token"], data["cofacilitator_token"], data["wall_token"]]
    assert len(set(tokens)) == 3
    for token in tokens:
        meeting, _, secret = token.partition(".")
        assert meeting == data["meeting_id"]
        # 16 random bytes are 22 URL-safe characters: at least 128 bits.
        assert len(secret) >= 22 and URLSAFE.match(secret), token
    code = data["join_code"]
    assert len(code) == 6 and all(ch in CODE_ALPHABET for ch in code), code
    # Characters people confuse (0/O, 1/I/L, 2/Z, 5/S, 8/B) never appear in a code.
    codes = "".join(new_join_code() for _ in range(2000))
    assert set(codes) <= set(CODE_ALPHABET)
    assert set(codes).isdisjoint("01OIL2Z5S8B")


def test_links_carry_secrets_only_after_the_hash(http: httpx.Client) -> None:
    data = created(http)
    links = data["links"]
    expected = {
        "facilitator": ("/facilitator", data["facilitator_token"]),
        "cofacilitator": ("/facilitator", data["cofacilitator_token"]),
        "wall": ("/wall", data["wall_token"]),
        "join": ("/join", data["join_code"]),
    }
    assert set(links) == set(expected)
    secrets = [data["facilitator_token"], data["cofacilitator_token"], data["wall_token"]]
    for name, (path, fragment) in expected.items():
        parts = urlsplit(links[name])
        assert parts.scheme in ("http", "https") and parts.netloc, links[name]
        assert parts.path == path
        assert parts.query == ""
        assert parts.fragment == fragment
        before_hash = links[name].split("#", 1)[0]
        assert not any(secret in before_hash for secret in secrets), links[name]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"initials": "Jan de Vries"}, "initials"),
        ({"initials": "jk"}, "initials"),
        ({"initials": "J.K.L.M.N.O."}, "initials"),
        ({"title": "x" * 121}, "title"),
        ({"title": ""}, "title"),
        ({"parties": [{"name": "Wijkteam", "colour": "#123456"}]}, "parties.0.colour"),
        ({"parties": [{"name": "", "colour": PALETTE[0]}]}, "parties.0.name"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_create_refuses_bad_input_naming_the_field(
    http: httpx.Client, overrides: dict[str, Any], field: str
) -> None:
    message = error_of(http.post("/api/meetings", json=new_meeting(**overrides)), 400, "invalid")
    assert field in message
    # The message names the field, never the value (it could be case content).
    for value in overrides.values():
        if isinstance(value, str) and len(value) > 3:
            assert value not in message


def test_create_refuses_a_body_that_is_not_json(http: httpx.Client) -> None:
    answer = http.post(
        "/api/meetings", content=b"title=Casus", headers={"Content-Type": "application/json"}
    )
    error_of(answer, 400, "invalid")
    error_of(http.post("/api/meetings", json=["Casus", "J.K."]), 400, "invalid")


def test_create_refuses_a_body_over_64_kib(http: httpx.Client) -> None:
    body = new_meeting(ground_rules=["x" * 200] * 400)  # > 64 KiB of valid-looking JSON
    answer = http.post("/api/meetings", json=body)
    assert len(answer.request.content) > 64 * 1024
    message = error_of(answer, 413, "invalid")
    assert "64" in message  # refused for its size, before anything looks at the fields


def test_lookup_shows_title_phase_and_parties_only(http: httpx.Client) -> None:
    data = created(http)
    answer = http.get(f"/api/join/{data['join_code']}")
    assert answer.status_code == 200
    body = answer.json()
    assert body["title"] == "Casus Noord"
    assert body["phase"] == "preparation"
    assert [(p["name"], p["colour"]) for p in body["parties"]] == [
        ("Wijkteam", PALETTE[0]),
        ("School", PALETTE[1]),
    ]
    assert all(set(p) == {"id", "name", "colour"} for p in body["parties"])
    text = answer.text
    assert data["facilitator_token"] not in text and data["wall_token"] not in text
    assert "J.K." not in text  # the case's initials are for the facilitator and the room


@pytest.mark.parametrize("typed", ["lower", "spaced", "dashed"])
def test_codes_are_accepted_as_people_type_them(http: httpx.Client, typed: str) -> None:
    data = created(http)
    code: str = data["join_code"]
    variant = {
        "lower": code.lower(),
        "spaced": f"{code[:3].lower()} {code[3:]}",
        "dashed": f"{code[:3]}-{code[3:]}",
    }[typed]
    lookup = http.get(f"/api/join/{variant}")
    assert lookup.status_code == 200, lookup.text
    party_id = lookup.json()["parties"][1]["id"]
    joined = http.post("/api/join", json={"code": variant, "party_id": party_id})
    assert joined.status_code == 200, joined.text
    body = joined.json()
    assert set(body) == {"token", "meeting_id", "participant_id", "party_id"}
    assert body["meeting_id"] == data["meeting_id"]
    assert body["party_id"] == party_id
    meeting, _, secret = body["token"].partition(".")
    assert meeting == data["meeting_id"] and len(secret) >= 22 and URLSAFE.match(secret)


def test_each_join_gets_its_own_token(http: httpx.Client) -> None:
    data = created(http)
    party_id = http.get(f"/api/join/{data['join_code']}").json()["parties"][0]["id"]
    first, second = (
        http.post("/api/join", json={"code": data["join_code"], "party_id": party_id}).json()
        for _ in range(2)
    )
    assert first["token"] != second["token"]
    assert first["participant_id"] != second["participant_id"]


def unused_code(http: httpx.Client) -> str:
    # A well-formed code that belongs to no meeting: flip one character of a fresh one.
    code: str = created(http)["join_code"]
    for ch in CODE_ALPHABET:
        candidate = ch + code[1:]
        if candidate != code and http.get(f"/api/join/{candidate}/qr.svg").status_code == 404:
            return candidate
    raise AssertionError("no free code found")


def test_a_wrong_code_is_meeting_gone(http: httpx.Client) -> None:
    code = unused_code(http)
    error_of(http.get(f"/api/join/{code}"), 404, "meeting_gone")
    error_of(http.post("/api/join", json={"code": code, "party_id": "abc"}), 404, "meeting_gone")
    error_of(http.get("/api/join/not-a-code"), 404, "meeting_gone")


def test_join_with_an_unknown_party_is_not_found(http: httpx.Client) -> None:
    data = created(http)
    answer = http.post("/api/join", json={"code": data["join_code"], "party_id": "nosuchparty"})
    error_of(answer, 404, "not_found")


def test_join_refuses_a_malformed_body(http: httpx.Client) -> None:
    data = created(http)
    error_of(http.post("/api/join", json={"code": data["join_code"]}), 400, "invalid")
    error_of(http.post("/api/join", content=b"{", headers={"Content-Type": "x"}), 400, "invalid")


def test_the_qr_code_is_an_svg(http: httpx.Client) -> None:
    data = created(http)
    answer = http.get(f"/api/join/{data['join_code'].lower()}/qr.svg")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(answer.content)
    assert root.tag in ("svg", "{http://www.w3.org/2000/svg}svg")
    assert data["facilitator_token"] not in answer.text


PAGES = ["/", "/facilitator", "/join", "/wall"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_a_strict_content_security_policy(http: httpx.Client, path: str) -> None:
    answer = http.get(path)
    policy = answer.headers.get("content-security-policy", "")
    directives = {d.strip().split(" ", 1)[0]: d.strip() for d in policy.split(";") if d.strip()}
    assert directives.get("default-src") == "default-src 'self'", policy
    assert directives.get("frame-ancestors") == "frame-ancestors 'none'", policy
    assert "*" not in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.parametrize("path", PAGES)
def test_pages_exist(http: httpx.Client, path: str) -> None:
    answer = http.get(path)
    assert answer.status_code == 200, f"{path}: {answer.status_code}"
    assert answer.headers["content-type"].startswith("text/html")


def test_api_answers_carry_the_security_headers_too(http: httpx.Client) -> None:
    answer = http.post("/api/meetings", json=new_meeting())
    assert "default-src 'self'" in answer.headers.get("content-security-policy", "")
    assert answer.headers.get("cache-control") == "no-store"
    assert answer.headers.get("referrer-policy") == "no-referrer"


def test_guessing_join_codes_is_slowed_down(start_server: Callable[..., ServerProcess]) -> None:
    server = start_server(env={"TIJDLIJN_JOIN_FAILURES_PER_MINUTE": "3"})
    with httpx.Client(base_url=server.url, timeout=10) as http:
        answers = [http.get("/api/join/XXXXXX").status_code for _ in range(4)]
        assert answers == [404, 404, 404, 429]
        limited = http.get("/api/join/ACDEFG").json()["error"]
        assert limited["code"] == "rate_limited" and "minuut" in limited["message"]
