"""``oas-valid`` against its oracle, openapi-spec-validator, on the corpus and on mutants.

Accord validates documents with jsonschema-rs against the official OpenAPI JSON Schemas
(fast); openapi-spec-validator walks them in Python (slow) and is the reference for what
"valid OpenAPI" means. Both must give every document the same verdict. Two checks of
openapi-spec-validator belong to other Accord rules, which report them at the place:
duplicate operationIds (``operation-id-unique``) and path parameters the template and
the declarations disagree on (``path-params-declared``), so Accord's verdict is "no error
from any of these three rules".

The corpus is nearly all valid, so each small corpus document is also mutated in ways the
oracle refuses (and one way it accepts) and the verdicts compared again.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

from accord import Contract
from accord.lint import lint_paths
from tests.conftest import CORPUS

pytestmark = pytest.mark.slow

VALIDITY_RULES = {"oas-valid", "operation-id-unique", "path-params-declared"}
DOCUMENTS = sorted(
    p
    for p in (CORPUS / "openapi").rglob("*")
    if p.suffix in (".yaml", ".yml", ".json") and "swagger2" not in p.name and "3.2" not in p.name
)
SMALL = [p for p in DOCUMENTS if p.stat().st_size < 150_000]


def oracle_errors(contract: Contract) -> list[str]:
    cls = OpenAPIV30SpecValidator if contract.openapi30 else OpenAPIV31SpecValidator
    return [str(e.message) for e in cls(contract.data, base_uri=contract.root.uri).iter_errors()]


def accord_errors(path: Path) -> list[str]:
    return [
        f"{f.location} {f.rule}: {f.message}"
        for f in lint_paths([path]).findings
        if f.rule in VALIDITY_RULES or f.rule == "unusable-input"
    ]


def test_the_corpus_is_there() -> None:
    assert len(DOCUMENTS) >= 30 and len(SMALL) >= 15, f"expected the corpus at {CORPUS}"


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_same_verdict_as_openapi_spec_validator(path: Path) -> None:
    expected = oracle_errors(Contract.from_path(path))
    found = accord_errors(path)
    assert bool(found) == bool(expected), {"oracle": expected[:5], "accord": found[:5]}


def _schemas(doc: dict[str, Any]) -> dict[str, Any]:
    return doc.setdefault("components", {}).setdefault("schemas", {})


def _add_path(doc: dict[str, Any], item: dict[str, Any]) -> None:
    doc.setdefault("paths", {})["/accord-mutant/{id}"] = item


def _param(name: str, where: str = "path") -> dict[str, Any]:
    return {"name": name, "in": where, "required": True, "schema": {"type": "string"}}


def _op(**extra: Any) -> dict[str, Any]:
    return {"responses": {"200": {"description": "ok"}}, **extra}


def _valid_addition(doc: dict[str, Any]) -> None:
    """A path with shared and own parameters, and a schema whose allOf defines ``a``."""
    own = _param("q", "query") | {"required": False}
    _add_path(
        doc,
        {"parameters": [_param("id")], "get": _op(parameters=[own], operationId="mutantOp")},
    )
    _schemas(doc)["Mutant"] = {
        "allOf": [{"type": "object", "properties": {"a": {"type": "string"}}}],
        "required": ["a"],
        "properties": {"n": {"type": "integer", "default": 3}},
    }


#: (name, mutation, the oracle's verdict: is the mutant still valid in OpenAPI 3.0, in 3.1)
MUTATIONS: list[tuple[str, Callable[[dict[str, Any]], None], tuple[bool, bool]]] = [
    ("no-info-version", lambda d: d["info"].pop("version"), (False, False)),
    ("unknown-type", lambda d: _schemas(d).update(Mutant={"type": "integr"}), (False, False)),
    (
        "bad-nested-minimum",
        lambda d: _schemas(d).update(
            Mutant={"type": "object", "properties": {"n": {"type": "integer", "minimum": "1"}}}
        ),
        (False, False),
    ),
    (
        "bad-regex",
        lambda d: _schemas(d).update(Mutant={"type": "string", "pattern": "("}),
        (False, False),
    ),
    ("enum-repeats", lambda d: _schemas(d).update(Mutant={"enum": ["a", "a"]}), (False, True)),
    (
        "default-of-wrong-type",
        lambda d: _schemas(d).update(Mutant={"type": "integer", "default": "ten"}),
        (False, False),
    ),
    (
        "required-not-defined-with-allof",
        lambda d: _schemas(d).update(
            Mutant={
                "allOf": [{"type": "object", "properties": {"a": {"type": "string"}}}],
                "required": ["a", "ghost"],
            }
        ),
        (False, False),
    ),
    (
        "duplicate-tags",
        lambda d: d.update(tags=[*d.get("tags", []), {"name": "dup"}, {"name": "dup"}]),
        (False, False),
    ),
    (
        "duplicate-parameter",
        lambda d: _add_path(d, {"get": _op(parameters=[_param("id"), _param("id")])}),
        (False, False),
    ),
    (
        "unresolved-path-parameter",
        lambda d: _add_path(d, {"get": _op()}),
        (False, False),
    ),
    (
        "response-without-description",
        lambda d: _add_path(d, {"parameters": [_param("id")], "get": {"responses": {"200": {}}}}),
        (False, False),
    ),
    ("valid-addition", _valid_addition, (True, True)),
]


@pytest.mark.parametrize("path", SMALL, ids=lambda p: p.name)
def test_same_verdict_on_mutants(path: Path, tmp_path: Path) -> None:
    base = Contract.from_path(path)
    if oracle_errors(base):
        pytest.fail(f"{path.name}: small corpus documents are expected valid")
    disagreements = []
    for name, mutate, valid_in in MUTATIONS:
        valid = valid_in[0] if base.openapi30 else valid_in[1]
        doc = copy.deepcopy(base.data)
        mutate(doc)
        mutant = tmp_path / f"{name}.json"
        mutant.write_text(json.dumps(doc), encoding="utf-8")
        expected = oracle_errors(Contract.from_path(mutant))
        assert (not expected) == valid, f"{name}: the mutation does not do what it says"
        found = accord_errors(mutant)
        if bool(found) != bool(expected):
            disagreements.append((name, expected[:3], found[:3]))
    assert disagreements == []
