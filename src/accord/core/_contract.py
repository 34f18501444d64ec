"""The :class:`Contract`: one OpenAPI 3.0/3.1 document, loaded once, used by every feature."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from accord._errors import ContractError, SchemaCompileError, UnsupportedVersion
from accord.core._gc import long_lived
from accord.core._model import (
    HTTP_METHODS,
    Example,
    Header,
    MediaType,
    Operation,
    Parameter,
    Place,
    RequestBody,
    Response,
    SchemaRef,
)
from accord.core._paths import Router
from accord.core._refs import DocumentSet
from accord.core._schema import (
    Direction,
    SchemaValidator,
    build_registry,
    compile_validator,
    convert_document,
    references,
)
from accord.core._source import DEFAULT_MAX_BYTES, SourceFile, load_source, parse_source

__all__ = ["Contract", "LoadOptions", "Match"]

_VERSION = re.compile(r"^3\.(0|1)\.\d+$")


@dataclass(slots=True, frozen=True)
class LoadOptions:
    """Knobs for loading a contract; the defaults suit every real document we know."""

    max_bytes: int = DEFAULT_MAX_BYTES
    #: folders besides the document's own that its ``$ref`` s may reach (real paths)
    ref_roots: tuple[Path, ...] = ()


@dataclass(slots=True, frozen=True)
class Match:
    """The result of routing a concrete request path to an operation."""

    operation: Operation
    path_params: Mapping[str, str]


class DocumentBacked:
    """What every kind of contract (OpenAPI, AsyncAPI) shares: it is built from a
    :class:`DocumentSet` (by :meth:`from_path` or :meth:`from_dict`) and keeps its data."""

    documents: DocumentSet
    data: dict[str, Any]

    def __init__(self, documents: DocumentSet) -> None:  # pragma: no cover - subclasses
        raise NotImplementedError

    @classmethod
    def from_path(cls, path: str | Path, options: LoadOptions | None = None) -> Self:
        """Load the document from a YAML or JSON file (and the local files it refers to)."""
        options = options or LoadOptions()
        root = load_source(path, max_bytes=options.max_bytes)
        return cls(DocumentSet(root, max_bytes=options.max_bytes, ref_roots=options.ref_roots))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, name: str = "<memory>.yaml") -> Self:
        """Build it from data already in memory (``$ref`` s to files resolve from cwd)."""
        root = parse_source(json.dumps(data).encode(), name, path=Path(name))
        return cls(DocumentSet(root))

    @property
    def title(self) -> str:
        info = self.data.get("info")
        return str(info.get("title", "")) if isinstance(info, dict) else ""

    @property
    def files(self) -> list[SourceFile]:
        return list(self.documents)

    @staticmethod
    def _compile(schema: SchemaRef, registry: Any, converted: Any = None) -> SchemaValidator:
        """``schema`` compiled against ``registry`` (or on its own, ``converted``, when
        ``registry`` is ``None``); a schema that cannot be compiled is a
        :class:`SchemaCompileError` located where it is written."""
        try:
            return compile_validator(schema.place.uri, registry, schema=converted)
        except ValueError as exc:
            raise SchemaCompileError(
                f"schema cannot be compiled: {exc}", schema.place.locate()
            ) from None


class Contract(DocumentBacked):
    """An OpenAPI document with its ``$ref`` s resolved, operations indexed and validators.

    Build one with :meth:`from_path` or :meth:`from_dict`; validators are compiled
    on first use and cached for the life of the object.
    """

    def __init__(self, documents: DocumentSet) -> None:
        self.documents = documents
        self.root: SourceFile = documents.root
        data = self.root.data
        self.version: str = _check_version(self.root)
        self.openapi30 = self.version.startswith("3.0")
        self.data: dict[str, Any] = data
        with long_lived():  # the index is as long-lived as the data
            self.ref_count = documents.check()
            self.operations: tuple[Operation, ...] = tuple(self._index())
        self._by_key = {(op.method, op.path): op for op in self.operations}
        self._by_id = {op.operation_id: op for op in self.operations if op.operation_id}
        self._router = Router(sorted({op.path for op in self.operations}))
        self._registries: dict[tuple[Direction, bool], Any] = {}
        self._validators: dict[tuple[str, str, Direction], SchemaValidator] = {}
        #: (file, direction, schema text) -> validator: schemas written alike share one
        self._shared: dict[tuple[str, Direction, str], SchemaValidator] = {}

    # lookup -----------------------------------------------------------------------------
    def operation(self, method: str, path: str) -> Operation | None:
        """The operation for ``method`` on the exact path template ``path``."""
        return self._by_key.get((method.lower(), path))

    def operation_by_id(self, operation_id: str) -> Operation | None:
        return self._by_id.get(operation_id)

    def match(self, method: str, path: str) -> Match | None:
        """Route a concrete request (``GET /orders/ord_1``) to its operation."""
        for template, params in self._router.matches(path):
            op = self._by_key.get((method.lower(), template))
            if op is not None:
                return Match(op, params)
        return None

    def allowed_methods(self, path: str) -> list[str]:
        """Methods documented for the template ``path`` matches (for 405 ``Allow``)."""
        templates = [template for template, _ in self._router.matches(path)]
        return [m.upper() for m in HTTP_METHODS if any((m, t) in self._by_key for t in templates)]

    @property
    def security_schemes(self) -> dict[str, Any]:
        comps = self.data.get("components")
        schemes = comps.get("securitySchemes") if isinstance(comps, dict) else None
        if not isinstance(schemes, dict):
            return {}
        out = {}
        for name, value in schemes.items():
            target = self.documents.deref(value, self.root, f"/components/securitySchemes/{name}")
            out[name] = target.value
        return out

    # validators -------------------------------------------------------------------------
    def validator(
        self, schema: SchemaRef, direction: Direction = Direction.RESPONSE
    ) -> SchemaValidator:
        """The compiled validator for ``schema`` (compiled once, then cached)."""
        key = (schema.place.file.uri, schema.place.pointer, direction)  # no URI quoting per call
        found = self._validators.get(key)
        if found is None:
            kind = references(schema.value)
            same = _same_schema(schema, direction) if kind != "scoped" else None
            found = self._shared.get(same) if same is not None else None
            if found is not None:  # the same text in the same file: the same validator
                self._validators[key] = found
                return found
            if kind != "scoped":  # a converted copy: on its own, or with what its refs reach
                converted = convert_document(
                    schema.value, openapi30=self.openapi30, direction=direction
                )
                registry = self._registry(direction) if kind == "ref" else None
                # compiled as its own document, a schema is also checked against the
                # meta-schema (`title: null` fails); where it stands it compiles as before
                with contextlib.suppress(SchemaCompileError):
                    found = self._compile(schema, registry, converted)
            if found is None:  # compiled where it stands, among whole files
                found = self._compile(schema, self._registry(direction, whole=True))
            self._validators[key] = found
            if same is not None:
                self._shared[same] = found
        return found

    def compile_all(self) -> int:
        """Compile every body, parameter and header validator now; returns how many."""
        count = 0
        for schema, direction in self.schemas():
            self.validator(schema, direction)
            count += 1
        return count

    def schemas(self) -> Iterator[tuple[SchemaRef, Direction]]:
        """Every schema used by a request or response, with its direction."""
        for op in self.operations:
            for param in op.parameters:
                if param.schema is not None:
                    yield param.schema, Direction.REQUEST
            if op.request_body is not None:
                for media in op.request_body.content.values():
                    if media.schema is not None:
                        yield media.schema, Direction.REQUEST
            for response in op.responses.values():
                for media in response.content.values():
                    if media.schema is not None:
                        yield media.schema, Direction.RESPONSE
                for header in response.headers.values():
                    if header.schema is not None:
                        yield header.schema, Direction.RESPONSE

    def _registry(self, direction: Direction, *, whole: bool = False) -> Any:
        """Every file converted for ``direction``: only the parts ``$ref`` s reach (what a
        converted copy of a schema needs), or ``whole`` files (to compile a schema in place)."""
        registry = self._registries.get((direction, whole))
        if registry is None:
            part = (lambda f: f.data) if whole else self.documents.referenced_part
            resources = [
                (
                    f.uri,
                    convert_document(part(f), openapi30=self.openapi30, direction=direction),
                )
                for f in self.documents
            ]
            registry = build_registry(resources)
            self._registries[(direction, whole)] = registry
        return registry

    # indexing ---------------------------------------------------------------------------
    def _deref(self, value: Any, place: Place) -> tuple[Any, Place]:
        target = self.documents.deref(value, place.file, place.pointer)
        return target.value, Place(target.file, target.pointer)

    def _index(self) -> Iterator[Operation]:
        paths = self.data.get("paths") or {}
        if not isinstance(paths, dict):
            raise ContractError("`paths` must be a mapping", self.root.locate("/paths"))
        global_security = self.data.get("security")
        for template, raw_item in paths.items():
            if not isinstance(raw_item, dict):
                continue
            item, item_place = self._deref(raw_item, Place(self.root, "/paths").child(template))
            if not isinstance(item, dict):
                continue
            shared = self._parameters(item.get("parameters"), item_place.child("parameters"))
            for method in HTTP_METHODS:
                raw_op = item.get(method)
                if not isinstance(raw_op, dict):
                    continue
                place = item_place.child(method)
                own = self._parameters(raw_op.get("parameters"), place.child("parameters"))
                merged = {p.key: p for p in shared} | {p.key: p for p in own}
                security = raw_op.get("security", global_security) or []
                yield Operation(
                    method=method,
                    path=template,
                    operation_id=_str_or_none(raw_op.get("operationId")),
                    summary=str(raw_op.get("summary") or ""),
                    tags=tuple(str(t) for t in raw_op.get("tags") or () if isinstance(t, str)),
                    parameters=tuple(merged.values()),
                    request_body=self._request_body(raw_op.get("requestBody"), place),
                    responses=self._responses(raw_op.get("responses"), place.child("responses")),
                    security=tuple(
                        {k: tuple(v or ()) for k, v in req.items()}
                        for req in security
                        if isinstance(req, dict)
                    ),
                    deprecated=bool(raw_op.get("deprecated", False)),
                    place=place,
                    extensions={k: v for k, v in raw_op.items() if k.startswith("x-")},
                )

    def _parameters(self, raw: Any, place: Place) -> list[Parameter]:
        out: list[Parameter] = []
        if not isinstance(raw, list):
            return out
        for i, entry in enumerate(raw):
            value, where = self._deref(entry, place.child(i))
            if not isinstance(value, dict) or "name" not in value or "in" not in value:
                continue
            location = str(value["in"])
            default_style = "form" if location in ("query", "cookie") else "simple"
            style = str(value.get("style", default_style))
            out.append(
                Parameter(
                    name=str(value["name"]),
                    location=location,
                    required=bool(value.get("required", location == "path")),
                    schema=self._schema(value, where),
                    place=where,
                    style=style,
                    explode=bool(value.get("explode", style == "form")),
                    examples=self._examples(value, where),
                    content=tuple(self._content(value.get("content"), where.child("content"))),
                    deprecated=bool(value.get("deprecated", False)),
                )
            )
        return out

    def _schema(self, holder: dict[str, Any], place: Place) -> SchemaRef | None:
        schema = holder.get("schema")
        if isinstance(schema, dict | bool):
            return SchemaRef(place.child("schema"), schema)
        return None

    def _examples(self, holder: dict[str, Any], place: Place) -> tuple[Example, ...]:
        out: list[Example] = []
        if "example" in holder:
            out.append(Example("", holder["example"], place.child("example")))
        examples = holder.get("examples")
        if isinstance(examples, dict):
            for name, raw in examples.items():
                value, where = self._deref(raw, place.child("examples", name))
                if not isinstance(value, dict):
                    continue
                if "value" in value:
                    out.append(Example(str(name), value["value"], where.child("value")))
                elif "externalValue" in value:
                    out.append(Example(str(name), None, where, str(value["externalValue"])))
        return tuple(out)

    def _content(self, raw: Any, place: Place) -> Iterator[MediaType]:
        if not isinstance(raw, dict):
            return
        for name, value in raw.items():
            if isinstance(value, dict):
                where = place.child(name)
                yield MediaType(
                    name, self._schema(value, where), self._examples(value, where), where
                )

    def _request_body(self, raw: Any, op_place: Place) -> RequestBody | None:
        if raw is None:
            return None
        value, where = self._deref(raw, op_place.child("requestBody"))
        if not isinstance(value, dict):
            return None
        content = {m.name: m for m in self._content(value.get("content"), where.child("content"))}
        return RequestBody(bool(value.get("required", False)), content, where)

    def _responses(self, raw: Any, place: Place) -> dict[str, Response]:
        out: dict[str, Response] = {}
        if not isinstance(raw, dict):
            return out
        for status, entry in raw.items():
            if str(status).startswith("x-"):
                continue
            value, where = self._deref(entry, place.child(status))
            if not isinstance(value, dict):
                continue
            headers: dict[str, Header] = {}
            raw_headers = value.get("headers")
            if isinstance(raw_headers, dict):
                for name, h in raw_headers.items():
                    hv, hwhere = self._deref(h, where.child("headers", name))
                    if isinstance(hv, dict):
                        headers[name.lower()] = Header(
                            name, bool(hv.get("required", False)), self._schema(hv, hwhere), hwhere
                        )
            content = {
                m.name: m for m in self._content(value.get("content"), where.child("content"))
            }
            links = value.get("links")
            out[str(status)] = Response(
                status=str(status),
                description=str(value.get("description") or ""),
                content=content,
                headers=headers,
                links=links if isinstance(links, dict) else {},
                place=where,
            )
        return out


def _same_schema(schema: SchemaRef, direction: Direction) -> tuple[str, Direction, str] | None:
    """What a schema without scoped keywords is compiled from: its file (its local ``$ref`` s
    resolve there), the direction and its text. Operations of a large contract answer with
    the same ``$ref`` again and again (Stripe: 908 response schemas, 229 texts), and a
    validator reaching much of such a contract takes tens of milliseconds to compile."""
    try:
        text = json.dumps(schema.value, sort_keys=True, allow_nan=True)
    except (TypeError, ValueError):  # not JSON-shaped data: compiled on its own
        return None
    return schema.place.file.uri, direction, text


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _check_version(root: SourceFile) -> str:
    data = root.data
    if not isinstance(data, dict):
        raise UnsupportedVersion(
            "not an OpenAPI document: expected a mapping with an `openapi` field",
            root.locate(""),
        )
    if "swagger" in data:
        raise UnsupportedVersion(
            f"Swagger {data['swagger']} is not supported; Accord reads OpenAPI 3.0 and 3.1 "
            "(convert it first, e.g. with swagger2openapi)",
            root.locate("/swagger"),
        )
    version = data.get("openapi")
    if version is None:
        raise UnsupportedVersion(
            "not an OpenAPI document: no `openapi` field at the top level", root.locate("")
        )
    text = str(version)
    if not _VERSION.match(text):
        raise UnsupportedVersion(
            f"OpenAPI {text} is not supported; Accord reads OpenAPI 3.0.x and 3.1.x",
            root.locate("/openapi"),
        )
    return text
