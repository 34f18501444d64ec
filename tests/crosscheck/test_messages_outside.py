"""Message pacts as other Pact clients write them, against an AsyncAPI document: binary
(protobuf) contents, a message without contents, pact-jvm's V3 ``metaData`` spelling, and
``accord crosscheck`` given an AsyncAPI document or a workspace whose pacts hold messages."""

from __future__ import annotations

import base64
import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from accord.cli._app import main
from accord.core import AsyncContract, PactFile
from accord.crosscheck import crosscheck_messages

REPO = Path(__file__).resolve().parents[2]
ORDERS = REPO / "contracts/asyncapi/orders.yaml"
PACT = json.loads((REPO / "contracts/pacts/shipping-orders.json").read_text())


@pytest.fixture(scope="module")
def contract() -> AsyncContract:
    return AsyncContract.from_path(ORDERS)


def _v3(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "consumer": {"name": "c"},
        "provider": {"name": "orders"},
        "messages": [{"description": "an order cancelled event", **message}],
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }


def _codes(contract: AsyncContract, pact: dict[str, Any]) -> list[str]:
    return [m.code for m in crosscheck_messages(contract, PactFile.from_dict(pact))]


def test_a_base64_protobuf_body_is_judged_by_its_content_type(contract: AsyncContract) -> None:
    pact = copy.deepcopy(PACT)
    contents = pact["interactions"][0]["contents"]
    contents.update(
        content=base64.b64encode(b"\x08\x96\x01").decode(),
        encoded="base64",
        contentType="application/protobuf",
    )
    found = crosscheck_messages(contract, PactFile.from_dict(pact))
    assert [m.code for m in found] == ["message.content-type.incompatible"]
    assert "application/protobuf" in found[0].message


def test_a_message_without_contents_says_nothing_about_the_payload(
    contract: AsyncContract,
) -> None:
    assert _codes(contract, _v3({"metadata": {"contentType": "application/json"}})) == []


def test_pact_jvm_metadata_spelling_is_read(contract: AsyncContract) -> None:
    pact = _v3({"contents": {"total": 1}, "metaData": {"contentType": "text/plain"}})
    message = PactFile.from_dict(pact).message_interactions[0].message
    assert message is not None and message.content_type == "text/plain"
    found = crosscheck_messages(contract, PactFile.from_dict(pact))
    assert [m.code for m in found] == ["message.content-type.incompatible"]
    assert found[0].pact_path.endswith(".metaData") or "metaData" in found[0].pact_path


def test_crosscheck_command_takes_an_asyncapi_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = REPO / "contracts/pacts/shipping-orders.json"
    assert main(["crosscheck", str(ORDERS), str(good)]) == 0
    pact = copy.deepcopy(PACT)
    pact["interactions"][0]["contents"]["content"]["total"] = "12"
    (tmp_path / "bad.json").write_text(json.dumps(pact))
    assert main(["crosscheck", str(ORDERS), str(tmp_path / "bad.json")]) == 1
    out = capsys.readouterr().out
    assert "bad.json:" in out and "message.payload.incompatible" in out and "orders.yaml:" in out


def test_crosscheck_command_checks_a_workspace_message_pact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(REPO / "contracts", tmp_path / "contracts")
    pact = copy.deepcopy(PACT)
    pact["interactions"][0]["metadata"]["subject"] = "orders.x.shipped"
    (tmp_path / "contracts/pacts/shipping-orders.json").write_text(json.dumps(pact))
    assert main(["crosscheck", "--workspace", str(tmp_path)]) == 1
    assert "message.channel.unknown" in capsys.readouterr().out


def test_a_payload_mismatch_does_not_hide_a_header_mismatch(contract: AsyncContract) -> None:
    pact = copy.deepcopy(PACT)
    pact["interactions"][0]["contents"]["content"]["total"] = "12"
    pact["interactions"][0]["metadata"]["Nats-Msg-Id"] = "x1"
    assert sorted(_codes(contract, pact)) == [
        "message.header.incompatible",
        "message.payload.incompatible",
    ]


PRICES = """\
asyncapi: 3.0.0
info: {title: prices, version: "1"}
channels:
  requests:
    address: prices.requests
    messages:
      ask: {headers: {type: object, properties: {tenant: {enum: [eu, us]}}}, payload: {type: object, properties: {sku: {type: string, pattern: "^[A-Z]+-[0-9]+$"}}}}
  replies:
    address: prices.replies
    messages:
      price: {payload: {type: object, properties: {amount: {type: integer}}}}
operations:
  answerPrice:
    action: receive
    channel: {$ref: "#/channels/requests"}
    reply:
      channel: {$ref: "#/channels/replies"}
      messages: [{$ref: "#/channels/replies/messages/price"}]
"""  # noqa: E501 (one line per message keeps the reply at line 11)


def _sync(amount: Any = 1299, subject: str = "prices.requests") -> dict[str, Any]:
    return {
        "consumer": {"name": "till"},
        "provider": {"name": "prices"},
        "interactions": [
            {
                "type": "Synchronous/Messages",
                "description": "a price for a product",
                "request": {
                    "contents": {"content": {"sku": "CUP-1"}, "contentType": "application/json"},
                    "metadata": {"subject": subject},
                },
                "response": [
                    {"contents": {"content": {"amount": amount},
                                  "contentType": "application/json"}}
                ],
            }
        ],
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }  # fmt: skip


def test_a_synchronous_message_is_a_request_received_and_a_reply_sent(tmp_path: Path) -> None:
    """The request used to be checked as a message the provider sends (no `send` here)."""
    (tmp_path / "prices.yaml").write_text(PRICES)
    contract = AsyncContract.from_path(tmp_path / "prices.yaml")
    assert _codes(contract, _sync()) == []
    (found,) = crosscheck_messages(contract, PactFile.from_dict(_sync(amount="12.99")))
    assert found.code == "message.payload.incompatible" and "/amount" in found.message
    assert found.pact_path == "[root].interactions[0].response.0.contents"
    assert found.spec_location is not None and found.spec_location.line == 11
    (found,) = crosscheck_messages(contract, PactFile.from_dict(_sync(subject="prices.replies")))
    assert found.code == "message.operation.direction" and "receives" in found.message


def test_a_synchronous_request_matcher_is_what_the_consumer_sends(tmp_path: Path) -> None:
    """The request of a synchronous message is sent by the consumer: the provider must take
    its whole class (``*.wider`` when it takes some); a reply's class is what the consumer
    accepts (``*.narrower``), as for any message."""
    (tmp_path / "prices.yaml").write_text(PRICES)
    contract = AsyncContract.from_path(tmp_path / "prices.yaml")

    def found(request_rule: dict[str, Any], reply_rule: dict[str, Any] | None = None) -> list[str]:
        pact = _sync()
        interaction = pact["interactions"][0]
        interaction["request"]["matchingRules"] = {
            "content": {"$.sku": {"matchers": [request_rule]}}
        }
        if reply_rule is not None:
            reply = interaction["response"][0]
            reply["matchingRules"] = {"content": {"$.amount": {"matchers": [reply_rule]}}}
        return [m.code for m in crosscheck_messages(contract, PactFile.from_dict(pact))]

    assert found({"match": "regex", "regex": "^[A-Z]{3}-[0-9]$"}) == []
    assert found({"match": "type"}) == ["message.payload.wider"]  # any string: "a" too
    sku = {"match": "regex", "regex": "^[A-Z]+-[0-9]+$"}
    assert found(sku, {"match": "integer"}) == []
    assert found(sku, {"match": "decimal"}) == ["message.payload.incompatible"]  # the reply
    assert found({"match": "integer"}) == ["message.payload.incompatible"]
    pact = _sync()
    request = pact["interactions"][0]["request"]
    request["metadata"]["tenant"] = "eu"
    request["matchingRules"] = {"metadata": {"tenant": {"matchers": [{"match": "type"}]}}}
    wider = crosscheck_messages(contract, PactFile.from_dict(pact))
    assert [m.code for m in wider] == ["message.header.wider"]  # any tenant, not eu or us


def _corpus_message_pacts() -> list[Path]:
    from tests.conftest import CORPUS  # noqa: PLC0415

    found = sorted((CORPUS / "pacts-messages").glob("**/*.json"))
    return found + sorted((CORPUS / "pacts/pact-python").glob("*message*.json"))


def test_every_corpus_message_pact_is_read_and_crosschecked_with_locations() -> None:
    """45 message pacts from pact-jvm, pact-js, pact-net, pact-php, pact-python, the Pact
    reference and broker fixtures (V3, V4 async and sync, protobuf bodies, mixed HTTP),
    against the shop's document and PactFlow's AsyncAPI example: no crash (binary bodies
    crashed the payload check), every mismatch located in both files."""
    from tests.conftest import CORPUS  # noqa: PLC0415

    docs = [
        AsyncContract.from_path(ORDERS),
        AsyncContract.from_path(
            CORPUS / "asyncapi/pactflow/example-bi-directional-provider-asyncapi-asyncapi.yaml"
        ),
    ]
    pacts = _corpus_message_pacts()
    assert len(pacts) >= 40
    codes: set[str] = set()
    for path in pacts:
        pact = PactFile.from_path(path)
        assert pact.message_interactions, path
        for doc in docs:
            for m in crosscheck_messages(doc, pact):
                assert m.pact_location.line > 0 and m.spec_location is not None, (path, m)
                codes.add(m.code)
    assert {"message.channel.unknown", "message.payload.incompatible",
            "message.content-type.incompatible"} <= codes  # fmt: skip


@pytest.mark.parametrize(("content", "encoded"), [("!!!", "base64"), ("{x", "json")])
def test_a_badly_encoded_message_body_is_refused_at_its_own_place(
    content: str, encoded: str
) -> None:
    pact = copy.deepcopy(PACT)
    pact["interactions"][0]["contents"].update(content=content, encoded=encoded)
    found = PactFile.from_dict(pact).problems
    assert [p for p, _ in found] == ["/interactions/0/contents/content"]  # not .../body/...


def test_a_field_the_message_does_not_declare_is_a_mismatch_unless_allowed(
    contract: AsyncContract,
) -> None:
    """The pact-jvm message {testParam1, testParam2} fitted orders' OrderConfirmed: its
    payload (an allOf) declares fields but leaves others open, and `required` is not
    enforced. Closed as HTTP responses are, unless additional properties are allowed."""
    from accord.crosscheck import CrosscheckOptions  # noqa: PLC0415

    pact = copy.deepcopy(PACT)
    pact["interactions"][0]["contents"]["content"]["colour"] = "red"
    found = crosscheck_messages(contract, PactFile.from_dict(pact))
    assert [(m.code, "/colour" in m.message) for m in found] == [
        ("message.payload.incompatible", True)
    ]
    allowed = CrosscheckOptions(additional_properties_in_response=True)
    assert crosscheck_messages(contract, PactFile.from_dict(pact), allowed) == []


@pytest.mark.parametrize(
    ("payload", "content", "flagged"),
    [
        ("{type: object, properties: {a: {type: integer}}}", {"a": 1, "b": 2}, ["/b"]),
        ("{type: object}", {"b": 2}, []),  # declares nothing: free-form
        ("{properties: {a: {}}, additionalProperties: true}", {"b": 2}, []),
        ("{anyOf: [{properties: {a: {}}}, {properties: {c: {}}}]}", {"b": 2}, []),
        ("{type: array, items: {properties: {a: {}}}}", [{"a": 1}, {"z": 1}], ["/1/z"]),
        ("{$ref: '#/components/schemas/T'}", {"kids": [{"kids": [], "x": 1}]}, ["/kids/0/x"]),
    ],
)
def test_undeclared_fields_are_found_through_refs_allof_and_items(
    tmp_path: Path, payload: str, content: Any, flagged: list[str]
) -> None:
    doc = tmp_path / "events.yaml"
    doc.write_text(
        "asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\n"
        f"channels:\n  c:\n    address: a.b\n    messages:\n      m: {{payload: {payload}}}\n"
        "operations:\n  o: {action: send, channel: {$ref: '#/channels/c'}}\n"
        "components:\n  schemas:\n    T: {properties: {kids: {items: "
        "{$ref: '#/components/schemas/T'}}}}\n"
    )
    pact = _v3({"contents": content, "metadata": {"subject": "a.b"}})
    found = crosscheck_messages(AsyncContract.from_path(doc), PactFile.from_dict(pact))
    assert [m.message.split(": ")[1] for m in found] == flagged
