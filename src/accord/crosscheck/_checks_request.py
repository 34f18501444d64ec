"""Checks on the request side: content types, credentials, body, headers, query."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from accord._media import MediaRange, parse_content_type, select_media
from accord.core import Body, Direction, MediaType, Parameter, Place, SchemaRef, Target
from accord.crosscheck._exchange import Exchange, check, node_at
from accord.crosscheck._headers import STANDARD_REQUEST_HEADERS
from accord.crosscheck._matchers import body_rules, class_problems
from accord.crosscheck._model import Mismatch
from accord.crosscheck._negative import CONDITIONAL_HEADERS
from accord.crosscheck._shapes import BodyWalker
from accord.crosscheck._values import (
    accepted_ranges,
    any_match,
    coerce,
    is_json_media,
    is_supported,
    media_matches,
    parameter_violations,
    value_types,
)

__all__ = ["choose_media", "has_body", "json_choices", "matcher_classes"]

#: schemes whose credential travels in the Authorization header (RFC 7235, RFC 6750 §2.1);
#: cookies and mutual TLS are not checked
_BEARER = ("http", "oauth2", "openIdConnect")
_INCOMPATIBLE = "Value is incompatible with the parameter defined in the contract"


def has_body(body: Body) -> bool:
    """A body that is there and not empty (``null``, ``""`` and ``0`` do not count)."""
    content = body.content
    return body.present and content is not None and content != "" and content is not False


def choose_media(
    content: Mapping[str, MediaType], wanted: str | MediaRange | None, *, fallback: bool = True
) -> MediaType | None:
    """The content entry a body of media type ``wanted`` is read as.

    A type is read by :func:`accord._media.select_media`, the servers' rule: the most
    specific compatible key, none for a malformed type, and without a type (None) the only
    documented one. A range (an ``Accept``'s) takes the first key it covers. With
    ``fallback`` (pact responses, which often record no Content-Type), what fits nothing
    is read as the first JSON entry, else the first one (a response of several JSON
    types and no named one is read as the one it fits: see ``response_body``).
    """
    if not content:
        return None
    if isinstance(wanted, MediaRange):
        found = next((m for n, m in content.items() if media_matches(wanted, n)), None)
    else:
        found = select_media(content, wanted)
    if found is not None or not fallback:
        return found
    names = list(content)
    for name in names:
        if name.lower().startswith("application/json"):
            return content[name]
    for name in names:
        if is_json_media(name) and name != "*/*":
            return content[name]
    return content[names[0]]


def json_choices(content: Mapping[str, MediaType]) -> list[MediaType]:
    """The JSON entries of ``content`` a body of no named type may be read as, one per
    distinct schema (``*/*`` aside): more than one, and which the body is, is not known."""
    seen: dict[str, MediaType] = {}
    for name, media in content.items():
        if is_json_media(name) and name != "*/*" and media.schema is not None:
            key = repr(media.schema.value)
            seen.setdefault(key, media)
    return list(seen.values())


def content_type_problem(ctype: str, documented: Mapping[str, MediaType]) -> str | None:
    """Why a pact's ``Content-Type`` is no body type the ``documented`` content takes:
    ``malformed`` (not ``type/subtype`` with ``name=value`` parameters, RFC 9110 §8.3.1),
    ``incompatible`` (a range, or no key fits), or None when one does."""
    parsed = parse_content_type(ctype)
    if parsed is None:
        return "malformed"
    return "incompatible" if select_media(documented, ctype) is None else None


@check(
    "request-content-type",
    "request.content-type.unknown",
    "request.content-type.missing",
    "request.content-type.incompatible",
    "request.content-type.malformed",
)
def request_content_type(ex: Exchange) -> Iterator[Mismatch]:
    """The request's Content-Type is one the operation consumes."""
    if ex.explains("content-type"):
        return
    spec = ex.operation.request_body
    consumes = list(spec.content) if spec else []
    ctype = ex.request.headers.get("content-type")
    where: tuple[str, ...] = ("request", "headers", ex.header_name("request", "content-type"))
    if not ctype and ex.request.body.content_type is not None:
        ctype, where = (ex.request.body.content_type,), ("request", "body", "contentType")
    if spec is None or not consumes:
        if ctype:
            yield ex.mismatch(
                "request.content-type.unknown",
                "Request Content-Type header is defined but the contract does not specify "
                "any media types to consume",
                where,
                ex.operation.place,
            )
        return
    if not ctype:
        if has_body(ex.request.body):
            yield ex.mismatch(
                "request.content-type.missing",
                "Request Content-Type header is not defined but the contract specifies media "
                f"types to consume: {', '.join(consumes)}",
                (),
                spec.place.child("content"),
            )
        return
    problem = content_type_problem(ctype[0], spec.content)
    if problem == "malformed":
        yield ex.mismatch(
            "request.content-type.malformed",
            f"Request Content-Type {ctype[0]!r} is not a media type (type/subtype with "
            "name=value parameters)",
            where,
            spec.place.child("content"),
        )
    elif problem is not None:
        yield ex.mismatch(
            "request.content-type.incompatible",
            f"Request Content-Type {ctype[0]!r} is not one the contract consumes "
            f"({', '.join(consumes)})",
            where,
            spec.place.child("content"),
        )


@check("request-accept", "request.accept.unknown", "request.accept.incompatible")
def request_accept(ex: Exchange) -> Iterator[Mismatch]:
    """The request's Accept header allows a media type one of the responses produces."""
    accept = ex.request.headers.get("accept")
    if not accept or ex.explains("accept"):
        return
    # any documented response counts: the pact's status is checked on its own
    produces = list(dict.fromkeys(m for r in ex.operation.responses.values() for m in r.content))
    where = ("request", "headers", ex.header_name("request", "accept"))
    if not produces:
        yield ex.mismatch(
            "request.accept.unknown",
            "Request Accept header is defined but the contract does not specify any media "
            "types to produce",
            where,
            ex.operation.place,
        )
    elif not any_match(accepted_ranges(", ".join(accept)), produces):
        yield ex.mismatch(
            "request.accept.incompatible",
            f"Request Accept {', '.join(accept)!r} allows none of the media types the contract "
            f"produces ({', '.join(produces)})",
            where,
            ex.operation.place.child("responses"),
        )


@check("request-security", "request.authorization.missing")
def request_security(ex: Exchange) -> Iterator[Mismatch]:
    """The request carries the credentials one of the security requirements asks for."""
    requirements = ex.operation.security
    if not requirements or ex.explains("credentials"):
        return
    operation = node_at(ex.operation.place)
    own = isinstance(operation, dict) and "security" in operation
    base = ex.operation.place.child("security") if own else Place(ex.contract.root, "/security")
    schemes = ex.contract.security_schemes
    first: list[Mismatch] | None = None
    for i, requirement in enumerate(requirements):
        missing: list[Mismatch] = []
        for name in requirement:
            scheme = schemes.get(name)
            if not isinstance(scheme, dict):
                continue
            kind, where = scheme.get("type"), scheme.get("in")
            if kind in _BEARER or (kind == "apiKey" and where == "header"):
                key = "authorization" if kind in _BEARER else str(scheme.get("name", "")).lower()
                if key not in ex.request.headers:
                    missing.append(_auth_missing(ex, name, "header", key, base.child(i, name)))
            elif kind == "apiKey" and where == "query":
                key = str(scheme.get("name", ""))
                if key not in ex.request.query:
                    where_ = base.child(i, name)
                    missing.append(_auth_missing(ex, name, "query parameter", key, where_))
        if not missing:
            return
        if first is None:
            first = missing
    yield from first or ()


def _auth_missing(ex: Exchange, scheme: str, what: str, key: str, place: Place) -> Mismatch:
    return ex.mismatch(
        "request.authorization.missing",
        f"Request credentials are missing: security scheme {scheme!r} needs the {what} {key!r}",
        (),
        place,
    )


@check("request-body", "request.body.incompatible", "request.body.unknown", "request.body.wider")
def request_body(ex: Exchange) -> Iterator[Mismatch]:
    """The request body fits the schema of the media type it is sent as."""
    if ex.explains("body"):
        return
    spec = ex.operation.request_body
    body = ex.request.body
    # the header, else a V4 body's own contentType
    ctype = ex.request.headers.get("content-type", (body.content_type,))[0]
    if spec is not None and spec.content and ctype is None and not body.present:
        if spec.required:
            yield _body_required(ex, spec.place)
        return
    media = choose_media(spec.content, ctype, fallback=False) if spec else None
    if spec is not None and spec.content and media is None:
        # a Content-Type the operation does not consume or a malformed one (request-content-type
        # says so), or none given where several types are documented (a body of no known type)
        return
    if spec is None or media is None or media.schema is None:
        if has_body(body):
            what = f"for {ctype!r} " if spec is not None and ctype else ""
            yield ex.mismatch(
                "request.body.unknown",
                f"The pact sends a request body but the contract documents no schema {what}for it",
                ("request", "body"),
                ex.operation.place,
            )
        return
    if not body.present:
        if spec.required:
            yield _body_required(ex, spec.place)
        return
    if not is_json_media(media.name) or isinstance(body.content, bytes):
        return
    validator = ex.validator(media.schema, Direction.REQUEST)
    prefix = "Request body is incompatible with the request body schema"
    seen: list[list[str]] = []
    for violation in validator.violations(body.content):
        path = [p.replace("~1", "/").replace("~0", "~") for p in violation.pointer.split("/")[1:]]
        seen.append(path)
        yield ex.body_mismatch(
            "request.body.incompatible",
            f"{prefix}: {violation.message}",
            "request",
            path,
            media.schema.place,
        )
    reported = [[str(p) for p in path] for path in seen]
    walker = BodyWalker(
        ex.contract, lambda s: ex.validator(s, Direction.REQUEST), close_objects=False
    )
    for path_parts, _keyword, message in walker.walk(media.schema, body.content):
        reported.append([str(p) for p in path_parts])
        yield ex.body_mismatch(
            "request.body.incompatible",
            f"{prefix}: {message}",
            "request",
            path_parts,
            media.schema.place,
        )
    yield from matcher_classes(ex, "request", media.schema, reported)


def matcher_classes(
    ex: Exchange, side: Literal["request", "response"], schema: SchemaRef, reported: list[list[str]]
) -> Iterator[Mismatch]:
    """Each body matcher's class of values against the schema at its path (see
    ``_matchers``). A response's: ``response.body.incompatible`` when the consumer would
    refuse whatever the provider sends there, ``response.body.narrower`` when some of it.
    A request's, the other way round: ``request.body.incompatible`` when the provider
    would refuse whatever the consumer may send, ``request.body.wider`` when some of it.
    Nothing where the example itself is already reported."""
    direction = Direction.REQUEST if side == "request" else Direction.RESPONSE

    def fits(target: Target, value: object) -> bool:
        ref = SchemaRef(Place(target.file, target.pointer), target.value)
        return ex.validator(ref, direction).is_valid(value)

    message = ex.request if side == "request" else ex.response
    rules = body_rules(message.matching_rules)
    root = Target(schema.place.file, schema.place.pointer, schema.value)
    documents = ex.contract.documents
    sending = side == "request"
    found = class_problems(rules, message.body.content, root, documents, fits, sending=sending)
    wider = "request.body.wider" if sending else "response.body.narrower"
    for problem in found:
        if any(problem.overlaps(path) for path in reported):
            continue  # the example itself is already reported there
        yield ex.body_mismatch(
            f"{side}.body.incompatible" if problem.error else wider,
            f"{side.capitalize()} body matcher: {problem.message}",
            side,
            ["0" if t == "*" else t for t in problem.path],
            Place(problem.schema.file, problem.schema.pointer),
        )


def _parameter_classes(
    ex: Exchange, param: Parameter, rules: Mapping[str, Any], value: str
) -> Iterator[Mismatch]:
    """A query or header parameter's matchers (``rules``: one entry's) against its schema:
    the consumer may send any text of the class; the provider reads it as its schema says."""
    schema = param.schema
    if schema is None or not is_supported(ex.contract, param, schema):
        return
    types = value_types(ex.contract, schema)

    def fits(target: Target, sample: object) -> bool:
        text = sample if isinstance(sample, str) else json.dumps(sample)
        ref = SchemaRef(Place(target.file, target.pointer), target.value)
        return ex.validator(ref, Direction.REQUEST).is_valid(coerce(text, types))

    root = Target(schema.place.file, schema.place.pointer, schema.value)
    kind = "header" if param.location == "header" else "query"
    where: tuple[str, ...] = (
        ("request", "headers", ex.header_name("request", param.name.lower()))
        if kind == "header"
        else ("request", "query", param.name)
    )
    found = class_problems(
        {"$": rules}, value, root, ex.contract.documents, fits, sending=True, textual=True
    )
    for problem in found:
        yield ex.mismatch(
            f"request.{kind}.{'incompatible' if problem.error else 'wider'}",
            f"Request {'header' if kind == 'header' else 'query parameter'} "
            f"{param.name!r} matcher: {problem.message.replace(' at $ ', ' ')}",
            where,
            param.place,
        )


def _body_required(ex: Exchange, place: Place) -> Mismatch:
    return ex.mismatch(
        "request.body.incompatible",
        "The contract requires a request body but the pact sends none",
        ("request", "body"),
        place,
    )


def _used_for_security(ex: Exchange, where: str, name: str) -> bool:
    schemes = ex.contract.security_schemes
    for requirement in ex.operation.security:
        for scheme_name in requirement:
            scheme = schemes.get(scheme_name)
            if not isinstance(scheme, dict):
                continue
            if where == "header" and scheme.get("type") in _BEARER and name == "authorization":
                return True
            if scheme.get("type") == "apiKey" and scheme.get("in") == where:
                key = str(scheme.get("name", ""))
                if (key.lower() if where == "header" else key) == name:
                    return True
    return False


def _header_parts(name: str, credential: bool) -> tuple[str, ...]:
    """The request parts a header is besides "headers" (see :mod:`._negative`)."""
    return (("credentials",) if credential else ()) + (
        ("conditional",) if name in CONDITIONAL_HEADERS else ()
    )


@check(
    "request-headers",
    "request.header.incompatible",
    "request.header.unknown",
    "request.header.wider",
)
def request_headers(ex: Exchange) -> Iterator[Mismatch]:
    """Each request header is documented, and its value fits the parameter's schema."""
    documented = {p.name.lower(): p for p in ex.operation.parameters if p.location == "header"}
    sent = ex.request.headers
    for name in [*sent, *(n for n in documented if n not in sent)]:
        param = documented.get(name)
        where = ("request", "headers", ex.header_name("request", name))
        credential = _used_for_security(ex, "header", name)
        if ex.explains("headers", *_header_parts(name, credential)):
            continue
        if param is None:
            if name not in STANDARD_REQUEST_HEADERS and not credential:
                yield ex.mismatch(
                    "request.header.unknown",
                    "Request header is not defined in the contract: "
                    + ex.header_name("request", name),
                    where,
                    ex.operation.place,
                )
            continue
        if name not in sent:
            if param.required:
                yield ex.mismatch(
                    "request.header.incompatible",
                    f"{_INCOMPATIBLE}: the required header {param.name!r} is missing",
                    (),
                    param.place,
                )
            continue
        value = ",".join(sent[name])
        bad = parameter_violations(ex.contract, param.schema, value, param=param)
        for violation in bad:
            yield ex.mismatch(
                "request.header.incompatible",
                f"{_INCOMPATIBLE}: {violation.message}",
                where,
                param.place,
            )
        rules = _rules_for(ex.request.matching_rules.get("header", {}), name, fold=True)
        if rules is not None and not bad:
            yield from _parameter_classes(ex, param, rules, value)


@check(
    "request-query", "request.query.incompatible", "request.query.unknown", "request.query.wider"
)
def request_query(ex: Exchange) -> Iterator[Mismatch]:
    """Each query parameter is documented, and its value fits the parameter's schema."""
    documented = {p.name: p for p in ex.operation.parameters if p.location == "query"}
    sent = ex.request.query
    for name in [*sent, *(n for n in documented if n not in sent)]:
        param = documented.get(name)
        where = ("request", "query", name)
        credential = _used_for_security(ex, "query", name)
        if ex.explains("query", *(("credentials",) if credential else ())):
            continue
        if param is None:
            if not credential:
                yield ex.mismatch(
                    "request.query.unknown",
                    f"Query parameter is not defined in the contract: {name}",
                    where,
                    ex.operation.place,
                )
            continue
        if name not in sent:
            if param.required:
                yield ex.mismatch(
                    "request.query.incompatible",
                    f"{_INCOMPATIBLE}: the required query parameter {name!r} is missing",
                    (),
                    param.place,
                )
            continue
        bad = False
        for value in sent[name]:
            for violation in parameter_violations(ex.contract, param.schema, value, param=param):
                bad = True
                yield ex.mismatch(
                    "request.query.incompatible",
                    f"{_INCOMPATIBLE}: {violation.message}",
                    where,
                    param.place,
                )
        rules = _rules_for(ex.request.matching_rules.get("query", {}), name, fold=False)
        if rules is not None and not bad and sent[name]:
            yield from _parameter_classes(ex, param, rules, sent[name][0])


def _rules_for(entries: Mapping[str, Any], name: str, *, fold: bool) -> Mapping[str, Any] | None:
    """A query parameter's or (``fold``: names in any case) a header's rule entry."""
    for key, entry in entries.items():
        if (key.lower() == name if fold else key == name) and isinstance(entry, Mapping):
            return entry
    return None
