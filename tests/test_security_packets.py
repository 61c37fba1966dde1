"""Every Socket.IO packet gets an answer or a clean close (docs/security.md, ASVS V4.4, V2.2).

Sent over a raw WebSocket, since python-socketio's client only sends well-formed packets. Each
malformed packet with an ack id gets an error ack and the connection stays; one without (or one
that cannot be decoded) gets ``protocol_error`` and a close. None leaves a traceback in the log.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.clients import create_meeting, join
from tests.support.raw import RawSocket, ack_data
from tests.support.server import ServerProcess

DEEP = "[" * 20_000 + "]" * 20_000


async def participant_token(url: str) -> str:
    m = await create_meeting(url, parties=1)
    return str((await join(url, m.join_code, m.party_ids[0]))["token"])


@pytest.mark.parametrize(
    ("why", "frame", "code"),
    [
        ("deep nesting", f'421["sync",{DEEP}]', "invalid"),
        ("an empty list", "421[]", "invalid"),
        ("an object", "421{}", "invalid"),
        ("a string", '421"sync"', "invalid"),
        ("two payloads to a known event", '421["sync",{},{}]', "invalid"),
        ("two payloads to an unknown event", '421["nope",{},{}]', "unknown_event"),
        ("a name that is no string", "421[5,{}]", "invalid"),
        ("over the message limit", '421["sync","' + "x" * (70 * 1024) + '"]', "too_large"),
    ],
)
async def test_malformed_events_with_an_ack_id_get_an_error_ack(
    live_server: ServerProcess, why: str, frame: str, code: str
) -> None:
    async with RawSocket(live_server.url) as raw:
        assert (await raw.connect({"token": await participant_token(live_server.url)}))[:3] == "40{"
        await raw.send(frame)
        answer = await raw.answer()
        assert answer.startswith("431["), (why, answer[:200])
        [ack] = ack_data(answer)
        assert ack["ok"] is False and ack["error"]["code"] == code, (why, ack)
        assert ack["error"]["message"]
        # Still connected and answered.
        await raw.send('422["sync",{}]')
        again = await raw.answer()
        assert again.startswith("432[") and ack_data(again)[0]["ok"] is True, again[:200]


@pytest.mark.parametrize(
    ("why", "frame"),
    [
        ("invalid JSON", '42["sync",'),
        ("a huge integer", '42["sync",' + "9" * 5000 + "]"),
        ("a too long ack id", "42" + "1" * 120 + '["sync"]'),
        ("one binary byte", b"\x04"),
        ("a binary event", '451-["sync",{"_placeholder":true,"num":0}]'),
        ("an ack from the client", "431[{}]"),
        ("a connect_error from the client", '44{"message":"x"}'),
        ("an unknown packet type", "49[]"),
        ("another namespace", '42/admin,["sync"]'),
        ("a malformed event without an ack id", "42[]"),
        ("deep nesting without an ack id", f"42{DEEP}"),
    ],
)
async def test_undecodable_or_unanswerable_packets_close_with_a_reason(
    live_server: ServerProcess, why: str, frame: str | bytes
) -> None:
    async with RawSocket(live_server.url) as raw:
        assert (await raw.connect({"token": await participant_token(live_server.url)}))[:3] == "40{"
        await raw.send(frame)
        answer = await raw.answer()
        assert answer.startswith('42["protocol_error"'), (why, answer[:200])
        notice = json.loads(answer[2:])[1]
        assert notice["code"] == "protocol_error" and notice["message"]
        # Engine.IO's close packet, then the socket closes.
        assert await raw.answer() in ("1", "closed"), why


async def test_junk_before_connecting_is_closed_too(live_server: ServerProcess) -> None:
    for frame in ('42["sync",{}]', "42[", b"\x00", "4"):
        async with RawSocket(live_server.url) as raw:
            await raw.send(frame)
            answer = await raw.answer()
            if answer.startswith('42["protocol_error"'):
                answer = await raw.answer()
            assert answer in ("1", "closed"), frame


@pytest.mark.parametrize(
    ("auth", "code"),
    [
        ({"token": "x" * (70 * 1024)}, "too_large"),
        ({"token": "x" * 5000}, "too_large"),
        ({"token": "nope"}, "unauthorized"),
        ([1, 2], "unauthorized"),
        ("token", "unauthorized"),
    ],
)
async def test_a_refused_connect_always_gets_connect_error_with_a_code(
    live_server: ServerProcess, auth: Any, code: str
) -> None:
    async with RawSocket(live_server.url) as raw:
        answer = await raw.connect(auth)
        assert answer.startswith("44"), answer[:200]
        assert json.loads(answer[2:])["data"]["code"] == code


async def test_unknown_keys_are_named_only_when_short_and_printable(
    live_server: ServerProcess,
) -> None:
    async with RawSocket(live_server.url) as raw:
        await raw.connect({"token": await participant_token(live_server.url)})
        keys = {
            "kleur": "named",
            "x" * 60: "too long",
            "J.K. woont op Dorpsstraat 12": "spaces",
            "naam\u0000nul": "control",
            "\u200bverborgen": "zero-width",
        }
        for n, (key, why) in enumerate(keys.items(), start=1):
            payload = {"op_id": f"op-{n}", "moment_id": "abc", "text": "Duiding", key: "WAARDE"}
            await raw.send(f"42{n}" + json.dumps(["interpretation.add", payload]))
            answer = await raw.answer()
            [ack] = ack_data(answer)
            message = ack["error"]["message"]
            assert ack["error"]["code"] == "invalid", (why, ack)
            assert "WAARDE" not in message, "values are never echoed"
            if why == "named":
                assert key in message
            else:
                assert key not in message and "onbekend veld" in message, (why, message)


@pytest.mark.parametrize("frame", ["", "s", "7x", "9", "\u00e9"])
async def test_frames_engineio_cannot_read_are_closed_with_a_reason(
    live_server: ServerProcess, frame: str
) -> None:
    async with RawSocket(live_server.url) as raw:
        await raw.connect({"token": await participant_token(live_server.url)})
        await raw.send(frame)
        assert (await raw.answer()).startswith('42["protocol_error"')
        assert await raw.answer() == "closed"
        assert raw.close_code == 1008


async def test_a_client_close_packet_closes_the_socket(live_server: ServerProcess) -> None:
    async with RawSocket(live_server.url) as raw:
        await raw.connect({"token": await participant_token(live_server.url)})
        await raw.send("1")
        assert await raw.answer() == "closed"
        assert raw.close_code == 1000
