"""``models.py``: pydantic v2 models from a contract, by datamodel-code-generator.

The options are chosen for stable, strict output: no timestamp, its builtin
formatter (pinned with the package), field constraints as ``Field`` arguments,
``Annotated``, standard collections, ``X | None``, enum members as defaults.

The generator is called through its library API (``generate()``), imported when a
contract is generated: never through its ``__main__``, which reads ``sys.argv``
when it is imported (it answered ``accord --version`` with its own version).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from accord._errors import ContractError, Location
from accord._media import media_kind
from accord.codegen._naming import class_name
from accord.core import Contract

__all__ = ["FLAGS", "OPTIONS", "Models", "generate_models"]

#: the options of datamodel-code-generator's ``generate()`` (its ``GenerateConfig`` fields)
OPTIONS: dict[str, Any] = {
    "input_file_type": "openapi",
    "output_model_type": "pydantic_v2.BaseModel",
    "target_python_version": "3.11",
    "disable_timestamp": True,
    "formatters": ["builtin"],
    "field_constraints": True,
    "use_annotated": True,
    "use_standard_collections": True,
    "use_union_operator": True,
    "use_double_quotes": True,
    "strict_nullable": True,
    "set_default_enum_member": True,
    "use_schema_description": True,
    "allow_population_by_field_name": True,
    # JSON Schema's `format: email` and `uri` are loose annotations; pydantic's EmailStr
    # refuses addresses the contract allows (special-use domains such as x@y.test), and
    # AnyUrl refuses some URIs (`https://`) and rewrites others (`https://a.test` gains a `/`)
    "type_mappings": ["email=string", "idn-email=string", "uri=string"],
}


def _as_flags(options: dict[str, Any]) -> tuple[str, ...]:
    flags: list[str] = []
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if value is True:
            flags.append(flag)
        else:
            flags += [flag, *(value if isinstance(value, list) else [value])]
    return tuple(flags)


#: the same options as ``datamodel-codegen`` flags (benchmarks run the bare tool with them)
FLAGS = _as_flags(OPTIONS)


_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_SCHEMAS = "#/components/schemas/"


@dataclass(slots=True, frozen=True)
class Models:
    """The generated ``models.py`` and which class each component schema became."""

    text: str
    classes: dict[str, str]  # component schema name -> class name
    #: JSON pointer of an inline body schema in the root file -> class name
    inline: dict[str, str] = field(default_factory=dict)


def generate_models(contract: Contract, header: str, workdir: Path) -> Models:
    """Generate ``models.py`` for ``contract`` (in ``workdir``, a scratch folder).

    Raises :class:`ContractError` with the generator's own explanation when it
    cannot map the contract.
    """
    components = contract.data.get("components")
    schemas = components.get("schemas") if isinstance(components, dict) else None
    schemas = schemas if isinstance(schemas, dict) else {}
    inline = inline_schemas(contract, set(schemas)) if len(contract.files) == 1 else {}
    if not schemas and not inline:
        return Models(f'{header}\n\n"""No component schemas in the contract."""\n', {})
    source, renames = _input(contract, schemas, inline, workdir)
    out, meta = workdir / "models.py", workdir / "models.meta.json"
    stderr = io.StringIO()
    where = Location(contract.root.display)
    with (
        contextlib.redirect_stderr(stderr),
        contextlib.redirect_stdout(io.StringIO()),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")  # its deprecation notes are about options we set explicitly
        try:
            _generate(source, out, header, meta)
        except Exception as exc:  # the generator's own failure, reported with its words
            raise ContractError(
                f"datamodel-code-generator cannot map this contract: {type(exc).__name__}: "
                f"{_last_line(str(exc))}",
                where,
            ) from None
    if not out.exists():
        raise ContractError(
            f"datamodel-code-generator cannot map this contract: {_last_line(stderr.getvalue())}",
            where,
        )
    original = {new: old for old, new in renames.items()}
    classes: dict[str, str] = {}
    for model in json.loads(meta.read_text("utf-8")).get("models", []):
        path = model.get("source_path") or []
        if len(path) == 3 and path[:2] == ["components", "schemas"] and not model.get("module"):
            classes[original.get(path[2], path[2])] = model["class_name"]
    by_pointer = {
        pointer: classes[name] for pointer, (name, _) in inline.items() if name in classes
    }
    for name, _ in inline.values():
        classes.pop(name, None)
    return Models(_unshadow(out.read_text("utf-8")), classes, by_pointer)


_ENUM_CLASS = re.compile(r"^class (\w+)\(StrEnum\):\n((?:(?:    .*)?\n)+)", re.MULTILINE)
_STR_NAMES = frozenset(n for n in dir(str) if not n.startswith("_"))


def _unshadow(text: str) -> str:
    """Rename ``StrEnum`` members that shadow a ``str`` method (``count``, ``title``): ``count_``.

    The member would replace the method, which mypy rightly refuses.
    """
    renames: list[tuple[str, str]] = []

    def fix(found: re.Match[str]) -> str:
        cls, body = found.group(1), found.group(2)

        def member(m: re.Match[str]) -> str:
            if m.group(1) not in _STR_NAMES:
                return m.group(0)
            renames.append((cls, m.group(1)))
            return f"    {m.group(1)}_ ="

        return f"class {cls}(StrEnum):\n" + re.sub(r"^    (\w+) =", member, body, flags=re.M)

    text = _ENUM_CLASS.sub(fix, text)
    for cls, name in renames:
        text = re.sub(rf"\b{cls}\.{name}\b", f"{cls}.{name}_", text)
    return text


def _generate(source: Path, out: Path, header: str, meta: Path) -> None:
    """Write ``out`` (the models) and ``meta`` (which class each schema became)."""
    # imported here: it costs about half a second, and only generation needs it
    from datamodel_code_generator import generate  # noqa: PLC0415

    generate(source, output=out, custom_file_header=header, emit_model_metadata=meta, **OPTIONS)


def _last_line(text: str) -> str:
    """The generator's message without the warnings and trace lines around it."""
    lines = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and "Warning" not in line and not line.startswith(("  ", "Traceback"))
    ]
    return (lines[-1] if lines else "no explanation given")[:300]


def _objectlike(schema: Any) -> bool:
    """An inline schema worth a model: an object with properties, or a composition."""
    if not isinstance(schema, dict) or "$ref" in schema:
        return False
    if isinstance(schema.get("properties"), dict) and schema["properties"]:
        return True
    return any(isinstance(schema.get(k), list) for k in ("allOf", "anyOf", "oneOf"))


def inline_schemas(contract: Contract, taken: set[str]) -> dict[str, tuple[str, Any]]:
    """Inline request and 2xx response schemas that become models, by JSON pointer.

    Each gets a component name made from its operation: ``AddNoteRequest``,
    ``AddNoteResponse`` (``AddNoteResponse202`` for a second status), with ``Item``
    for the objects of an inline array.
    """
    found: dict[str, tuple[str, Any]] = {}
    names = set(taken)

    def add(schema: Any, pointer: str, name: str) -> None:
        if pointer in found:
            return
        if isinstance(schema, dict) and schema.get("type") == "array":
            add(schema.get("items"), pointer + "/items", name + "Item")
            return
        if not _objectlike(schema):
            return
        while name in names:
            name += "_"
        names.add(name)
        found[pointer] = (name, schema)

    for op in contract.operations:
        base = class_name(op.operation_id or f"{op.method} {op.path}")
        medias = []
        if op.request_body is not None:
            medias += [(m, base + "Request") for m in op.request_body.content.values()]
        statuses = [c for c in op.responses if c.isdigit() and c.startswith("2")]
        for index, code in enumerate(sorted(statuses)):
            suffix = "Response" + (code if index else "")
            medias += [(m, base + suffix) for m in op.responses[code].content.values()]
        for media, name in medias:
            schema = media.schema
            if schema is None or schema.place.file is not contract.root:
                continue
            if media_kind(media.name) in ("json", "multipart", "form"):
                add(schema.value, schema.place.pointer, name)
    return found


def _input(
    contract: Contract,
    schemas: dict[str, Any],
    inline: dict[str, tuple[str, Any]],
    workdir: Path,
) -> tuple[Path, dict[str, str]]:
    """The file to feed the generator, and the schema names it had to change.

    A one-file contract is fed as a JSON copy, adjusted where the generator would
    misread it: dots in schema names (Stripe's ``checkout.session``), which it reads
    as Python modules, become underscores (in the references too); inline body
    schemas are added as components; required-but-undeclared properties are declared;
    discriminators the schemas contradict are dropped.
    """
    odd = [name for name in schemas if not _PLAIN_NAME.match(name)]
    if len(contract.files) > 1:
        return contract.root.path, {}
    taken = set(schemas)
    renames: dict[str, str] = {}
    for name in odd:
        new = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_") or "Schema"
        while new in taken:
            new += "_"
        taken.add(new)
        renames[name] = new
    data = json.loads(json.dumps(contract.data))
    components = data.setdefault("components", {})
    components["schemas"] = {renames.get(k, k): v for k, v in schemas.items()}
    components["schemas"].update({name: schema for name, schema in inline.values()})
    _rewrite_refs(data, renames)
    _declare_required(data)
    _drop_contradicted_discriminators(data)
    _drop_misfit_defaults(data)
    _drop_redefinitions(data)
    path = workdir / ("contract" + (".json"))
    path.write_text(json.dumps(data), "utf-8")
    return path, renames


def _objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every mapping in ``node`` that lists properties, depth first, without recursion."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            if isinstance(current.get("properties"), dict) and isinstance(
                current.get("required"), list
            ):
                yield current
            stack.extend(v for v in current.values() if isinstance(v, dict | list))
        elif isinstance(current, list):
            stack.extend(v for v in current if isinstance(v, dict | list))


def _missing(schema: dict[str, Any]) -> list[str]:
    props = schema["properties"]
    return [n for n in schema["required"] if isinstance(n, str) and n not in props]


def _declare_required(data: Any) -> None:
    """Declare required-but-undeclared properties as ``{}`` (any value).

    The generator would leave them out of the model, so a valid body could not be
    built nor read back whole.
    """
    for schema in _objects(data):
        for name in _missing(schema):
            schema["properties"][name] = {}


def _drop_contradicted_discriminators(data: Any) -> None:
    """Drop a ``discriminator`` without ``mapping`` whose implied values the schemas refuse.

    Without a mapping a discriminator's values are the schema names; when a schema's own
    ``enum``/``const`` for the property allows no such value (OpenAI's ``ComparisonFilter``
    has ``type: eq``), the generator would pin the property to the name, everywhere,
    and every valid body would be refused. JSON Schema validation is unchanged.
    """
    schemas = data.get("components", {}).get("schemas", {})
    stack = [data]
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            stack.extend(v for v in current if isinstance(v, dict | list))
            continue
        if not isinstance(current, dict):
            continue
        found = current.get("discriminator")
        if isinstance(found, dict) and "mapping" not in found:
            prop = found.get("propertyName")
            for option in current.get("oneOf") or current.get("anyOf") or []:
                ref = option.get("$ref") if isinstance(option, dict) else None
                if not isinstance(ref, str) or not ref.startswith(_SCHEMAS):
                    continue
                name = ref[len(_SCHEMAS) :]
                target = schemas.get(name)
                props = target.get("properties") if isinstance(target, dict) else None
                spec = props.get(prop) if isinstance(props, dict) else None
                allowed = _allowed(spec)
                if allowed is not None and name not in allowed:
                    del current["discriminator"]
                    break
        stack.extend(v for v in current.values() if isinstance(v, dict | list))


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def _misfit(schema: dict[str, Any], schemas: dict[str, Any]) -> bool:
    """Whether the generator would write ``schema``'s default where its type cannot hold it.

    Beside a ``$ref`` (but to an enum that lists it) or on a composition it lands on a
    model; elsewhere a default of another JSON type than the schema's (a list for a
    string) is the contract's slip. pydantic never checks defaults; mypy refuses them.
    """
    ref = schema.get("$ref")
    parts = schema.get("allOf")
    if ref is None and isinstance(parts, list) and len(parts) == 1 and isinstance(parts[0], dict):
        ref = parts[0].get("$ref")  # `allOf: [$ref]` beside a default: OpenAPI 3.0's idiom
    if isinstance(ref, str):
        target = schemas.get(ref[len(_SCHEMAS) :]) if ref.startswith(_SCHEMAS) else None
        enum = target.get("enum") if isinstance(target, dict) else None
        return not (isinstance(enum, list) and schema["default"] in enum)
    if any(k in schema for k in ("oneOf", "anyOf", "allOf")):
        return True
    default, kind = schema["default"], schema.get("type")
    kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
    if default is None:
        return "null" not in kinds and schema.get("nullable") is not True
    allowed = tuple(t for k in kinds for t in _JSON_TYPES.get(k, ()))
    if isinstance(default, bool) and bool not in allowed and allowed:
        return True
    return bool(allowed) and not isinstance(default, allowed)


def _drop_redefinitions(data: Any) -> None:
    """In ``allOf: [$ref parent, {properties}]``, drop the properties the parent declares.

    The generator would redeclare them on the subclass with a type of its own making
    (two classes for one shape), which mypy refuses as an incompatible override; the
    model keeps the parent's field. Validation still applies both schemas. A property
    the subclass pins to one value (``const``) of the parent's plain type is kept: it
    becomes a ``Literal``, a compatible override, so ``OrderConfirmed`` refuses
    ``type: order.cancelled`` as its schema does.
    """
    schemas = data.get("components", {}).get("schemas", {})
    for schema in _walk(data):
        parts = schema.get("allOf")
        if not isinstance(parts, list):
            continue
        inherited: dict[str, Any] = {}
        for part in parts:
            if isinstance(part, dict) and "$ref" in part:
                inherited.update(_declared(part, schemas, 0))
        for part in parts:
            props = part.get("properties") if isinstance(part, dict) else None
            if isinstance(props, dict) and "$ref" not in part:
                for name in set(inherited) & set(props):
                    if not _pins_a_value(props[name], inherited[name], schemas):
                        del props[name]


#: JSON Schema's scalar types, by the Python type of a ``const`` value
_SCALAR_TYPES = {str: "string", int: "integer", bool: "boolean"}


def _pins_a_value(child: Any, parent: Any, schemas: dict[str, Any]) -> bool:
    """True when ``child`` narrows ``parent`` (a plain scalar) to one value: ``const``."""
    if not isinstance(child, dict) or "const" not in child:
        return False
    if set(child) - {"const", "type", "description", "title", "examples", "example"}:
        return False
    ref = parent.get("$ref") if isinstance(parent, dict) else None
    if isinstance(ref, str) and ref.startswith(_SCHEMAS):
        parent = schemas.get(ref[len(_SCHEMAS) :])
    if not isinstance(parent, dict) or set(parent) & {"enum", "const", "$ref", "nullable"}:
        return False
    if any(k in parent for k in ("allOf", "anyOf", "oneOf", "properties", "items")):
        return False
    kind = _SCALAR_TYPES.get(type(child["const"]))
    return kind is not None and parent.get("type") == kind and child.get("type", kind) == kind


def _declared(schema: Any, schemas: dict[str, Any], depth: int) -> dict[str, Any]:
    """The properties a schema declares (name -> schema), through ``$ref`` and ``allOf``."""
    if not isinstance(schema, dict) or depth > 16:
        return {}
    ref = schema.get("$ref")
    if isinstance(ref, str):
        target = schemas.get(ref[len(_SCHEMAS) :]) if ref.startswith(_SCHEMAS) else None
        return _declared(target, schemas, depth + 1)
    found: dict[str, Any] = {}
    for part in schema.get("allOf") or ():
        found.update(_declared(part, schemas, depth + 1))
    props = schema.get("properties")
    found.update(props if isinstance(props, dict) else {})
    return found


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    """Every mapping in ``data``, depth first, without recursion."""
    stack = [data]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            yield current
            stack.extend(v for v in current.values() if isinstance(v, dict | list))
        elif isinstance(current, list):
            stack.extend(v for v in current if isinstance(v, dict | list))


def _drop_misfit_defaults(data: Any) -> None:
    """Drop the defaults :func:`_misfit` finds (the schemas still validate the same).

    ``nullable: false`` (the default anyway) goes too: with it, the generator gives an
    optional field a None default its type does not allow.
    """
    schemas = data.get("components", {}).get("schemas", {})
    for schema in schemas.values():  # a component that becomes a RootModel: its default
        if isinstance(schema, dict) and "enum" not in schema and "properties" not in schema:
            schema.pop("default", None)  # would be written raw into every field using it
    stack = [data]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            if "default" in current and _misfit(current, schemas):
                del current["default"]
            if current.get("nullable") is False:
                del current["nullable"]
            stack.extend(v for v in current.values() if isinstance(v, dict | list))
        elif isinstance(current, list):
            stack.extend(v for v in current if isinstance(v, dict | list))


def _allowed(spec: Any) -> list[Any] | None:
    if not isinstance(spec, dict):
        return None
    if "const" in spec:
        return [spec["const"]]
    enum = spec.get("enum")
    return enum if isinstance(enum, list) else None


def _rewrite_refs(node: Any, renames: dict[str, str]) -> None:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str) and ref.startswith(_SCHEMAS):
                head, sep, tail = ref[len(_SCHEMAS) :].partition("/")
                name = unquote(head).replace("~1", "/").replace("~0", "~")
                if name in renames:
                    current["$ref"] = _SCHEMAS + renames[name] + sep + tail
            stack.extend(v for v in current.values() if isinstance(v, dict | list))
        elif isinstance(current, list):
            stack.extend(v for v in current if isinstance(v, dict | list))
