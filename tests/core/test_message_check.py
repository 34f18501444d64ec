"""``check_message``: a message seen on a broker against an AsyncAPI document (2.x and 3.0)."""

from __future__ import annotations

import json
from pathlib import Path

from accord.core import AsyncContract, check_message

V2 = {
    "asyncapi": "2.6.0",
    "info": {"title": "lights", "version": "1"},
    "channels": {
        "light/{lampId}/level": {
            "parameters": {"lampId": {"schema": {"type": "integer", "minimum": 1}}},
            "subscribe": {
                "message": {
                    "oneOf": [
                        {"name": "on", "payload": {"type": "object", "required": ["on"]}},
                        {"name": "dim", "payload": {"type": "object", "required": ["lumens"]}},
                    ]
                }
            },
        },
        "light/raw": {
            "subscribe": {"message": {"contentType": "text/plain", "payload": {"type": "string"}}}
        },
    },
}


def _contract(tmp_path: Path) -> AsyncContract:
    path = tmp_path / "lights.json"
    path.write_text(json.dumps(V2))
    return AsyncContract.from_path(path)


def test_a_fitting_message_names_its_channel_and_message(tmp_path: Path) -> None:
    contract = _contract(tmp_path)
    found = check_message(contract, "light/7/level", b'{"lumens": 3}', {})
    assert found.ok and found.channel is not None and found.message is not None
    assert (found.channel.key, found.message.label) == ("light/{lampId}/level", "dim")


def test_parameters_are_checked_against_their_schema(tmp_path: Path) -> None:
    contract = _contract(tmp_path)
    assert check_message(contract, "light/0/level", b'{"on": true}', {}).problems == (
        "channel parameter lampId = '0': 0 is less than the minimum of 1",
    )
    (problem,) = check_message(contract, "light/kitchen/level", b'{"on": true}', {}).problems
    assert problem.startswith("channel parameter lampId = 'kitchen'")


def test_the_closest_message_explains_a_misfit(tmp_path: Path) -> None:
    contract = _contract(tmp_path)
    found = check_message(contract, "light/1/level", b'{"lumen": 3}', {})
    assert found.problems == ('on: payload/: "on" is a required property',)
    assert (
        check_message(contract, "light/1/level", b"{not json", {})
        .problems[0]
        .startswith("on: payload: not JSON")
    )


def test_content_type_and_direction(tmp_path: Path) -> None:
    contract = _contract(tmp_path)
    assert check_message(contract, "light/raw", b"hello", {"Content-Type": "text/plain"}).ok
    wrong = check_message(contract, "light/raw", b"hello", {"content-type": "application/json"})
    assert len(wrong.problems) == 1 and "content type 'application/json'" in wrong.problems[0]
    received = check_message(contract, "light/raw", b"hello", {}, "receive")
    assert "has no `receive` operation" in received.problems[0]
    assert check_message(contract, "dark/raw", b"", {}).channel is None
