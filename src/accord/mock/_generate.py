"""Data generated from a Schema Object, deterministic for a given ``random.Random``.

The generator honours types, formats, patterns, bounds, enums, ``oneOf`` /
``anyOf`` / ``allOf``, ``nullable`` and ``readOnly`` / ``writeOnly`` (which side
of the exchange is being generated decides which are left out). It aims for
valid data but does not promise it: :func:`generate_valid` checks each attempt
with the contract's compiled validator and retries with a fresh draw.
"""

from __future__ import annotations

import base64
import json
import math
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from accord.core import (
    AsyncContract,
    Contract,
    Direction,
    SchemaNode,
    SchemaRef,
    SchemaResolver,
)
from accord.mock._regex import PatternUnsupported, string_for_pattern

__all__ = ["Unsatisfiable", "generate", "generate_message", "generate_valid"]

_MAX_DEPTH = 8
_ATTEMPTS = 6
_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
_WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel")


class Unsatisfiable(ValueError):
    """No value could be generated for the schema (``false``, contradictions, odd patterns)."""


def generate_valid(
    contract: Contract,
    schema: SchemaRef,
    direction: Direction,
    rng: random.Random,
    *,
    realistic: bool = True,
) -> Any:
    """A value for ``schema`` that its compiled validator accepts; raises :class:`Unsatisfiable`.

    ``realistic`` prefers the schema's own ``example`` / ``default`` values where they fit.
    """
    validator = contract.validator(schema, direction)
    gen = _Generator(SchemaResolver(contract), direction, rng)
    return _valid_value(gen, schema, validator, realistic)


def generate_message(contract: AsyncContract, schema: SchemaRef, rng: random.Random) -> Any:
    """A value for an AsyncAPI payload or headers schema that its validator accepts."""
    gen = _Generator(SchemaResolver(contract), Direction.RESPONSE, rng)
    return _valid_value(gen, schema, contract.validator(schema), True)


def _valid_value(gen: _Generator, schema: SchemaRef, validator: Any, realistic: bool) -> Any:
    last: list[str] = []
    for attempt in range(_ATTEMPTS + 1):
        gen.realistic = realistic and attempt < 2
        # the last try is the smallest value: no optional property, the fewest items, so a
        # part of the schema no value satisfies is left out wherever it is optional
        gen.minimal = attempt == _ATTEMPTS
        try:
            value = gen.value(SchemaNode(schema.value, schema.place.file, schema.place.pointer), 0)
        except (Unsatisfiable, PatternUnsupported, RecursionError) as exc:
            last = [str(exc)]
            continue
        if validator.is_valid(value):
            return value
        last = [str(v) for v in validator.violations(value, limit=3)]
    raise Unsatisfiable("; ".join(last) or "no valid value found")


def generate(
    contract: Contract, schema: SchemaRef, direction: Direction, rng: random.Random
) -> Any:
    """One unchecked draw for ``schema`` (tests and callers that validate themselves)."""
    gen = _Generator(SchemaResolver(contract), direction, rng)
    return gen.value(SchemaNode(schema.value, schema.place.file, schema.place.pointer), 0)


class _Generator:
    def __init__(self, resolver: SchemaResolver, direction: Direction, rng: random.Random) -> None:
        self.resolver = resolver
        self.rng = rng
        self.hidden = "readOnly" if direction is Direction.REQUEST else "writeOnly"
        self.realistic = True
        self.minimal = False

    def value(self, node: SchemaNode, depth: int) -> Any:
        if depth > _MAX_DEPTH * 4:
            raise Unsatisfiable("schema nests too deeply to generate")
        flat = self.resolver.flatten(node)
        schema = flat.value
        if schema is True or schema == {}:
            return "value"
        if schema is False:
            raise Unsatisfiable("the schema `false` accepts nothing")
        if not isinstance(schema, dict):
            raise Unsatisfiable(f"not a schema: {schema!r}")
        if "const" in schema:
            return schema["const"]
        types = self.resolver.types(flat)
        nullable = "null" in types
        if nullable and types == ["null"]:
            return None
        if "enum" in schema and isinstance(schema["enum"], list):
            options = [v for v in schema["enum"] if v is not None or nullable]
            if not options:
                raise Unsatisfiable("no usable value in `enum`")
            return options[0] if self.realistic else self.rng.choice(options)
        if self.realistic:
            for key in ("example", "default"):
                if key in schema and (schema[key] is not None or nullable):
                    return schema[key]
            examples = schema.get("examples")
            if isinstance(examples, list) and examples:
                return examples[0]
        if nullable and not self.realistic and self.rng.random() < 0.1:
            return None
        for key in ("oneOf", "anyOf"):
            branches = schema.get(key)
            if isinstance(branches, list) and branches:
                return self._choice(flat, key, branches, depth)
        kinds = [t for t in types if t != "null"] or ["object" if depth else "string"]
        kind = kinds[0] if self.realistic else self.rng.choice(kinds)
        return self._typed(kind, flat, depth)

    def _choice(self, node: SchemaNode, key: str, options: list[Any], depth: int) -> Any:
        rest = {k: v for k, v in node.value.items() if k not in ("oneOf", "anyOf")}
        index = 0 if self.realistic else self.rng.randrange(len(options))
        branch = options[index]
        branch_node = branch if isinstance(branch, SchemaNode) else SchemaNode(branch, node.file)
        combined = SchemaNode({"allOf": [SchemaNode(rest, node.file), branch_node]}, node.file)
        value = self.value(combined, depth + 1)
        discriminator = node.value.get("discriminator")
        if isinstance(value, dict) and isinstance(discriminator, dict):
            prop = discriminator.get("propertyName")
            if isinstance(prop, str):
                tag, mapped = _discriminator_tag(discriminator, branch_node)
                if tag is not None and (mapped or not self._fixed(branch_node, prop)):
                    value[prop] = tag
        return value

    def _fixed(self, branch: SchemaNode, prop: str) -> bool:
        """True when the branch fixes ``prop`` itself (``enum``/``const``): the implicit tag,
        the schema's name, would then break the branch."""
        flat = self.resolver.flatten(branch).value
        props = flat.get("properties") if isinstance(flat, dict) else None
        sub = props.get(prop) if isinstance(props, dict) else None
        if sub is None:
            return False
        sub_node = sub if isinstance(sub, SchemaNode) else SchemaNode(sub, branch.file)
        found = self.resolver.flatten(sub_node).value
        return isinstance(found, dict) and ("enum" in found or "const" in found)

    def _typed(self, kind: str, node: SchemaNode, depth: int) -> Any:
        schema = node.value
        if kind == "object":
            return self._object(node, depth)
        if kind == "array":
            return self._array(node, depth)
        if kind == "string":
            return self._string(schema)
        if kind == "integer":
            return int(self._number(schema, integer=True))
        if kind == "number":
            return self._number(schema, integer=False)
        if kind == "boolean":
            return True if self.realistic else self.rng.random() < 0.5
        if kind == "null":
            return None
        raise Unsatisfiable(f"unknown type {kind!r}")

    def _object(self, node: SchemaNode, depth: int) -> dict[str, Any]:
        schema = node.value
        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        required = [r for r in schema.get("required") or () if isinstance(r, str)]
        out: dict[str, Any] = {}
        for name, sub in props.items():
            sub_node = sub if isinstance(sub, SchemaNode) else SchemaNode(sub, node.file)
            flat = self.resolver.flatten(sub_node).value
            if isinstance(flat, dict) and flat.get(self.hidden) is True:
                continue
            if name not in required:
                if depth >= _MAX_DEPTH or self.minimal:
                    continue
                if not self.realistic and self.rng.random() < 0.3:
                    continue
            out[name] = self.value(sub_node, depth + 1)
        for name in required:
            if name not in out and name not in props:
                extra = schema.get("additionalProperties")
                extra_node = (
                    extra if isinstance(extra, SchemaNode) else SchemaNode(extra or {}, node.file)
                )
                out[name] = self.value(extra_node, depth + 1)
        want = schema.get("minProperties")
        extra = schema.get("additionalProperties")
        if isinstance(want, int) and len(out) < want and extra is not False:
            extra_node = (
                extra if isinstance(extra, SchemaNode) else SchemaNode(extra or {}, node.file)
            )
            for i in range(want - len(out)):
                out[f"key{i + 1}"] = self.value(extra_node, depth + 1)
        return out

    def _array(self, node: SchemaNode, depth: int) -> list[Any]:
        schema = node.value
        low = int(schema.get("minItems") or 0)
        high = schema.get("maxItems")
        high = int(high) if isinstance(high, int) else low + 3
        if depth >= _MAX_DEPTH or self.minimal:
            count = low
        elif self.realistic:
            count = min(max(low, 1), high)
        else:
            count = self.rng.randint(low, max(low, min(high, low + 3)))
        prefix = [
            p if isinstance(p, SchemaNode) else SchemaNode(p, node.file)
            for p in schema.get("prefixItems") or ()
        ]
        items = schema.get("items")
        item_node = items if isinstance(items, SchemaNode) else SchemaNode(items, node.file)
        out: list[Any] = []
        seen: set[str] = set()
        unique = schema.get("uniqueItems") is True
        for i in range(count * 3 if unique else count):
            if len(out) >= count:
                break
            sub = prefix[i] if i < len(prefix) else item_node
            if sub.value is None:
                sub = SchemaNode({}, node.file)
            value = self.value(sub, depth + 1)
            if unique:
                key = json.dumps(value, sort_keys=True)
                if key in seen:
                    continue
                seen.add(key)
            out.append(value)
        return out

    def _string(self, schema: dict[str, Any]) -> str:
        low = int(schema.get("minLength") or 0)
        high_raw = schema.get("maxLength")
        high = int(high_raw) if isinstance(high_raw, int) else max(low, 16)
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            text = string_for_pattern(pattern, self.rng)
            if low <= len(text) and (high_raw is None or len(text) <= high):
                return text
            raise Unsatisfiable(f"pattern {pattern!r} and the length bounds disagree")
        formatted = self._format(str(schema.get("format") or ""))
        if formatted is not None:
            # a format's own shape wins; padding only helps a too-short value
            return formatted + "x" * (low - len(formatted)) if len(formatted) < low else formatted
        drawn = 6 if self.realistic else self.rng.randint(low, max(low, min(high, low + 24)))
        size = min(max(low, drawn), high)
        word = _WORDS[0] if self.realistic else self.rng.choice(_WORDS)
        return (word * (size // len(word) + 1))[:size]

    def _format(self, fmt: str) -> str | None:
        r = self.rng
        moment = _EPOCH + timedelta(seconds=0 if self.realistic else r.randrange(10**8))
        match fmt:
            case "date-time":
                return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
            case "date":
                return moment.strftime("%Y-%m-%d")
            case "time":
                return moment.strftime("%H:%M:%SZ")
            case "email":
                return f"{r.choice(_WORDS)}@example.com"
            case "uuid":
                return str(uuid.UUID(int=r.getrandbits(128), version=4))
            case "uri" | "url" | "iri":
                return f"https://example.com/{r.choice(_WORDS)}"
            case "uri-reference" | "iri-reference":
                return f"/{r.choice(_WORDS)}"
            case "hostname" | "idn-hostname":
                return f"{r.choice(_WORDS)}.example.com"
            case "ipv4":
                return ".".join(str(r.randint(1, 254)) for _ in range(4))
            case "ipv6":
                return "2001:db8::" + format(r.randint(1, 0xFFFF), "x")
            case "byte":
                return base64.b64encode(r.choice(_WORDS).encode()).decode()
            case "duration":
                return f"PT{r.randint(1, 59)}M"
            case "regex":
                return "^[a-z]+$"
            case "json-pointer":
                return "/" + r.choice(_WORDS)
            case "decimal":  # a decimal number kept as a string (Stripe's amounts)
                return f"{r.randint(0, 9999)}.{r.randint(0, 99):02d}"
        return None

    def _number(self, schema: dict[str, Any], *, integer: bool) -> float:
        low, high = _bounds(schema, integer)
        multiple = schema.get("multipleOf")
        if self.realistic:
            value = min(max(0 if integer else 0.0, low), high) if low <= 0 <= high else low
            if low > 0 and high >= low:
                value = low
        else:
            span_low, span_high = max(low, -1000), min(high, 1000 + max(low, 0))
            if span_low > span_high:
                span_low, span_high = low, high
            value = (
                self.rng.randint(math.ceil(span_low), math.floor(span_high))
                if integer
                else self.rng.uniform(span_low, span_high)
            )
        if isinstance(multiple, int | float) and multiple > 0:
            value = math.ceil(value / multiple) * multiple
            if value > high:
                value -= multiple
        if integer:
            if math.ceil(low) > math.floor(high):
                raise Unsatisfiable("no integer between the bounds")
            return int(min(max(round(value), math.ceil(low)), math.floor(high)))
        return float(value)


def _bounds(schema: dict[str, Any], integer: bool) -> tuple[float, float]:
    fmt = schema.get("format")
    low: float = -(2**31) if fmt == "int32" else -(2**53)
    high: float = 2**31 - 1 if fmt == "int32" else 2**53
    step = 1 if integer else 1e-6
    if isinstance(schema.get("minimum"), int | float):
        low = schema["minimum"]
        if schema.get("exclusiveMinimum") is True:
            low += step
    if isinstance(schema.get("maximum"), int | float):
        high = schema["maximum"]
        if schema.get("exclusiveMaximum") is True:
            high -= step
    ex_min, ex_max = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if isinstance(ex_min, int | float) and not isinstance(ex_min, bool):
        low = max(low, ex_min + step)
    if isinstance(ex_max, int | float) and not isinstance(ex_max, bool):
        high = min(high, ex_max - step)
    if low > high:
        raise Unsatisfiable("minimum is above maximum")
    return low, high


def _discriminator_tag(
    discriminator: dict[str, Any], branch: SchemaNode
) -> tuple[str | None, bool]:
    """The branch's tag, and whether the discriminator's ``mapping`` names it."""
    ref = branch.value.get("$ref") if isinstance(branch.value, dict) else None
    if not isinstance(ref, str):
        return None, False
    mapping = discriminator.get("mapping")
    if isinstance(mapping, dict):
        for tag, target in mapping.items():
            if target == ref or (isinstance(target, str) and ref.endswith("/" + target)):
                return str(tag), True
    return ref.rsplit("/", 1)[-1], False
