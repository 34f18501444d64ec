"""Compiled validators by schema object, so a request never pays for a lookup by URI.

``Contract.validator`` caches by the schema's file URI, which resolves the file's
path on every call; on the request path that is a few system calls per schema.
Keyed by the identity of the (long-lived) ``SchemaRef`` instead, a lookup is one
dictionary access.
"""

from __future__ import annotations

from typing import Any

from accord.core import Contract, Direction, SchemaRef, SchemaValidator

__all__ = ["Validators", "error_list"]

_MESSAGE_WIDTH = 200


class Validators:
    """The contract's validators, memoised by ``SchemaRef`` identity."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self._found: dict[tuple[int, Direction], tuple[SchemaRef, SchemaValidator]] = {}

    def get(self, schema: SchemaRef, direction: Direction) -> SchemaValidator:
        key = (id(schema), direction)
        found = self._found.get(key)
        if found is None:
            # keep the SchemaRef alive with its validator, so its id is never reused
            found = (schema, self.contract.validator(schema, direction))
            self._found[key] = found
        return found[1]


def error_list(validator: SchemaValidator, value: Any, limit: int) -> list[dict[str, str]]:
    """``validator.violations(value, limit)`` as ``{"pointer", "message"}`` dicts, faster.

    This is the mock's rejection path: the answer lists every error with its JSON
    pointer. ``SchemaValidator.violations`` builds a :class:`~accord.core.Violation`
    per error (with its keyword) that the mock turns into a dict at once; going to the
    compiled jsonschema-rs validator directly skips both, for the same pointers and
    messages (shortened to 200 characters the same way). Any other validator falls
    back to ``violations``.
    """
    compiled = getattr(validator, "_validator", None)
    if compiled is None or not hasattr(compiled, "iter_errors"):
        return [
            {"pointer": v.pointer, "message": v.message} for v in validator.violations(value, limit)
        ]
    out: list[dict[str, str]] = []
    for error in compiled.iter_errors(value):
        path = error.instance_path
        if path:
            pointer = "".join(["/" + str(p).replace("~", "~0").replace("/", "~1") for p in path])
        else:
            pointer = ""
        message = error.message
        if len(message) > _MESSAGE_WIDTH:
            message = message[: _MESSAGE_WIDTH - 3] + "..."
        out.append({"pointer": pointer, "message": message})
        if len(out) >= limit:
            break
    return out
