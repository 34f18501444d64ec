"""Validators compile from a converted copy of their schema where they can: on their own
when the schema refers nowhere, against a registry of only the parts ``$ref`` s reach when
it has plain references, and in place among whole files otherwise. Each way must validate
exactly as compiling the schema in place does (the old and only way before)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from accord.core import Contract
from accord.core._schema import Direction, references


def _json(schema: Any, description: str = "ok") -> dict[str, Any]:
    """A response (or, without its description, a body) of ``schema`` as JSON."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


PET = {"$ref": "#/components/schemas/Pet"}
# a reference into the paths themselves, and one into another file
MADE = {
    "allOf": [
        {"$ref": "#/paths/~1pets/post/requestBody/content/application~1json/schema"},
        {"$ref": "extra.json#/Stamp"},
    ]
}
ERROR = {"type": "object", "required": ["code"], "properties": {"code": {"type": "integer"}}}
SCOPED = {
    "$id": "https://example.com/scoped",
    "type": "object",
    "properties": {"n": {"type": "integer", "minimum": 1}},
}
SHARED = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/pets": {
            "get": {"responses": {"200": _json({"type": "array", "items": PET})}},
            "post": {
                "requestBody": {"content": _json(PET)["content"]},
                "responses": {"201": _json(MADE, "made"), "400": _json(ERROR, "bad")},
            },
        },
        "/scoped": {"get": {"responses": {"200": _json(SCOPED)}}},
    },
    "components": {
        "schemas": {
            "Pet": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {
                    "id": {"type": "integer", "readOnly": True},
                    "name": {"type": "string", "nullable": True},
                    "tag": {"$ref": "#/components/schemas/Tag"},
                    "kids": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}},
                },
            },
            "Tag": {"type": "string", "enum": ["a", "b"]},
        }
    },
}
EXTRA = {"Stamp": {"type": "object", "properties": {"at": {"type": "string", "format": "date"}}}}

INSTANCES: list[Any] = [
    None, {}, [], "x", 1,
    {"id": 1, "name": "rex"}, {"name": "rex"}, {"id": 1, "name": None, "tag": "a"},
    {"id": 1, "name": "rex", "tag": "z"}, [{"id": 1, "name": "a", "kids": [{"id": "2"}]}],
    [{"id": 1, "name": "a", "kids": [{"id": 2, "name": "b"}]}], {"code": 1}, {"code": "1"},
    {"id": 1, "name": "rex", "at": "2024-13-45"}, {"id": 1, "name": "rex", "at": "2024-01-02"},
    {"n": 0}, {"n": 1},
]  # fmt: skip


@pytest.fixture
def contract(tmp_path: Path) -> Contract:
    (tmp_path / "api.json").write_text(json.dumps(SHARED))
    (tmp_path / "extra.json").write_text(json.dumps(EXTRA))
    return Contract.from_path(tmp_path / "api.json")


def _in_place(contract: Contract, tmp_path: Path) -> Contract:
    """A second copy of the contract whose validators are all compiled in place."""
    fresh = Contract.from_path(tmp_path / "api.json")
    for schema, direction in fresh.schemas():
        key = (schema.place.file.uri, schema.place.pointer, direction)
        whole = fresh._registry(direction, whole=True)
        fresh._validators[key] = fresh._compile(schema, whole)
    return fresh


def test_every_way_of_compiling_validates_as_compiling_in_place(
    contract: Contract, tmp_path: Path
) -> None:
    reference = _in_place(contract, tmp_path)
    kinds = set()
    compared = 0
    for (schema, direction), (same, _) in zip(contract.schemas(), reference.schemas(), strict=True):
        kinds.add(references(schema.value))
        ours, theirs = contract.validator(schema, direction), reference.validator(same, direction)
        for instance in INSTANCES:
            assert ours.violations(instance) == theirs.violations(instance), (
                schema.place.pointer,
                instance,
            )
            compared += 1
    assert kinds == {"none", "ref", "scoped"}  # each way was taken
    # whole files were converted only for the scoped (response) schema: no other one
    # failed its way and fell back to compiling in place
    assert {key for key in contract._registries if key[1]} == {(Direction.RESPONSE, True)}
    assert compared >= 5 * len(INSTANCES)
    # and what the in-place way would catch, the others catch too: a bad date, a readOnly
    # property the request may leave out, a null allowed by `nullable`
    post = contract.operation("post", "/pets")
    assert post is not None and post.request_body is not None
    request = contract.validator(
        post.request_body.content["application/json"].schema,  # type: ignore[arg-type]
        Direction.REQUEST,
    )
    assert request.is_valid({"name": None}) and not request.is_valid({"name": 1})
    made = contract.validator(
        post.responses["201"].content["application/json"].schema,  # type: ignore[arg-type]
    )
    assert not made.is_valid({"id": 1, "name": "x", "at": "2024-13-45"})


def test_a_ref_free_schema_needs_no_registry_and_plain_refs_only_the_parts_they_reach(
    contract: Contract,
) -> None:
    post = contract.operation("post", "/pets")
    assert post is not None
    contract.validator(post.responses["400"].content["application/json"].schema)  # type: ignore[arg-type]
    assert contract._registries == {}
    get = contract.operation("get", "/pets")
    assert get is not None
    contract.validator(get.responses["200"].content["application/json"].schema)  # type: ignore[arg-type]
    assert set(contract._registries) == {(Direction.RESPONSE, False)}
    root = contract.documents.referenced_part(contract.root)
    assert set(root) == {"paths", "components"}  # one reference points into the paths
    extra = next(f for f in contract.documents if f is not contract.root)
    assert contract.documents.referenced_part(extra) == EXTRA


def test_a_schema_that_is_not_valid_json_schema_still_compiles_as_before(
    tmp_path: Path,
) -> None:
    # compiled as its own document, jsonschema-rs also checks it against the meta-schema,
    # which `title: null` fails; compiled in place (by reference), it never was
    doc = json.loads(json.dumps(SHARED))
    schema = doc["paths"]["/pets"]["post"]["responses"]["400"]["content"]["application/json"]
    schema["schema"]["title"] = None
    (tmp_path / "api.json").write_text(json.dumps(doc))
    (tmp_path / "extra.json").write_text(json.dumps(EXTRA))
    contract = Contract.from_path(tmp_path / "api.json")
    post = contract.operation("post", "/pets")
    assert post is not None
    validator = contract.validator(post.responses["400"].content["application/json"].schema)  # type: ignore[arg-type]
    assert validator.is_valid({"code": 1}) and not validator.is_valid({"code": "x"})
