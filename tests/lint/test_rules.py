"""Each lint rule on a tiny scenario: one document that breaks it, one that does not."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from accord import Severity
from accord.lint import RULES, LintConfig, lint_paths

BASE = """\
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /orders/{orderId}:
    get:
      operationId: getOrder
      parameters:
        - {name: orderId, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id, quantity]
                properties:
                  id: {type: string}
                  quantity: {type: integer, minimum: 1}
              example: {id: o1, quantity: 2}
        "404":
          description: missing
          content:
            application/problem+json:
              schema: {type: object}
"""


def write(tmp_path: Path, text: str, name: str = "api.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def findings(path: Path, rule: str) -> list[str]:
    result = lint_paths([path])
    return [f"{f.location.line}:{f.message}" for f in result.findings if f.rule == rule]


def test_clean_document_has_no_findings(tmp_path: Path) -> None:
    result = lint_paths([write(tmp_path, BASE)])
    assert [str(f) for f in result.findings] == []
    assert result.exit_code() == 0


def test_example_invalid_points_at_the_bad_value(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        BASE.replace(
            "example: {id: o1, quantity: 2}",
            "example:\n                id: o1\n                quantity: 0",
        ),
    )
    found = findings(path, "example-valid")
    assert len(found) == 1
    line, message = found[0].split(":", 1)
    assert path.read_text().splitlines()[int(line) - 1].strip() == "quantity: 0"
    assert "/quantity" in message and "minimum" in message


def test_example_missing_required_property(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace("example: {id: o1, quantity: 2}", "example: {id: o1}"))
    assert any("quantity" in f for f in findings(path, "example-valid"))


def test_duplicate_operation_id(tmp_path: Path) -> None:
    text = (
        BASE
        + """\
  /orders:
    get:
      operationId: getOrder
      responses:
        "400": {description: bad, content: {application/problem+json: {schema: {type: object}}}}
"""
    )
    found = findings(write(tmp_path, text), "operation-id-unique")
    assert len(found) == 1 and "already used at" in found[0]


def test_missing_operation_id_is_a_warning(tmp_path: Path) -> None:
    result = lint_paths([write(tmp_path, BASE.replace("      operationId: getOrder\n", ""))])
    missing = [f for f in result.findings if f.rule == "operation-id-missing"]
    assert len(missing) == 1 and missing[0].severity is Severity.WARNING
    assert result.exit_code(Severity.ERROR) == 0
    assert result.exit_code(Severity.WARNING) == 1


def test_undeclared_and_unused_path_parameters(tmp_path: Path) -> None:
    text = BASE.replace("name: orderId, in: path", "name: id, in: path")
    found = findings(write(tmp_path, text), "path-params-declared")
    assert any("{orderId} is not declared" in f for f in found)
    assert any("'id' is declared but" in f for f in found)


def test_ambiguous_templates(tmp_path: Path) -> None:
    text = (
        BASE
        + """\
  /orders/{id}:
    delete:
      operationId: deleteOrder
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "404": {description: x, content: {application/problem+json: {schema: {type: object}}}}
"""
    )
    found = findings(write(tmp_path, text), "path-ambiguous")
    assert len(found) == 1 and "/orders/{orderId}" in found[0]


def test_error_response_must_be_problem_json(tmp_path: Path) -> None:
    text = BASE.replace(
        "application/problem+json:\n              schema: {type: object}",
        "application/json:\n              schema: {type: object}",
    )
    found = findings(write(tmp_path, text), "error-responses-problem-json")
    assert len(found) == 1 and "404" in found[0]


def test_operation_without_4xx(tmp_path: Path) -> None:
    text = BASE.split('        "404":', maxsplit=1)[0]
    found = findings(write(tmp_path, text), "error-responses-problem-json")
    assert found and "documents no 4xx" in found[0]


def test_undefined_security_scheme_and_scope(tmp_path: Path) -> None:
    text = (
        BASE.replace(
            "      operationId: getOrder\n",
            "      operationId: getOrder\n      security: [{oauth: [orders:write]}, {nope: []}]\n",
        )
        + """\
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        clientCredentials: {tokenUrl: "https://auth.invalid/token", scopes: {orders:read: read}}
"""
    )
    found = findings(write(tmp_path, text), "security-scheme-defined")
    assert any("'nope'" in f for f in found)
    assert any("scope 'orders:write'" in f for f in found)


def test_duplicate_key(tmp_path: Path) -> None:
    text = BASE.replace(
        'info: {title: t, version: "1"}',
        'info: {title: t, version: "1"}\ninfo: {title: u, version: "2"}',
    )
    found = findings(write(tmp_path, text), "duplicate-key")
    assert found == ["3:duplicate key 'info'; the last one wins"]


def test_oas_invalid_points_at_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, BASE.replace("quantity: {type: integer, minimum: 1}", "quantity: {type: integr}")
    )
    found = findings(path, "oas-valid")
    assert found
    line = int(found[-1].split(":")[0])
    assert "integr" in path.read_text().splitlines()[line - 1]


def test_oas_valid_leaves_duplicate_ids_and_path_parameters_to_their_rules(
    tmp_path: Path,
) -> None:
    text = BASE.replace("/orders/{orderId}:", "/orders/{orderId}/{extra}:") + (
        "  /again:\n    get:\n      operationId: getOrder\n"
        "      responses: {'200': {description: ok}}\n"
    )
    result = lint_paths([write(tmp_path, text)])
    rules = [f.rule for f in result.findings]
    assert "operation-id-unique" in rules and "path-params-declared" in rules
    assert "oas-valid" not in rules, [f.message for f in result.findings]


def test_rules_can_be_disabled(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace("      operationId: getOrder\n", ""))
    result = lint_paths([path], LintConfig(disable=frozenset({"operation-id-missing"})))
    assert [f.rule for f in result.findings] == []


def test_every_rule_has_a_description_and_stable_id() -> None:
    assert len(RULES) >= 12
    for rule_id, rule in RULES.items():
        assert rule_id == rule.id and rule_id == rule_id.lower()
        assert rule.description and rule.description != rule_id


def test_pact_problems_are_findings(tmp_path: Path) -> None:
    pact = {
        "consumer": {"name": ""},
        "provider": {"name": "p"},
        "interactions": [
            {
                "description": "x",
                "request": {"method": "FETCH", "path": "/a"},
                "response": {"status": "200"},
            }
        ],
    }
    path = tmp_path / "pact.json"
    path.write_text(json.dumps(pact, indent=2))
    result = lint_paths([path])
    messages = [f.message for f in result.findings if f.rule == "pact-well-formed"]
    assert len(messages) == 3
    assert any("consumer.name" in m for m in messages)
    assert any("FETCH" in m for m in messages)
    assert any("status" in m for m in messages)


@pytest.mark.parametrize("text", ["[1, 2]\n", "just: data\n"])
def test_unrecognised_file_is_unusable(tmp_path: Path, text: str) -> None:
    result = lint_paths([write(tmp_path, text, "thing.yaml")])
    assert [f.rule for f in result.findings] == ["unusable-input"]
    assert result.exit_code() == 2


def test_oas_valid_on_many_schemas_still_reports_the_broken_ones(tmp_path: Path) -> None:
    """Visited schemas are remembered in sets (speed); every schema is still checked once."""
    schemas: dict[str, object] = {
        f"S{i}": {"type": "object", "properties": {"next": {"$ref": f"#/components/schemas/S{i}"}}}
        for i in range(3000)
    }
    schemas["S2999"] = {"type": "object", "properties": {"n": {"type": 5}}}
    schemas["Shared"] = {"$ref": "#/components/schemas/S0"}
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    }
    path = tmp_path / "many.json"
    path.write_text(json.dumps(doc, indent=1))
    found = findings(path, "oas-valid")
    assert found, "the broken schema, last of 3,000, is reported"
    assert any("5 is not " in f for f in found), found
    lines = {int(f.split(":")[0]) for f in found}
    assert all(line > path.read_text().count("\n") - 20 for line in lines), found
