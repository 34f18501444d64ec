"""A message pact's matchers promise that the consumer accepts a class of values: the class
is held against the AsyncAPI schema (issue 17). Refusing everything the provider may send is
an error; refusing some of it (a regex narrower than the schema's strings, ``integer`` for a
number, ``min`` above ``minItems``) is a ``*.narrower`` warning naming a value the schema
allows. V3 (pact-js: ``body``) and V4 (pact-jvm: ``content``) rule shapes, and metadata."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from accord.core import AsyncContract, PactFile
from accord.crosscheck import crosscheck_messages

UUID = "0f8fad5b-d9cb-469f-a165-70867728950e"
PAYLOAD: dict[str, Any] = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["NEW", "PAID", "SHIPPED"]},
        "id": {"type": "string", "format": "uuid"},
        "name": {"type": "string"},
        "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "count": {"type": "integer"},
        "price": {"type": "number"},
        "tags": {"type": "array", "maxItems": 5, "items": {"type": "string", "enum": ["a", "b"]}},
        "sizes": {"type": "array", "maxItems": 2, "items": {"type": "integer"}},
        "attrs": {"type": "object", "additionalProperties": {"type": "number"}},
        "ref": {"$ref": "#/components/schemas/Ref"},
    },
}
DOC: dict[str, Any] = {
    "asyncapi": "3.0.0",
    "info": {"title": "shop", "version": "1"},
    "channels": {
        "orders": {
            "address": "orders",
            "messages": {
                "order": {
                    "contentType": "application/json",
                    "headers": {
                        "type": "object",
                        "properties": {"version": {"type": "string", "enum": ["1", "2"]}},
                    },
                    "payload": PAYLOAD,
                }
            },
        }
    },
    "operations": {
        "publish": {
            "action": "send",
            "channel": {"$ref": "#/channels/orders"},
            "messages": [{"$ref": "#/channels/orders/messages/order"}],
        }
    },
    "components": {"schemas": {"Ref": {"allOf": [{"type": "string", "enum": ["x", "y"]}]}}},
}
EXAMPLE: dict[str, Any] = {
    "status": "NEW",
    "id": UUID,
    "name": "Ann",
    "code": "EUR",
    "count": 2,
    "price": 2.5,
    "tags": ["a"],
    "sizes": [1],
    "attrs": {"w": 1.5},
    "ref": "x",
}


@pytest.fixture(scope="module")
def contract(tmp_path_factory: pytest.TempPathFactory) -> AsyncContract:
    path = tmp_path_factory.mktemp("doc") / "shop.json"
    path.write_text(json.dumps(DOC))
    return AsyncContract.from_path(path)


def _pact(version: str, body: dict[str, Any], metadata: dict[str, Any] | None) -> dict[str, Any]:
    """A V3 message (pact-js: rules under ``body``) or a V4 one (pact-jvm: ``content``)."""
    rules: dict[str, Any] = {}
    if body:
        category = "body" if version == "3" else "content"
        rules[category] = {k: {"matchers": v} for k, v in body.items()}
    if metadata:
        rules["metadata"] = {k: {"matchers": v} for k, v in metadata.items()}
    meta = {"contentType": "application/json", "topic": "orders", "version": "1"}
    if version == "3":
        message = {"description": "an order", "contents": EXAMPLE, "metadata": meta}
        key = "messages"
    else:
        message = {
            "type": "Asynchronous/Messages",
            "description": "an order",
            "contents": {"contentType": "application/json", "encoded": False, "content": EXAMPLE},
            "metadata": meta,
        }
        key = "interactions"
    return {
        "consumer": {"name": "c"},
        "provider": {"name": "shop"},
        key: [{**copy.deepcopy(message), "matchingRules": rules}],
        "metadata": {"pactSpecification": {"version": f"{version}.0.0"}},
    }


def _found(
    contract: AsyncContract,
    version: str,
    body: dict[str, Any],
    metadata: dict[str, Any] | None = None,
) -> list[tuple[str, str]]:
    found = crosscheck_messages(contract, PactFile.from_dict(_pact(version, body, metadata)))
    for m in found:
        assert m.spec_location is not None and m.pact_location.line > 0
        assert "matchingRules" in m.pact_location.pointer, m
    return [(m.code, m.message) for m in found]


NARROW, WRONG = "message.payload.narrower", "message.payload.incompatible"
CASES: list[tuple[str, dict[str, Any], list[tuple[str, str]]]] = [
    ("regex-covers-enum", {"$.status": [{"match": "regex", "regex": "^(NEW|PAID|SHIPPED)$"}]}, []),
    ("regex-misses-enum", {"$.status": [{"match": "regex", "regex": "^(NEW|PAID)$"}]},
     [(NARROW, "'SHIPPED'")]),
    ("type-on-enum", {"$.status": [{"match": "type"}]}, []),
    ("equality", {"$.status": [{"match": "equality"}]}, []),
    ("regex-lowercase-uuid", {"$.id": [{"match": "regex", "regex": "^[0-9a-f-]{36}$"}]},
     [(NARROW, "'7C9E6679-7425-40DE-944B-E07FC1F90AE7'")]),
    ("regex-any-uuid", {"$.id": [{"match": "regex", "regex": "^[0-9a-fA-F-]{36}$"}]}, []),
    ("regex-on-any-string", {"$.name": [{"match": "regex", "regex": ".+"}]}, [(NARROW, "''")]),
    ("not-empty", {"$.name": [{"match": "notEmpty"}]}, [(NARROW, "not empty")]),
    ("regex-everything", {"$.name": [{"match": "regex", "regex": ".*"}]}, []),
    ("regex-is-the-pattern", {"$.code": [{"match": "regex", "regex": "^[A-Z]{3}$"}]}, []),
    ("integer-for-number", {"$.price": [{"match": "integer"}]},
     [(NARROW, "also allows non-integer number")]),
    ("decimal-for-integer", {"$.count": [{"match": "decimal"}]}, [(WRONG, "non-integer")]),
    ("number-for-integer", {"$.count": [{"match": "number"}]}, []),
    ("integer-for-integer", {"$.count": [{"match": "integer"}]}, []),
    # Pact matches a regex against a number's text: no opinion on numbers
    ("regex-for-integer", {"$.count": [{"match": "regex", "regex": "\\d+"}]}, []),
    ("boolean-for-integer", {"$.count": [{"match": "boolean"}]}, [(WRONG, "accepts only boolean")]),
    ("min-above-min-items", {"$.tags": [{"match": "type", "min": 2}]}, [(NARROW, "at least 2")]),
    ("each-like-default-min", {"$.tags": [{"match": "type", "min": 1}]}, []),
    ("max-below-max-items", {"$.tags": [{"match": "type", "max": 3}]}, [(NARROW, "up to 5")]),
    ("max-of-unbounded", {"$.sizes": [{"match": "type", "max": 2}]}, []),
    ("min-above-max-items", {"$.sizes": [{"match": "type", "min": 3}]},
     [(WRONG, "at most 2")]),
    ("each-like-items", {"$.tags": [{"match": "type", "min": 0}],
                         "$.tags[*]": [{"match": "regex", "regex": "^a$"}]},
     [(NARROW, "'b'")]),
    ("each-value", {"$.attrs": [{"match": "eachValue", "rules": [{"match": "integer"}]}]},
     [(NARROW, "$.attrs[*]")]),
    ("through-ref-and-all-of", {"$.ref": [{"match": "regex", "regex": "^x$"}]}, [(NARROW, "'y'")]),
    ("undeclared-path", {"$.nowhere": [{"match": "integer"}]}, []),
    # a hostile pattern runs on a Rust engine (no catastrophic backtracking on "x" * 40)
    ("hostile-regex", {"$.name": [{"match": "regex", "regex": "^(x+x+)+y$"}]}, [(NARROW, "''")]),
    # a matcher no engine reads is named, not passed over; one that is no object is skipped
    ("unreadable-regex", {"$.name": [{"match": "regex", "regex": "[unclosed"}]},
     [(NARROW, "does not compile")]),
    ("malformed-matchers", {"$.name": [{"match": "type", "min": "2"}, "?"]},
     [(NARROW, "`min` must be a non-negative integer")]),
]  # fmt: skip


@pytest.mark.parametrize("version", ["3", "4"])
@pytest.mark.parametrize(("name", "rules", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_matcher_class_against_the_schema(
    contract: AsyncContract,
    version: str,
    name: str,
    rules: dict[str, Any],
    expected: list[tuple[str, str]],
) -> None:
    found = _found(contract, version, rules)
    assert [code for code, _ in found] == [code for code, _ in expected], found
    for (_, text), (_, words) in zip(found, expected, strict=True):
        assert words in text, (name, text)


def test_an_example_under_a_matcher_stands_for_its_class(contract: AsyncContract) -> None:
    """Value constraints do not apply to a matched example (as for HTTP responses); its type
    still does, reported once (not again as the matcher's class)."""
    pact = _pact("3", {"$.status": [{"match": "type"}]}, None)
    pact["messages"][0]["contents"]["status"] = "DRAFT"  # not in the enum: any string will do
    assert crosscheck_messages(contract, PactFile.from_dict(pact)) == []
    pact["messages"][0]["contents"]["status"] = 7
    found = crosscheck_messages(contract, PactFile.from_dict(pact))
    assert [m.code for m in found] == [WRONG] and "/status" in found[0].message
    literal = _pact("3", {}, None)
    literal["messages"][0]["contents"]["status"] = "DRAFT"
    assert [m.code for m in crosscheck_messages(contract, PactFile.from_dict(literal))] == [WRONG]


@pytest.mark.parametrize("version", ["3", "4"])
def test_metadata_matchers_are_held_to_the_headers_schema(
    contract: AsyncContract, version: str
) -> None:
    narrow = {"version": [{"match": "regex", "regex": "^1$"}]}
    assert _found(contract, version, {}, narrow) == [
        (
            "message.header.narrower",
            "Message header matcher against message 'order': the consumer's `regex` matcher "
            "at $.version (regex '^1$') refuses '2', which the schema allows: the provider "
            "may send it",
        )
    ]
    assert _found(contract, version, {}, {"version": [{"match": "regex", "regex": "^[12]$"}]}) == []
    assert _found(contract, version, {}, {"version": [{"match": "integer"}]})[0][0] == (
        "message.header.incompatible"
    )


def test_a_metadata_example_under_a_matcher_stands_for_its_class(contract: AsyncContract) -> None:
    digit = {"version": [{"match": "regex", "regex": "^[0-9]$"}]}
    pact = _pact("4", {}, digit)
    pact["interactions"][0]["metadata"]["version"] = "7"  # not in the enum: any digit will do
    assert crosscheck_messages(contract, PactFile.from_dict(pact)) == []
    pact = _pact("4", {}, {"version": [{"match": "type"}]})
    pact["interactions"][0]["metadata"]["version"] = 7  # a number: the example, reported once
    found = crosscheck_messages(contract, PactFile.from_dict(pact))
    assert [m.code for m in found] == ["message.header.incompatible"]


# --- message pacts of the corpus, against documents written for them here -----------------


def _doc(tmp_path: Path, address: str, payload: dict[str, Any], **message: Any) -> AsyncContract:
    doc = copy.deepcopy(DOC)
    doc["channels"]["orders"]["address"] = address
    doc["channels"]["orders"]["messages"]["order"] = {"payload": payload, **message}
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc))
    return AsyncContract.from_path(path)


def _codes(contract: AsyncContract, pact: Path) -> list[tuple[str, str]]:
    found = crosscheck_messages(contract, PactFile.from_path(pact))
    return [(m.code, m.pact_path) for m in found]


def test_pact_js_v3_sns_product_event(corpus: Path, tmp_path: Path) -> None:
    """PactFlow's SNS example (pact-js V3): ``type`` matchers and a regex on ``event``."""
    pact = corpus / "pacts-messages/pactflow/example-consumer-js-sns/" \
        "pactflow-example-consumer-js-sns-pactflow-example-provider-js-sns.json"  # fmt: skip
    product: dict[str, Any] = {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "type": {"type": "string"},
            "name": {"type": "string"},
            "event": {"type": "string", "enum": ["CREATED", "UPDATED", "DELETED"]},
            "version": {"type": "string"},
        },
    }
    assert _codes(_doc(tmp_path, "products", product), pact) == []
    product["properties"]["event"]["enum"].append("ARCHIVED")
    found = crosscheck_messages(_doc(tmp_path, "products", product), PactFile.from_path(pact))
    assert [(m.code, m.pact_path) for m in found] == [
        ("message.payload.narrower", "[root].interactions[0].matchingRules.body.$.event")
    ]
    assert "'ARCHIVED'" in found[0].message
    product["properties"]["id"] = {"type": "integer"}
    assert ("message.payload.incompatible", "[root].interactions[0].contents") in _codes(
        _doc(tmp_path, "products", product), pact
    )


def test_pact_jvm_v4_content_rules(corpus: Path, tmp_path: Path) -> None:
    """pact-jvm's V4 message pact keeps body rules under ``content``."""
    pact = corpus / "pacts-messages/pact-jvm/core/v4-message-pact.json"
    loose = {"type": "object", "properties": {"a": {"type": "string"}}}
    assert _codes(_doc(tmp_path, "a/b/c", loose), pact) == [
        ("message.payload.narrower", "[root].interactions[0].matchingRules.content.$.a")
    ]
    tight = {"type": "object", "properties": {"a": {"type": "string", "pattern": "^\\d+-\\d+$"}}}
    assert _codes(_doc(tmp_path, "a/b/c", tight), pact) == []


def test_pact_reference_v3_content_and_metadata_rules(corpus: Path, tmp_path: Path) -> None:
    """The Pact reference's V3 message: ``content`` rules and a ``metadata`` rule."""
    pact = corpus / "pacts-messages/pact-reference/pact_verifier/" \
        "message-pact-with-metadata-matchingrule.json"  # fmt: skip
    values = {"type": "string", "enum": ["value1", "value2", "value3", "value4"]}
    payload = {"type": "object", "properties": {"testParam1": values, "testParam2": values}}
    headers = {"type": "object", "properties": {"destination": {"type": "string"}}}
    found = _codes(_doc(tmp_path, "X001", payload, headers=headers), pact)
    assert found == [  # both messages: any string is a destination, the consumer wants \w+\d+
        ("message.header.narrower", f"[root].interactions[{i}].matchingRules.metadata.destination")
        for i in (0, 1)
    ]
    payload["properties"]["testParam2"] = {**values, "enum": [*values["enum"], "other"]}
    found = _codes(_doc(tmp_path, "X001", payload, headers=headers), pact)
    assert ("message.payload.narrower",
            "[root].interactions[0].matchingRules.content.$.testParam2") in found  # fmt: skip
