"""Python type annotations for schemas, as the generated code spells them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from accord.core import Contract, SchemaRef

__all__ = ["TypeMapper"]

_PRIMITIVES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
_COMPONENT = "#/components/schemas/"


class TypeMapper:
    """Maps a schema to an annotation: a generated model where one exists, else plain types."""

    def __init__(
        self,
        contract: Contract,
        classes: Mapping[str, str],
        inline: Mapping[str, str] | None = None,
    ) -> None:
        self.contract = contract
        self.classes = classes  # component schema name -> generated class
        self.inline = inline or {}  # pointer of an inline schema in the root file -> class

    def model(self, schema: SchemaRef | None) -> str:
        """The annotation for a body: ``models.Order``, ``list[models.Order]`` or a plain type."""
        if schema is None:
            return "Any"
        return self._annotation(schema.value, schema.place.file, schema.place.pointer, models=True)

    def plain(self, schema: SchemaRef | None) -> str:
        """The annotation for a parameter: always builtin types (no RootModel wrappers)."""
        if schema is None:
            return "str"
        return self._annotation(schema.value, schema.place.file, schema.place.pointer, models=False)

    def _annotation(
        self, value: Any, file: Any, pointer: str, *, models: bool, depth: int = 0
    ) -> str:
        if depth > 20 or not isinstance(value, dict):
            return "Any"
        if models and pointer in self.inline and file is self.contract.root:
            return f"models.{self.inline[pointer]}"
        ref = value.get("$ref")
        if isinstance(ref, str):
            name = ref[len(_COMPONENT) :] if ref.startswith(_COMPONENT) else None
            if models and name is not None and name in self.classes:
                return f"models.{self.classes[name]}"
            target = self.contract.documents.follow(ref, file, pointer + "/$ref")
            return self._annotation(
                target.value, target.file, target.pointer, models=models, depth=depth + 1
            )
        kind = value.get("type")
        nullable = value.get("nullable") is True
        if isinstance(kind, list):
            nullable = nullable or "null" in kind
            rest = [k for k in kind if k != "null"]
            kind = rest[0] if len(rest) == 1 else None
        if kind == "array":
            inner = self._annotation(
                value.get("items"), file, pointer + "/items", models=models, depth=depth + 1
            )
            text = f"list[{inner}]"
        elif isinstance(kind, str) and kind in _PRIMITIVES:
            text = _PRIMITIVES[kind]
        elif kind == "object" or "properties" in value:
            text = "dict[str, Any]"
        else:
            text = "Any"
        return f"{text} | None" if nullable and text != "Any" else text
