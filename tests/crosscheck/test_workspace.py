"""``crosscheck_workspace``: every pact of a workspace, as lint-style findings; V4 pacts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from accord._findings import Severity
from accord.core import Contract, PactFile
from accord.crosscheck import UNUSABLE, crosscheck, crosscheck_workspace
from accord.workspace import Workspace

SPEC = """\
openapi: 3.0.3
info: {title: users, version: "1"}
paths:
  /users/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: {type: integer}
"""


def _interaction(body: Any, **extra: Any) -> dict[str, Any]:
    return {
        "description": "get a user",
        "request": {"method": "GET", "path": "/users/1"},
        "response": {"status": 200, "body": body},
        **extra,
    }


def _workspace(tmp_path: Path, pacts: dict[str, Any]) -> Workspace:
    contracts = tmp_path / "contracts"
    (contracts / "openapi").mkdir(parents=True)
    (contracts / "pacts").mkdir()
    (contracts / "openapi" / "users.yaml").write_text(SPEC)
    (contracts / "accord.yaml").write_text(
        "version: 1\nname: t\npacts: pacts\n"
        "services:\n  users:\n    contract: openapi/users.yaml\n    port: 8101\n"
        "consumers:\n  web:\n    consumes: [users]\n"
    )
    for name, content in pacts.items():
        text = content if isinstance(content, str) else json.dumps(content, indent=2)
        (contracts / "pacts" / name).write_text(text)
    return Workspace.from_path(tmp_path)


def _pact(*interactions: dict[str, Any], provider: str = "users") -> dict[str, Any]:
    return {
        "consumer": {"name": "web"},
        "provider": {"name": provider},
        "interactions": list(interactions),
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }


def test_findings_carry_the_code_and_both_locations(tmp_path: Path) -> None:
    workspace = _workspace(
        tmp_path,
        {
            "web-users.json": _pact(_interaction({"id": "x"})),
            "web-other.json": _pact(_interaction({"id": "x"}), provider="elsewhere"),
            "broken.json": "{",
        },
    )
    findings = crosscheck_workspace(workspace)
    rules = sorted(f.rule for f in findings)
    assert rules == ["response.body.incompatible", UNUSABLE]
    [body] = [f for f in findings if f.rule != UNUSABLE]
    assert body.severity is Severity.ERROR
    assert body.location.file.endswith("web-users.json") and body.location.line > 0
    assert body.related and body.related[0].file.endswith("users.yaml")
    assert "'get a user'" in body.message


def test_v4_bodies_are_located_inside_their_envelope(tmp_path: Path) -> None:
    v4 = {
        "consumer": {"name": "web"},
        "provider": {"name": "users"},
        "interactions": [
            {"type": "Asynchronous/Messages", "description": "an event", "contents": {}},
            {
                "type": "Synchronous/HTTP",
                "description": "get a user",
                "request": {"method": "GET", "path": "/users/1"},
                "response": {
                    "status": 200,
                    "body": {"contentType": "application/json", "content": {"id": "x"}},
                },
            },
        ],
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }
    path = tmp_path / "v4.json"
    path.write_text(json.dumps(v4, indent=2))
    spec = tmp_path / "users.yaml"
    spec.write_text(SPEC)
    [found] = crosscheck(Contract.from_path(spec), PactFile.from_path(path))
    assert found.pact_path == "[root].interactions[1].response.body.id"
    assert found.pact_location.pointer == "/interactions/1/response/body/content/id"
    assert path.read_text().splitlines()[found.pact_location.line - 1].strip() == '"id": "x"'
