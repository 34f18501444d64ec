"""What a cross-check reports: :class:`Mismatch` es with swagger-mock-validator's codes."""

from __future__ import annotations

from dataclasses import dataclass

from accord._errors import Location
from accord._findings import Finding, Severity

__all__ = ["CODES", "MESSAGE_CODES", "CrosscheckOptions", "Mismatch"]

#: every code a cross-check of HTTP interactions can report, with its severity (as
#: swagger-mock-validator has them; ``response.body.narrower``, ``request.*.wider`` and the
#: ``*.malformed`` ones are Accord's own)
CODES: dict[str, Severity] = {
    "request.accept.incompatible": Severity.ERROR,
    "request.accept.unknown": Severity.WARNING,
    "request.authorization.missing": Severity.ERROR,
    "request.body.incompatible": Severity.ERROR,
    "request.body.unknown": Severity.WARNING,
    "request.body.wider": Severity.WARNING,  # Accord's own: a matcher's class (_matchers)
    "request.content-type.incompatible": Severity.ERROR,
    "request.content-type.malformed": Severity.ERROR,  # Accord's own: not a media type
    "request.content-type.missing": Severity.WARNING,
    "request.content-type.unknown": Severity.WARNING,
    "request.header.incompatible": Severity.ERROR,
    "request.header.unknown": Severity.WARNING,
    "request.header.wider": Severity.WARNING,  # Accord's own: a matcher's class
    "request.path-or-method.unknown": Severity.ERROR,
    "request.query.incompatible": Severity.ERROR,
    "request.query.unknown": Severity.WARNING,
    "request.query.wider": Severity.WARNING,  # Accord's own: a matcher's class
    "response.body.incompatible": Severity.ERROR,
    "response.body.narrower": Severity.WARNING,  # Accord's own: a matcher's class (_matchers)
    "response.body.unknown": Severity.ERROR,
    "response.content-type.ambiguous": Severity.WARNING,  # Accord's own: no type named
    "response.content-type.incompatible": Severity.ERROR,
    "response.content-type.malformed": Severity.ERROR,  # Accord's own: not a media type
    "response.content-type.unknown": Severity.WARNING,
    "response.header.incompatible": Severity.ERROR,
    "response.header.undefined": Severity.WARNING,
    "response.header.unknown": Severity.ERROR,
    "response.status.default": Severity.WARNING,
    "response.status.unknown": Severity.ERROR,
}


#: the codes of message interactions checked against an AsyncAPI document (Accord's own)
MESSAGE_CODES: dict[str, Severity] = {
    "message.channel.unknown": Severity.ERROR,
    "message.content-type.incompatible": Severity.ERROR,
    "message.header.incompatible": Severity.ERROR,
    "message.header.narrower": Severity.WARNING,
    "message.header.wider": Severity.WARNING,
    "message.operation.direction": Severity.ERROR,
    "message.payload.incompatible": Severity.ERROR,
    "message.payload.narrower": Severity.WARNING,
    "message.payload.wider": Severity.WARNING,
}


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
