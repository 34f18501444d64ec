"""Each AsyncAPI lint rule on a tiny document that breaks it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from accord.lint import lint_paths

GOOD = """\
asyncapi: 3.0.0
info: {title: t, version: "1"}
channels:
  events:
    address: orders.{orderId}
    parameters: {orderId: {}}
    messages:
      m: {$ref: "#/components/messages/M"}
operations:
  send:
    action: send
    channel: {$ref: "#/channels/events"}
components:
  messages:
    M:
      payload: {type: object, required: [id], properties: {id: {type: string}}}
      examples: [{payload: {id: x}}]
"""


def _lint(tmp_path: Path, text: str) -> list[tuple[str, str]]:
    path = tmp_path / "events.yaml"
    path.write_text(textwrap.dedent(text))
    result = lint_paths([path])
    return [(f.rule, str(f.location)) for f in result.findings]


def test_a_clean_document_has_no_findings(tmp_path: Path) -> None:
    assert _lint(tmp_path, GOOD) == []


@pytest.mark.parametrize(
    ("old", "new", "rule", "line"),
    [
        ('info: {title: t, version: "1"}', 'info: {version: "1"}', "asyncapi-valid", 2),
        ("address: orders.{orderId}", "address: orders.{id}", "asyncapi-channel-parameters", 4),
        (
            "examples: [{payload: {id: x}}]",
            "examples: [{payload: {id: 1}}]",
            "asyncapi-message-examples",
            17,
        ),
        ("payload: {type: object,", "payload: {type: objekt,", "asyncapi-valid", 16),
        ("address: orders.{orderId}", "address: orders.{orderId", "asyncapi-channel-parameters", 5),
        (
            "address: orders.{orderId}",
            "address: 'orders.{order Id}'",
            "asyncapi-channel-parameters",
            5,
        ),
        (
            "payload: {type: object, required: [id], properties: {id: {type: string}}}",
            "payload: {schemaFormat: application/vnd.apache.avro, schema: {type: string}}",
            "asyncapi-payload-format",
            16,
        ),
    ],
)
def test_rule_reports_with_location(
    tmp_path: Path, old: str, new: str, rule: str, line: int
) -> None:
    found = _lint(tmp_path, GOOD.replace(old, new))
    assert any(r == rule and f":{line}:" in loc for r, loc in found), found


def test_v2_rules_ids_security_tags(tmp_path: Path) -> None:
    found = _lint(
        tmp_path,
        """\
        asyncapi: 2.6.0
        info: {title: t, version: "1"}
        tags: [{name: a}, {name: a}]
        servers:
          prod: {url: "nats://x", protocol: nats, security: [{missing: []}]}
        channels:
          one:
            subscribe: {operationId: dup, message: {messageId: m1, payload: {type: string}}}
          two:
            subscribe: {operationId: dup, message: {messageId: m1, payload: {type: string}}}
        """,
    )
    rules = {r for r, _ in found}
    assert {"asyncapi-tags-unique", "asyncapi-security-defined", "asyncapi-unique-ids"} <= rules
