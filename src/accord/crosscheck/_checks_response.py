"""Checks on the response side: status, content type, headers, body."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from accord._media import MediaRange, parse_content_type
from accord.core import Direction, MediaType, SchemaValidator, Violation
from accord.crosscheck._checks_request import (
    choose_media,
    content_type_problem,
    has_body,
    json_choices,
    matcher_classes,
)
from accord.crosscheck._exchange import Exchange, check
from accord.crosscheck._headers import STANDARD_RESPONSE_HEADERS
from accord.crosscheck._matchers import VALUE_KEYWORDS, representative
from accord.crosscheck._model import Mismatch
from accord.crosscheck._shapes import BodyWalker
from accord.crosscheck._values import accepted_ranges, is_json_media
from accord.crosscheck._values import parameter_violations as value_violations

__all__: list[str] = []


@check("response-status", "response.status.unknown", "response.status.default")
def response_status(ex: Exchange) -> Iterator[Mismatch]:
    """The response status is documented (an exact code, a range like 4XX, or default)."""
    status = ex.response.status
    if ex.documented is None:
        documented = ", ".join(ex.operation.responses) or "none"
        yield ex.mismatch(
            "response.status.unknown",
            f"Response status {status} is not documented for {ex.operation.key} "
            f"(documented: {documented})",
            ("response", "status"),
            ex.operation.place.child("responses"),
        )
    elif ex.exact is None:
        yield ex.mismatch(
            "response.status.default",
            f"Response status {status} is only covered by the default response",
            ("response", "status"),
            ex.documented.place,
        )


@check(
    "response-content-type",
    "response.content-type.unknown",
    "response.content-type.incompatible",
    "response.content-type.malformed",
    "response.content-type.ambiguous",
)
def response_content_type(ex: Exchange) -> Iterator[Mismatch]:
    """The response's Content-Type is one the documented response produces."""
    ctype = ex.response.headers.get("content-type")
    where: tuple[str, ...] = ("response", "headers", ex.header_name("response", "content-type"))
    if not ctype and ex.response.body.content_type is not None:
        ctype, where = (ex.response.body.content_type,), ("response", "body", "contentType")
    if ex.exact is None:
        return
    if not ctype:
        choices = _unnamed_choices(ex)
        if len(choices) > 1:
            names = ", ".join(m.name for m in choices)
            yield ex.mismatch(
                "response.content-type.ambiguous",
                "The pact's response names no Content-Type, and the contract documents "
                f"several JSON media types with different schemas for status "
                f"{ex.response.status} ({names}): which one the consumer gets is not said "
                "(the body is checked against the one it fits best)",
                ("response",),
                ex.exact.place.child("content"),
            )
        return
    produces = list(ex.exact.content)
    if not produces:
        yield ex.mismatch(
            "response.content-type.unknown",
            "Response Content-Type header is defined but the contract does not specify any "
            f"media types for status {ex.response.status}",
            where,
            ex.exact.place,
        )
        return
    problem = content_type_problem(ctype[0], ex.exact.content)
    if problem == "malformed":
        yield ex.mismatch(
            "response.content-type.malformed",
            f"Response Content-Type {ctype[0]!r} is not a media type (type/subtype with "
            "name=value parameters)",
            where,
            ex.exact.place.child("content"),
        )
    elif problem is not None:
        yield ex.mismatch(
            "response.content-type.incompatible",
            f"Response Content-Type {ctype[0]!r} is not one the contract produces "
            f"({', '.join(produces)})",
            where,
            ex.exact.place.child("content"),
        )


@check(
    "response-headers",
    "response.header.incompatible",
    "response.header.unknown",
    "response.header.undefined",
)
def response_headers(ex: Exchange) -> Iterator[Mismatch]:
    """Each response header is documented, and its value fits the header's schema."""
    if ex.documented is None:
        return
    for name, values in ex.response.headers.items():
        if name == "content-type":
            continue
        where = ("response", "headers", ex.header_name("response", name))
        header = ex.documented.headers.get(name)
        if header is None:
            standard = name in STANDARD_RESPONSE_HEADERS
            yield ex.mismatch(
                "response.header.undefined" if standard else "response.header.unknown",
                "Response header is not defined in the contract: "
                + ex.header_name("response", name),
                where,
                ex.documented.place,
            )
            continue
        value = ",".join(values)
        for violation in value_violations(ex.contract, header.schema, value, Direction.RESPONSE):
            yield ex.mismatch(
                "response.header.incompatible",
                "Value is incompatible with the header defined in the contract: "
                + violation.message,
                where,
                header.place,
            )


@check(
    "response-body", "response.body.incompatible", "response.body.unknown", "response.body.narrower"
)
def response_body(ex: Exchange) -> Iterator[Mismatch]:
    """The response body fits the documented schema (with the strictness options applied)."""
    documented, body = ex.documented, ex.response.body
    if documented is None or not has_body(body):
        return
    produces = list(documented.content)
    if produces and not any(is_json_media(p) for p in produces):
        return
    wanted: str | MediaRange | None = ex.response.headers.get("content-type", (body.content_type,))[
        0
    ]
    if wanted is not None and parse_content_type(wanted) is None:
        return  # malformed: response-content-type says so
    choices = _unnamed_choices(ex) if wanted is None else []
    if wanted is None:
        accept = ex.request.headers.get("accept")
        ranges = accepted_ranges(", ".join(accept)) if accept else []
        wanted = ranges[0] if ranges else None
    if len(choices) > 1:  # see response-content-type: the one the body fits best
        media: MediaType | None = min(
            choices,
            key=lambda m: (
                len(ex.validator(m.schema, Direction.RESPONSE).violations(body.content))
                if m.schema is not None
                else 0
            ),
        )
    else:
        media = choose_media(documented.content, wanted)
    if media is None or media.schema is None:
        yield ex.mismatch(
            "response.body.unknown",
            f"The pact's response has a body but the contract documents no schema for status "
            f"{ex.response.status}",
            ("response", "body"),
            documented.place,
        )
        return
    if isinstance(body.content, bytes):
        return
    prefix = "Response body is incompatible with the response body schema"
    rules = ex.response.matching_rules
    walker = BodyWalker(
        ex.contract,
        lambda s: ex.validator(s, Direction.RESPONSE),
        close_objects=not ex.options.additional_properties_in_response,
        closed=ex.closed_validator,
    )
    walked = [
        (path_parts, message)
        for path_parts, keyword, message in walker.walk(media.schema, body.content)
        if not (keyword == "format" and representative(rules, path_parts))
    ]
    validator = ex.validator(media.schema, Direction.RESPONSE)
    violations = validator.violations(body.content)
    schema = media.schema
    real = _real_ambiguities(lambda: ex.closed_validator(schema), body.content, violations)
    reported: list[list[str]] = [[str(p) for p in w] for w, _ in walked]
    for violation in violations:
        path = [p.replace("~1", "/").replace("~0", "~") for p in violation.pointer.split("/")[1:]]
        if violation.keyword.lower() in VALUE_KEYWORDS and representative(rules, path):
            continue  # the consumer takes any value like the example; see _matchers
        said = violation.message
        if _ambiguous(violation):
            # several open branches fit: what do they say once closed? Nothing: fine.
            # No branch fits: an undeclared property, which the walk names if it can.
            found = real.get(violation.pointer)
            if found is None or any(w[: len(path)] == path for w, _ in walked):
                continue
            said = found.message
        reported.append(path)
        yield ex.body_mismatch(
            "response.body.incompatible",
            f"{prefix}: {said}",
            "response",
            path,
            media.schema.place,
        )
    for path_parts, message in walked:
        yield ex.body_mismatch(
            "response.body.incompatible",
            f"{prefix}: {message}",
            "response",
            path_parts,
            media.schema.place,
        )
    yield from matcher_classes(ex, "response", media.schema, reported)


def _unnamed_choices(ex: Exchange) -> list[MediaType]:
    """Where a pact response with a body names no type (no Content-Type, no V4
    ``contentType``, no Accept): the JSON entries of distinct schemas it may be."""
    response = ex.response
    named = response.headers.get("content-type") or response.body.content_type
    if named or ex.exact is None or not has_body(response.body) or "accept" in ex.request.headers:
        return []
    return json_choices(ex.exact.content)


def _ambiguous(violation: Violation) -> bool:
    return violation.keyword == "oneOf" and "more than one" in violation.message


def _real_ambiguities(
    closed: Callable[[], SchemaValidator | None], body: object, violations: list[Violation]
) -> dict[str, Violation]:
    """Where a oneOf still fails once its branches are closed: pointer -> why.

    Without closed branches (additional properties allowed, or ``required`` enforced)
    the open answer stands. The closed registry is only built when a oneOf is ambiguous.
    """
    if not any(_ambiguous(v) for v in violations):
        return {}
    validator = closed()
    if validator is None:
        return {v.pointer: v for v in violations}
    return {v.pointer: v for v in validator.violations(body) if v.keyword == "oneOf"}
