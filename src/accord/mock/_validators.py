"""Compiled validators by schema object, so a request never pays for a lookup by URI.

``Contract.validator`` caches by the schema's file URI, which resolves the file's
path on every call; on the request path that is a few system calls per schema.
Keyed by the identity of the (long-lived) ``SchemaRef`` instead, a lookup is one
dictionary access.
"""

from __future__ import annotations

from accord.core import Contract, Direction, SchemaRef, SchemaValidator

__all__ = ["Validators"]


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
