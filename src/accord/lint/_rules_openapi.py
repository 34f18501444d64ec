"""Lint rules over one OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator

from accord._errors import SchemaCompileError
from accord._findings import Severity
from accord.core import (
    Contract,
    Direction,
    Example,
    PathTemplate,
    Place,
    SchemaRef,
    encode_pointer,
)
from accord.lint._oas_valid import oas_errors
from accord.lint._registry import Report, rule

PROBLEM_JSON = "application/problem+json"


@rule("oas-valid", Severity.ERROR)
def oas_valid(contract: Contract) -> Report:
    """The document is valid OpenAPI 3.0/3.1 (the official JSON Schemas, via jsonschema-rs)."""
    return oas_errors(contract)


@rule("operation-id-unique", Severity.ERROR)
def operation_id_unique(contract: Contract) -> Report:
    """Every operationId is unique within the document."""
    seen: dict[str, Place] = {}
    for op in contract.operations:
        if op.operation_id is None:
            continue
        where = op.place.child("operationId")
        first = seen.get(op.operation_id)
        if first is not None:
            yield (
                where.locate(),
                (f"operationId {op.operation_id!r} is already used at {first.locate()}"),
            )
        else:
            seen[op.operation_id] = where


@rule("operation-id-missing", Severity.WARNING)
def operation_id_missing(contract: Contract) -> Report:
    """Every operation has an operationId (clients, mocks and logs name operations by it)."""
    for op in contract.operations:
        if op.operation_id is None:
            yield op.place.locate(), f"{op.key} has no operationId"


@rule("path-params-declared", Severity.ERROR)
def path_params_declared(contract: Contract) -> Report:
    """Every {parameter} of a path template is declared, and every declared one is used."""
    for op in contract.operations:
        template = PathTemplate.parse(op.path)
        declared = {p.name: p for p in op.parameters if p.location == "path"}
        for name in template.params:
            if name not in declared:
                yield (
                    op.place.locate(),
                    (
                        f"{op.key}: path parameter {{{name}}} is not declared "
                        f"(add it to `parameters` with `in: path`, `required: true`)"
                    ),
                )
        for name, param in declared.items():
            if name not in template.params:
                yield (
                    param.place.locate(),
                    (
                        f"{op.key}: path parameter {name!r} is declared but {op.path} has no "
                        f"{{{name}}}"
                    ),
                )
            elif not param.required:
                yield param.place.locate(), f"{op.key}: path parameter {name!r} must be required"


@rule("path-ambiguous", Severity.ERROR)
def path_ambiguous(contract: Contract) -> Report:
    """No two path templates differ only in parameter names (/a/{x} and /a/{y})."""
    seen: dict[str, str] = {}
    paths = contract.data.get("paths")
    for template in paths if isinstance(paths, dict) else ():
        shape = PathTemplate.parse(template).shape
        if shape in seen:
            yield (
                contract.root.source_map.locate_key(encode_pointer(["paths", template])),
                (f"{template} is the same path as {seen[shape]} (only parameter names differ)"),
            )
        else:
            seen[shape] = template


@rule("error-responses-problem-json", Severity.WARNING)
def error_responses_problem_json(contract: Contract) -> Report:
    """Operations document their 4xx errors, as application/problem+json (RFC 9457)."""
    for op in contract.operations:
        codes = [s for s in op.responses if s[:1] in ("4", "5")]
        if not any(s.startswith("4") for s in codes):
            yield op.place.child("responses").locate(), f"{op.key} documents no 4xx response"
        for status in codes:
            response = op.responses[status]
            if PROBLEM_JSON not in response.content:
                yield (
                    response.place.locate(),
                    (
                        f"{op.key} response {status} is not {PROBLEM_JSON} "
                        f"(has: {', '.join(response.content) or 'no content'})"
                    ),
                )


@rule("example-valid", Severity.ERROR)
def example_valid(contract: Contract) -> Report:
    """Every example (bodies, parameters, component schemas) is valid against its schema."""
    for schema, example, direction in _examples(contract):
        if example.external is not None:
            continue
        try:
            validator = contract.validator(schema, direction)
        except SchemaCompileError as exc:
            yield exc.location or schema.place.locate(), exc.message
            continue
        label = f"example {example.name!r}" if example.name else "example"
        for violation in validator.violations(example.value, limit=5):
            where = example.place.file.locate(example.place.pointer + violation.pointer)
            yield where, f"{label} does not match its schema: {violation}"


def _examples(contract: Contract) -> Iterator[tuple[SchemaRef, Example, Direction]]:
    seen: set[str] = set()

    def fresh(example: Example) -> bool:
        key = example.place.uri
        if key in seen:
            return False
        seen.add(key)
        return True

    for op in contract.operations:
        for param in op.parameters:
            if param.schema is not None:
                for ex in param.examples:
                    if fresh(ex):
                        yield param.schema, ex, Direction.REQUEST
        if op.request_body is not None:
            for media in op.request_body.content.values():
                if media.schema is not None:
                    for ex in media.examples:
                        if fresh(ex):
                            yield media.schema, ex, Direction.REQUEST
        for response in op.responses.values():
            for media in response.content.values():
                if media.schema is not None:
                    for ex in media.examples:
                        if fresh(ex):
                            yield media.schema, ex, Direction.RESPONSE
    components = contract.data.get("components")
    schemas = components.get("schemas") if isinstance(components, dict) else None
    for name, value in (schemas or {}).items() if isinstance(schemas, dict) else ():
        if isinstance(value, dict) and "example" in value:
            place = Place(contract.root, encode_pointer(["components", "schemas", name]))
            yield (
                SchemaRef(place, value),
                Example("", value["example"], place.child("example")),
                Direction.RESPONSE,
            )


@rule("security-scheme-defined", Severity.ERROR)
def security_scheme_defined(contract: Contract) -> Report:
    """Security requirements name declared schemes, and OAuth2 scopes the scheme defines."""
    schemes = contract.security_schemes
    for op in contract.operations:
        for requirement in op.security:
            for name, scopes in requirement.items():
                scheme = schemes.get(name)
                if scheme is None:
                    yield (
                        op.place.locate(),
                        (
                            f"{op.key} requires security scheme {name!r}, which "
                            "components.securitySchemes does not declare"
                        ),
                    )
                    continue
                if scheme.get("type") == "oauth2" and isinstance(scheme.get("flows"), dict):
                    known = {
                        s
                        for flow in scheme["flows"].values()
                        if isinstance(flow, dict)
                        for s in (flow.get("scopes") or {})
                    }
                    for scope in scopes:
                        if scope not in known:
                            yield (
                                op.place.locate(),
                                (
                                    f"{op.key} requires scope {scope!r}, which scheme {name!r} "
                                    "does not define"
                                ),
                            )


@rule("duplicate-key", Severity.WARNING)
def duplicate_key(contract: Contract) -> Report:
    """No mapping repeats a key (YAML keeps only the last one)."""
    for file in contract.files:
        for pointer, message in file.duplicate_keys:
            yield file.source_map.locate_key(pointer), message
