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
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from accord._errors import AccordError
from accord._json import JSONError, read_json
from accord.broker._model import BrokerError
from accord.core import PactFile, encode_pointer, parse_source

__all__ = [
    "ON_CONFLICT",
    "Contract",
    "check_pact",
    "check_publication",
    "check_text",
    "check_verification",
    "check_version",
    "pact_errors",
    "version_errors",
]

#: how many problems one answer lists (a pact with thousands gets the first ones)
_MAX_ERRORS = 50


def _error(pointer: str, detail: str, **extra: Any) -> dict[str, Any]:
    error = {"title": "Validation error", "detail": detail, "pointer": pointer, "status": 400}
    return error | extra


def _refuse(what: str, errors: list[dict[str, Any]]) -> BrokerError:
    first = errors[0]
    where = first["pointer"] or "/"
    if first.get("pactPointer", first["pointer"]) != first["pointer"]:
        where += f": {first['pactPointer']}"  # the place in the pact published
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return BrokerError(400, f"{what}: {where}: {first['detail']}{more}", errors[:_MAX_ERRORS])


def pact_errors(
    raw: bytes, consumer: str | None, provider: str | None, *, at: str = ""
) -> list[dict[str, Any]]:
    """A pact's problems: what ``PactFile`` finds in it, then (when it has none) a
    consumer or provider other than the one it is published as (``None``: any).

    ``raw`` is the pact as sent; ``at`` is where it sits in the request body (empty for
    a pact that is the body; ``/contracts/0/content`` for one published with others), and
    each error's ``pointer`` is ``at`` (or the pact's own pointer when ``at`` is empty),
    with ``pactPointer`` the place inside the pact. Raises (400) for a body that is not
    a JSON text at all.
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
            if expected is not None and named != expected:
                pointer = f"/{role}/name"
                errors.append(
                    _error(
                        at or pointer,
                        f"the pact's {role} is {named!r}, but it was published as {expected!r}'s",
                        pactPointer=pointer,
                    )
                )
    return errors


def check_pact(raw: bytes, consumer: str, provider: str) -> None:
    """Refuse (400) a pact ``PactFile`` finds problems in, or one naming other parties
    than the path does (``PUT /pacts/provider/{p}/consumer/{c}/version/{v}``)."""
    errors = pact_errors(raw, consumer, provider)
    if errors:
        raise _refuse("the pact is malformed", errors)


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


@dataclass(slots=True, frozen=True)
class Contract:
    """One checked entry of a publication's ``contracts``."""

    consumer: str
    provider: str
    content: dict[str, Any]
    merge: bool  # ``onConflict: "merge"``: merged into the version's pact with provider


#: what ``onConflict`` may say (the Pact Broker's ``PublishContractsContractContract``)
ON_CONFLICT = ("overwrite", "merge")


def _contract_errors(
    contract: dict[str, Any], where: str, pacticipant: Any
) -> tuple[list[dict[str, Any]], bytes | None]:
    """The problems of one entry's own fields, and its content decoded from base64."""
    errors = []
    names = {}
    for key in ("consumerName", "providerName"):
        value = contract.get(key)
        if not isinstance(value, str) or not value.strip():
            errors.append(_error(f"{where}/{key}", f"required: a non-blank string, got {value!r}"))
        else:
            names[key] = value
    consumer = names.get("consumerName")
    if consumer is not None and isinstance(pacticipant, str) and consumer != pacticipant:
        errors.append(
            _error(
                f"{where}/consumerName",
                f"{consumer!r} does not match the pacticipantName {pacticipant!r}",
            )
        )
    spec, media = contract.get("specification"), contract.get("contentType")
    if spec != "pact":
        errors.append(_error(f"{where}/specification", f"must be 'pact', got {spec!r}"))
    if not _is_pact_json(media):
        errors.append(_error(f"{where}/contentType", f"must be 'application/json', got {media!r}"))
    if "onConflict" in contract and contract["onConflict"] not in ON_CONFLICT:
        errors.append(
            _error(
                f"{where}/onConflict",
                f"must be 'overwrite' or 'merge', got {contract['onConflict']!r}",
            )
        )
    encoded = contract.get("content")
    raw = None
    try:
        if not isinstance(encoded, str) or not encoded:
            raise ValueError
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        errors.append(_error(f"{where}/content", "required: the pact, base64-encoded"))
    return errors, raw


def _named_errors(content: Any, contract: dict[str, Any], where: str) -> list[dict[str, Any]]:
    """A pact naming another consumer or provider than its entry does: the Pact Broker
    reports it at the entry's ``consumerName``/``providerName``."""
    errors = []
    for role, key in (("consumer", "consumerName"), ("provider", "providerName")):
        named = content.get(role, {}).get("name") if isinstance(content, dict) else None
        given = contract.get(key)
        if isinstance(named, str) and isinstance(given, str) and given.strip() and named != given:
            errors.append(
                _error(
                    f"{where}/{key}",
                    f"the pact's {role} is {named!r}, but {key} is {given!r}",
                    pactPointer=f"/{role}/name",
                )
            )
    return errors


def check_publication(body: Any) -> list[Contract]:
    """The contracts of a publication (``POST /contracts/publish``), each decoded and
    checked; a 400 listing every problem of every entry, by pointer, at once.

    As the Pact Broker's ``PublishContractsContract``: ``pacticipantName`` and
    ``pacticipantVersionNumber`` are required, and every entry of ``contracts`` names its
    ``consumerName`` (the pacticipant) and ``providerName``, which must be the pact's own,
    says ``specification: "pact"`` and ``contentType: "application/json"``, has base64
    ``content`` and, if any, ``onConflict`` ``"overwrite"`` (the default) or ``"merge"``.
    The pact itself is checked as a single pact's ``PUT`` is (:func:`pact_errors`).
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
    checked = []
    for index, contract in enumerate(contracts):
        where = f"/contracts/{index}"
        if not isinstance(contract, dict):
            errors.append(_error(where, "must be an object"))
            continue
        own, raw = _contract_errors(contract, where, body.get("pacticipantName"))
        errors += own
        if raw is None:
            continue
        try:
            content = read_json(raw)
        except (JSONError, UnicodeDecodeError) as exc:
            errors.append(_error(f"{where}/content", f"not base64-encoded JSON ({exc})"))
            continue
        problems = pact_errors(raw, None, None, at=f"{where}/content")
        errors += problems or _named_errors(content, contract, where)
        if not own and not problems:
            checked.append(
                Contract(
                    contract["consumerName"],
                    contract["providerName"],
                    content,
                    contract.get("onConflict") == "merge",
                )
            )
    if errors:
        raise _refuse("the publication is malformed", errors)
    return checked


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
