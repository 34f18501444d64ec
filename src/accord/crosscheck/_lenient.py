"""Response validators that do not enforce ``required`` (``requiredPropertiesInResponse: false``).

A pact shows the fields a consumer reads, not every field a provider sends, so
a missing required property is not a disagreement. Dropping the violations
afterwards is not enough: inside ``oneOf``/``anyOf`` a branch fails *because*
of a missing property and the validator only reports the branch. So the
contract's files are converted again (as the core does for responses) with
``required`` removed, except next to ``oneOf``, where it picks the branch.

With ``required`` gone, a body can fit several ``oneOf`` branches that it only
fits because they are open: ``{"card": ...}`` is valid under a branch that declares
``iban`` and nothing else. Responses are closed by default (a provider following its
contract sends no undeclared property), so the *closed* variant also closes each
``oneOf``/``anyOf`` branch (``unevaluatedProperties: false``, which sees through the
branch's own ``$ref`` and ``allOf``): then only a real ambiguity remains.

The converted registries are built once per contract and cached weakly.
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

_CACHE: weakref.WeakKeyDictionary[Contract, dict[bool, _Lenient]] = weakref.WeakKeyDictionary()
_OPEN_KEYS = ("additionalProperties", "unevaluatedProperties")
#: keywords that make a branch describe an object's properties (worth closing)
_SHAPED = ("$ref", "properties", "allOf", "patternProperties")


class _Lenient:
    def __init__(self, contract: Contract, closed: bool) -> None:
        resources = []
        for file in contract.documents:
            data = convert_document(
                file.data, openapi30=contract.openapi30, direction=Direction.RESPONSE
            )
            _drop_required(data, close_branches=closed)
            resources.append((file.uri, data))
        self.registry = build_registry(resources)
        self.validators: dict[str, SchemaValidator] = {}


def lenient_validator(
    contract: Contract, schema: SchemaRef, *, closed: bool = False
) -> SchemaValidator:
    """A response validator for ``schema`` that ignores ``required`` (but not next to oneOf).

    ``closed``: every ``oneOf``/``anyOf`` branch also refuses properties it does not declare.
    """
    variants = _CACHE.get(contract)
    if variants is None:
        variants = _CACHE[contract] = {}
    lenient = variants.get(closed)
    if lenient is None:
        lenient = variants[closed] = _Lenient(contract, closed)
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


def _drop_required(data: Any, *, close_branches: bool = False) -> None:
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("required"), list) and "oneOf" not in node:
                del node["required"]
            if close_branches:
                _close_branches(node)
            stack.extend(v for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, dict | list))


def _closable(branch: Any) -> bool:
    """A branch that describes properties and says nothing about the others."""
    if not isinstance(branch, dict) or any(k in branch for k in _OPEN_KEYS):
        return False
    kind = branch.get("type")
    is_object = kind == "object" or (isinstance(kind, list) and "object" in kind)
    return is_object or any(k in branch for k in _SHAPED)


def _close_branches(node: dict[str, Any]) -> None:
    """Close the oneOf/anyOf branches of ``node``, letting through what ``node`` declares.

    A branch only sees its own evaluation, so the properties declared next to the
    ``oneOf`` (a discriminator, say) are declared in each branch too. When other
    keywords next to it could declare more (``allOf``, ``$ref``, ``patternProperties``,
    ``additionalProperties``), the branches stay open: nothing is refused by guess.
    """
    if any(k in node for k in (*_SHAPED[:1], "allOf", "patternProperties", *_OPEN_KEYS)):
        return
    shared = node.get("properties")
    names = [str(n) for n in shared] if isinstance(shared, dict) else []
    for keyword in ("oneOf", "anyOf"):
        branches = node.get(keyword)
        for branch in branches if isinstance(branches, list) else ():
            if not _closable(branch):
                continue
            if names:
                own = branch.get("properties")
                own = own if isinstance(own, dict) else {}
                branch["properties"] = {**dict.fromkeys(names, True), **own}
            branch["unevaluatedProperties"] = False
