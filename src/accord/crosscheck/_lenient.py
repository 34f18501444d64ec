"""Response validators that do not enforce ``required`` (``requiredPropertiesInResponse: false``).

A pact shows the fields a consumer reads, not every field a provider sends, so
a missing required property is not a disagreement. Dropping the violations
afterwards is not enough: inside ``oneOf``/``anyOf`` a branch fails *because*
of a missing property and the validator only reports the branch. So the
contract's files are converted again (as the core does for responses) with
``required`` removed, except next to ``oneOf``, where it picks the branch.

The converted registry is built once per contract and cached weakly.
"""

from __future__ import annotations

import weakref
from typing import Any

from accord._errors import SchemaCompileError
from accord.core import (
    Contract,
    Direction,
    SchemaRef,
    SchemaValidator,
    build_registry,
    compile_validator,
    convert_document,
)

__all__ = ["lenient_validator"]

_CACHE: weakref.WeakKeyDictionary[Contract, _Lenient] = weakref.WeakKeyDictionary()


class _Lenient:
    def __init__(self, contract: Contract) -> None:
        resources = []
        for file in contract.documents:
            data = convert_document(
                file.data, openapi30=contract.openapi30, direction=Direction.RESPONSE
            )
            _drop_required(data)
            resources.append((file.uri, data))
        self.registry = build_registry(resources)
        self.validators: dict[str, SchemaValidator] = {}


def lenient_validator(contract: Contract, schema: SchemaRef) -> SchemaValidator:
    """A response validator for ``schema`` that ignores ``required`` (but not next to oneOf)."""
    lenient = _CACHE.get(contract)
    if lenient is None:
        lenient = _CACHE[contract] = _Lenient(contract)
    uri = schema.place.uri
    found = lenient.validators.get(uri)
    if found is None:
        try:
            found = compile_validator(uri, lenient.registry)
        except ValueError as exc:
            raise SchemaCompileError(
                f"schema cannot be compiled: {exc}", schema.place.locate()
            ) from None
        lenient.validators[uri] = found
    return found


def _drop_required(data: Any) -> None:
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("required"), list) and "oneOf" not in node:
                del node["required"]
            stack.extend(v for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, dict | list))
