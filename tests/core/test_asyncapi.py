"""AsyncAPI 2.6 and 3.0 documents read into one model; Pact message interactions."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from accord._errors import RefError, UnsupportedVersion
from accord.core import AsyncContract, PactFile

V3 = """\
asyncapi: 3.0.0
info: {title: orders, version: "1"}
defaultContentType: application/json
channels:
  orderEvents:
    address: orders.{orderId}.events
    parameters:
      orderId: {}
    bindings: {nats: {queue: shipping}}
    messages:
      confirmed:
        $ref: "#/components/messages/OrderConfirmed"
operations:
  publishConfirmed:
    action: send
    channel: {$ref: "#/channels/orderEvents"}
    messages:
      - $ref: "#/channels/orderEvents/messages/confirmed"
components:
  messages:
    OrderConfirmed:
      name: OrderConfirmed
      headers:
        type: object
        properties: {event-id: {type: string}}
      payload:
        $ref: "schemas.yaml#/OrderConfirmed"
      examples:
        - payload: {orderId: ord_1, total: 5}
"""
SCHEMAS = """\
OrderConfirmed:
  type: object
  required: [orderId, total]
  properties:
    orderId: {type: string}
    total: {type: integer, minimum: 0}
"""
V2 = """\
asyncapi: 2.6.0
info: {title: legacy, version: "1"}
channels:
  user/signedup:
    subscribe:
      operationId: userSignedUp
      message:
        oneOf:
          - {messageId: a, payload: {type: string}}
          - {messageId: b, payload: {type: integer}, contentType: text/plain}
    publish:
      message: {name: cmd, payload: {type: object}}
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_v3_channels_operations_messages_and_cross_file_payload(tmp_path: Path) -> None:
    _write(tmp_path, "schemas.yaml", SCHEMAS)
    contract = AsyncContract.from_path(_write(tmp_path, "orders.yaml", V3))
    (op,) = contract.operations
    assert (op.key, op.action, op.channel.address) == (
        "publishConfirmed",
        "send",
        "orders.{orderId}.events",
    )
    (message,) = op.messages
    assert message.name == "OrderConfirmed" and message.content_type == "application/json"
    assert message.payload is not None
    target = contract.documents.deref(
        message.payload.value, message.payload.place.file, message.payload.place.pointer
    )
    assert str(target.locate()).endswith("schemas.yaml:1:1")
    validator = contract.validator(message.payload)
    assert validator.is_valid({"orderId": "o", "total": 1})
    assert [v.pointer for v in validator.violations({"orderId": "o", "total": -1})] == ["/total"]
    match = contract.match_channel("orders.ord_9.events")
    assert match is not None and match.parameters == {"orderId": "ord_9"}
    assert contract.match_channel("orders.a.b.events") is None
    assert op.channel.bindings == {"nats": {"queue": "shipping"}}


def test_v2_publish_and_subscribe_become_receive_and_send(tmp_path: Path) -> None:
    contract = AsyncContract.from_path(_write(tmp_path, "v2.yaml", V2))
    by_key = {op.key: op for op in contract.operations}
    assert by_key["userSignedUp"].action == "send"
    assert [m.label for m in by_key["userSignedUp"].messages] == ["a", "b"]
    assert by_key["user/signedup/publish"].action == "receive"
    assert by_key["userSignedUp"].messages[1].content_type == "text/plain"
    assert contract.match_channel("user/signedup") is not None


def test_refs_are_confined_and_versions_checked(tmp_path: Path) -> None:
    inner = tmp_path / "inner"
    inner.mkdir()
    _write(tmp_path, "schemas.yaml", SCHEMAS)
    escaped = V3.replace('"schemas.yaml#', '"../schemas.yaml#')
    with pytest.raises(RefError, match="leaves the project"):
        AsyncContract.from_path(_write(inner, "orders.yaml", escaped))
    with pytest.raises(UnsupportedVersion, match=r"AsyncAPI 1\.2\.0"):
        AsyncContract.from_dict({"asyncapi": "1.2.0"})


def test_pact_message_interactions_v3_and_v4() -> None:
    v3 = PactFile.from_dict(
        {
            "consumer": {"name": "shipping"},
            "provider": {"name": "orders"},
            "messages": [
                {
                    "description": "an order confirmed event",
                    "providerStates": [{"name": "an order exists", "params": {"id": "o1"}}],
                    "contents": {"orderId": "o1"},
                    "metadata": {"contentType": "application/json", "subject": "orders.o1"},
                    "matchingRules": {"body": {"$.orderId": {"matchers": [{"match": "type"}]}}},
                }
            ],
            "metadata": {"pactSpecification": {"version": "3.0.0"}},
        }
    )
    (i,) = v3.message_interactions
    assert i.message is not None and i.message.contents.content == {"orderId": "o1"}
    assert i.message.content_type == "application/json"
    assert i.message.matching_rules["body"]["$.orderId"]["matchers"] == [{"match": "type"}]
    assert i.provider_states[0].params == {"id": "o1"}
    v4 = PactFile.from_dict(
        {
            "consumer": {"name": "c"},
            "provider": {"name": "p"},
            "interactions": [
                {
                    "type": "Synchronous/Messages",
                    "description": "ask",
                    "request": {
                        "contents": {"content": {"q": 1}, "contentType": "application/json"}
                    },
                    "response": [{"contents": {"content": "eyJhIjoxfQ==", "encoded": "base64"}}],
                }
            ],
            "metadata": {"pactSpecification": {"version": "4.0"}},
        }
    )
    (sync,) = v4.message_interactions
    assert sync.message is not None and sync.message.contents.content == {"q": 1}
    assert sync.replies[0].contents.content == b'{"a":1}'
