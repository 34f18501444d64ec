"""What a cross-check reports: :class:`Mismatch` es with swagger-mock-validator's codes."""

from __future__ import annotations

from dataclasses import dataclass

from accord._errors import Location
from accord._findings import Finding, Severity

__all__ = ["CODES", "MESSAGE_CODES", "CrosscheckOptions", "Mismatch", "describe"]

E, W = Severity.ERROR, Severity.WARNING

#: every code a cross-check of HTTP interactions can report: its severity (as
#: swagger-mock-validator has them; ``response.body.narrower``, ``request.*.wider`` and the
#: ``*.malformed`` ones are Accord's own) and what it means. This table is the one registry:
#: :data:`CODES`, the checks (``_exchange`` refuses an unregistered code) and the rule list of
#: SARIF reports (:func:`describe`) all read it.
_HTTP: dict[str, tuple[Severity, str]] = {
    "request.accept.incompatible": (
        E,
        "The request's Accept header allows none of the response's documented media types.",
    ),
    "request.accept.unknown": (
        W,
        "The request sends Accept, but the operation documents no response media types.",
    ),
    "request.authorization.missing": (
        E,
        "The request lacks the credentials the operation's security requires.",
    ),
    "request.body.incompatible": (
        E,
        "The request body does not match the operation's request body schema.",
    ),
    "request.body.unknown": (W, "The request sends a body the operation does not document."),
    "request.body.wider": (
        W,
        "A request body matcher allows values the operation's schema refuses.",
    ),
    "request.content-type.incompatible": (
        E,
        "The request's Content-Type is not one the operation accepts.",
    ),
    "request.content-type.malformed": (E, "The request's Content-Type is not a valid media type."),
    "request.content-type.missing": (W, "The request has a body but no Content-Type header."),
    "request.content-type.unknown": (
        W,
        "The request sends Content-Type, but the operation documents no media types to consume.",
    ),
    "request.header.incompatible": (
        E,
        "A request header's value does not match its documented schema.",
    ),
    "request.header.unknown": (W, "The request sends a header the operation does not document."),
    "request.header.wider": (
        W,
        "A request header matcher allows values the operation's schema refuses.",
    ),
    "request.path-or-method.unknown": (
        E,
        "No operation of the contract has the request's path and method.",
    ),
    "request.query.incompatible": (
        E,
        "A query parameter does not match its schema, or a required one is missing.",
    ),
    "request.query.unknown": (
        W,
        "The request sends a query parameter the operation does not document.",
    ),
    "request.query.wider": (
        W,
        "A query parameter matcher allows values the operation's schema refuses.",
    ),
    "response.body.incompatible": (
        E,
        "The response body does not match the documented response schema.",
    ),
    "response.body.narrower": (
        W,
        "A response body matcher refuses values the documented schema allows.",
    ),
    "response.body.unknown": (E, "The response has a body where the documented response has none."),
    "response.content-type.ambiguous": (
        W,
        "The response names no Content-Type, and the status documents several JSON types.",
    ),
    "response.content-type.incompatible": (
        E,
        "The response's Content-Type is not one the operation documents for its status.",
    ),
    "response.content-type.malformed": (
        E,
        "The response's Content-Type is not a valid media type.",
    ),
    "response.content-type.unknown": (
        W,
        "The response sends Content-Type, but its status documents no media types.",
    ),
    "response.header.incompatible": (
        E,
        "A response header's value does not match its documented schema.",
    ),
    "response.header.undefined": (
        W,
        "The response sends a standard HTTP header the contract does not document.",
    ),
    "response.header.unknown": (
        E,
        "The response sends a non-standard header the contract does not document.",
    ),
    "response.status.default": (
        W,
        "The response status is covered only by the operation's default response.",
    ),
    "response.status.unknown": (E, "The response status is not documented for the operation."),
}

#: the codes of message interactions checked against an AsyncAPI document (Accord's own)
_MESSAGES: dict[str, tuple[Severity, str]] = {
    "message.channel.unknown": (
        E,
        "No channel and operation of the AsyncAPI document carries the message.",
    ),
    "message.content-type.incompatible": (
        E,
        "The message's content type is not the documented one.",
    ),
    "message.header.incompatible": (
        E,
        "A message header does not match the documented headers schema.",
    ),
    "message.header.narrower": (
        W,
        "A message header matcher refuses values the documented schema allows.",
    ),
    "message.header.wider": (
        W,
        "A message header matcher allows values the documented schema refuses.",
    ),
    "message.operation.direction": (
        E,
        "The provider does not send this message: the document has it received, not sent.",
    ),
    "message.payload.incompatible": (
        E,
        "The message payload does not match the documented payload schema.",
    ),
    "message.payload.narrower": (
        W,
        "A message payload matcher refuses values the documented schema allows.",
    ),
    "message.payload.wider": (
        W,
        "A message payload matcher allows values the documented schema refuses.",
    ),
}

#: every code a cross-check of HTTP interactions can report, with its severity
CODES: dict[str, Severity] = {code: severity for code, (severity, _) in _HTTP.items()}

#: the codes of message interactions checked against an AsyncAPI document (Accord's own)
MESSAGE_CODES: dict[str, Severity] = {code: severity for code, (severity, _) in _MESSAGES.items()}


def describe() -> list[dict[str, str]]:
    """Every code a cross-check can report (HTTP and messages), as ``accord.lint.describe``
    lists rules: ``id``, ``severity``, ``scope`` (``pact``) and ``description``."""
    return [
        {"id": code, "severity": severity.value, "scope": "pact", "description": text}
        for code, (severity, text) in {**_HTTP, **_MESSAGES}.items()
    ]


@dataclass(slots=True, frozen=True)
class CrosscheckOptions:
    """How strict the check is about response bodies (swagger-mock-validator's defaults).

    ``additional_properties_in_response=False``: a pact response may not carry a
    property its schema does not declare (the provider would not send it).
    ``required_properties_in_response=False``: ``required`` is not enforced in
    responses, because a pact shows the fields a consumer uses, not all of them.
    """

    additional_properties_in_response: bool = False
    required_properties_in_response: bool = False


@dataclass(slots=True, frozen=True)
class Mismatch:
    """One way a pact interaction disagrees with the contract, located in both files."""

    code: str
    message: str
    #: swagger-mock-validator style, e.g. ``[root].interactions[0].response.body.name``
    pact_path: str
    #: where that node is in the pact file (``file:line:col`` and JSON pointer)
    pact_location: Location
    #: swagger-mock-validator style, e.g. ``[root].paths./users.get.responses``
    spec_path: str
    #: where the relevant part of the contract is, when there is one
    spec_location: Location | None
    interaction: str = ""

    @property
    def severity(self) -> Severity:
        return CODES[self.code] if self.code in CODES else MESSAGE_CODES[self.code]

    def to_finding(self) -> Finding:
        """This mismatch as a lint-style finding (rule id = the code, at the pact location)."""
        related = (self.spec_location,) if self.spec_location is not None else ()
        message = self.message
        if self.interaction:
            message = f"{message} (interaction {self.interaction!r})"
        return Finding(self.code, self.severity, message, self.pact_location, related)

    def as_dict(self) -> dict[str, object]:
        """The JSON form ``accord crosscheck --format json`` prints."""
        spec = self.spec_location
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "interaction": self.interaction,
            "pact_location": self.pact_path,
            "spec_location": self.spec_path,
            "pact_file": self.pact_location.file,
            "pact_line": self.pact_location.line,
            "pact_column": self.pact_location.column,
            "pact_pointer": self.pact_location.pointer,
            "spec_file": spec.file if spec else None,
            "spec_line": spec.line if spec else None,
            "spec_column": spec.column if spec else None,
            "spec_pointer": spec.pointer if spec else None,
        }

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.pact_location
        return (loc.file, loc.line, loc.column, self.code)
