"""What the broker checks before it stores anything: pacts and verification results.

A pact is read by the same reader every command uses (:class:`accord.core.PactFile`), so
the broker refuses on publication what ``accord verify`` would refuse when it fetches the
pact: the answer is a 400 problem whose ``errors`` name each problem's JSON pointer (and its
line and column in the pact as sent), in the Pact Broker's own problem form
(``title``/``detail``/``pointer``/``status`` per error; pact_broker's
``DryValidationErrorsProblemJSONDecorator``). The names in the request (the path, or
``consumerName``/``providerName``) must be the pact's own, as the Pact Broker requires
(``PutPactParamsContract``, ``PublishContractsContractContract``: 400 otherwise).
Verification results follow the Pact Broker's ``VerificationContract``: a boolean
``success``, a non-blank ``providerApplicationVersion``, an http(s) ``buildUrl`` if any.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import urlsplit

from accord._errors import AccordError
from accord.broker._model import BrokerError
from accord.core import PactFile, encode_pointer, parse_source

__all__ = [
    "check_pact",
    "check_publication",
    "check_text",
    "check_verification",
    "check_version",
    "version_errors",
]

#: how many problems one answer lists (a pact with thousands gets the first ones)
_MAX_ERRORS = 50


def _error(pointer: str, detail: str, **extra: Any) -> dict[str, Any]:
    error = {"title": "Validation error", "detail": detail, "pointer": pointer, "status": 400}
    return error | extra


def _refuse(what: str, errors: list[dict[str, Any]]) -> BrokerError:
    first = errors[0]
    where = first.get("pactPointer", first["pointer"]) or "/"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return BrokerError(400, f"{what}: {where}: {first['detail']}{more}", errors[:_MAX_ERRORS])


def check_pact(
    raw: bytes,
    consumer: str,
    provider: str,
    *,
    at: str = "",
    what: str = "the pact is malformed",
) -> None:
    """Refuse (400) a pact ``PactFile`` finds problems in, or one naming other parties.

    ``raw`` is the pact as sent; ``at`` is where it sits in the request body (empty for
    a pact that is the body; ``/contracts/0/content`` for one published with others), and
    each error's ``pointer`` is ``at`` (or the pact's own pointer when ``at`` is empty),
    with ``pactPointer`` the place inside the pact.
    """
    try:
        source = parse_source(raw, "pact.json")
    except AccordError as exc:  # not UTF-8, not JSON, nested thousands deep
        raise BrokerError(400, f"{at or 'the request body'}: {exc.message}") from exc
    pact = PactFile.from_source(source)
    errors = []
    for pointer, message in pact.problems:
        loc = source.locate(pointer)
        extra = {"line": loc.line, "column": loc.column} if loc.line else {}
        errors.append(_error(at or pointer, message, pactPointer=pointer, **extra))
    if not errors:
        for role, expected in (("consumer", consumer), ("provider", provider)):
            named = getattr(pact, role)
            if named != expected:
                pointer = f"/{role}/name"
                errors.append(
                    _error(
                        at or pointer,
                        f"the pact's {role} is {named!r}, but it was published as {expected!r}'s",
                        pactPointer=pointer,
                    )
                )
    if errors:
        raise _refuse(what, errors)


def _is_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def version_errors(
    body: dict[str, Any],
    branches: tuple[str, ...] = ("branch",),
    tags: str | None = "tags",
    build_url: str = "buildUrl",
    *,
    url: bool = False,
) -> list[dict[str, Any]]:
    """The problems of a version's fields in ``body``, wherever they are sent (a
    publication, a version, a verification result): each branch a non-blank string
    (``not_blank_if_present``), the tags an array of strings, the build URL a string, and
    an http(s) URL where ``url`` says so. The Pact Broker checks the URL of a verification
    result only; a publication's or a version's is any text (CI systems send build ids)."""
    errors = []
    for key in branches:
        value = body.get(key)
        if value is not None and not (isinstance(value, str) and value.strip()):
            errors.append(_error(f"/{key}", f"must be a non-blank string, got {value!r}"))
    listed = body.get(tags) if tags else None
    if tags and listed is not None:
        if not isinstance(listed, list):
            errors.append(_error(f"/{tags}", f"must be an array of strings, got {listed!r}"))
        else:
            errors.extend(
                _error(f"/{tags}/{i}", f"must be a string, got {tag!r}")
                for i, tag in enumerate(listed)
                if not isinstance(tag, str)
            )
    link = body.get(build_url)
    if link is not None and not isinstance(link, str):
        errors.append(_error(f"/{build_url}", f"must be a string, got {link!r}"))
    elif url and link is not None and not _is_url(link):
        errors.append(_error(f"/{build_url}", f"must be an http(s) URL, got {link!r}"))
    return errors


def check_version(body: Any) -> None:
    """Refuse (400) a version (``PUT /pacticipants/{p}/versions/{v}``) whose ``branch`` or
    ``buildUrl`` is of the wrong type; an empty body is a version with neither."""
    if body is None:
        return
    if not isinstance(body, dict):
        raise BrokerError(400, "a version is a JSON object", [_error("", "expected an object")])
    errors = version_errors(body, tags=None)
    if errors:
        raise _refuse("the version is malformed", errors)


def check_verification(body: Any) -> None:
    """Refuse (400) a verification result whose fields are missing or of the wrong type."""
    if not isinstance(body, dict):
        raise BrokerError(
            400, "a verification result is a JSON object", [_error("", "expected an object")]
        )
    errors = []
    if "success" not in body:
        errors.append(_error("/success", "required: true or false"))
    elif not isinstance(body["success"], bool):
        errors.append(_error("/success", f"must be a boolean, got {body['success']!r}"))
    number = body.get("providerApplicationVersion")
    if number is None:
        errors.append(_error("/providerApplicationVersion", "required: the provider's version"))
    elif not isinstance(number, str) or not number.strip():
        errors.append(
            _error("/providerApplicationVersion", f"must be a non-blank string, got {number!r}")
        )
    errors += version_errors(
        body, ("providerVersionBranch", "branch"), "providerVersionTags", url=True
    )
    for key, kind in (("testResults", (list, dict)), ("verifiedBy", (dict,))):
        if body.get(key) is not None and not isinstance(body[key], kind):
            errors.append(
                _error(f"/{key}", f"must be an {'array or ' if list in kind else ''}object")
            )
    if errors:
        raise _refuse("the verification result is malformed", errors)


def _is_pact_json(media: Any) -> bool:
    """``application/json``, parameters aside: the one type the Pact Broker publishes."""
    return isinstance(media, str) and media.split(";")[0].strip().lower() == "application/json"


def check_publication(body: Any) -> list[bytes]:
    """Refuse (400) a publication (``POST /contracts/publish``) whose own fields are
    malformed; each contract's pact, decoded from base64 (checked by the caller).

    As the Pact Broker's ``PublishContractsContract``: every entry of ``contracts`` says
    ``specification: "pact"`` and ``contentType: "application/json"``, and its ``content``
    is base64; the errors name every entry's pointer, all at once.
    """
    if not isinstance(body, dict):
        raise BrokerError(400, "a publication is a JSON object", [_error("", "expected an object")])
    errors = []
    for key in ("pacticipantName", "pacticipantVersionNumber"):
        value = body.get(key)
        if not isinstance(value, str) or not value.strip():
            errors.append(_error(f"/{key}", f"required: a non-blank string, got {value!r}"))
    errors += version_errors(body)
    contracts = body.get("contracts")
    if not isinstance(contracts, list) or not contracts:
        errors.append(_error("/contracts", "required: an array of at least one contract"))
        contracts = []
    decoded = []
    for index, contract in enumerate(contracts):
        where = f"/contracts/{index}"
        if not isinstance(contract, dict):
            errors.append(_error(where, "must be an object"))
            continue
        spec, media = contract.get("specification"), contract.get("contentType")
        if spec != "pact":
            errors.append(_error(f"{where}/specification", f"must be 'pact', got {spec!r}"))
        if not _is_pact_json(media):
            errors.append(
                _error(f"{where}/contentType", f"must be 'application/json', got {media!r}")
            )
        encoded = contract.get("content")
        try:
            if not isinstance(encoded, str) or not encoded:
                raise ValueError
            decoded.append(base64.b64decode(encoded, validate=True))
        except (binascii.Error, ValueError):
            errors.append(_error(f"{where}/content", "required: the pact, base64-encoded"))
    if errors:
        raise _refuse("the publication is malformed", errors)
    return decoded


def check_text(value: Any, pointer: str = "") -> None:
    """Refuse (400) text no database can store: lone UTF-16 surrogates (``"\\ud800"``, valid
    JSON but not Unicode), anywhere in the body."""
    if isinstance(value, str):
        try:
            value.encode()
        except UnicodeEncodeError as exc:
            raise BrokerError(
                400,
                f"{pointer or '/'}: not valid Unicode (the lone surrogate"
                f" {value[exc.start]!r} is not a character)",
                [_error(pointer, "not valid Unicode (a lone surrogate)")],
            ) from None
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, pointer)
            check_text(item, pointer + encode_pointer((key,)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_text(item, f"{pointer}/{i}")
