"""The exceptions Accord raises, all rooted at :class:`AccordError`.

Every message says what went wrong, where (``file:line:col`` and, inside a
document, the JSON pointer), and what was expected::

    AccordError
    ├── LoadError                 a file cannot be read or parsed at all
    │   ├── DocumentTooLarge      over the configured size limit
    │   └── AliasBombError        YAML aliases that expand without bound, or recurse
    ├── ContractError             a readable file that is not a usable contract
    │   ├── UnsupportedVersion    Swagger 2.0, OpenAPI 3.2+, not OpenAPI at all
    │   ├── RefError              a ``$ref`` that is remote, dangling, or part of a cycle
    │   └── SchemaCompileError    a schema jsonschema-rs cannot compile
    ├── PactError                 a pact file that cannot be used
    └── ManifestError             ``accord.yaml`` does not match its schema
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True, frozen=True)
class Location:
    """A place in a source file: 1-based line and column, plus the JSON pointer."""

    file: str
    line: int = 0
    column: int = 0
    pointer: str = ""

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return self.file


class AccordError(Exception):
    """Root of every error Accord raises on purpose."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        if self.location is None:
            return self.message
        where = str(self.location)
        if self.location.pointer:
            return f"{where}: {self.message} (at {self.location.pointer})"
        return f"{where}: {self.message}"


class LoadError(AccordError):
    """A file could not be read or parsed (missing, not UTF-8, malformed YAML/JSON)."""


class DocumentTooLarge(LoadError):
    """The file is larger than the configured limit."""


class AliasBombError(LoadError):
    """YAML anchors/aliases expand far beyond the document's real size, or recurse."""


class ContractError(AccordError):
    """The file parsed, but it is not a contract Accord can use."""


class UnsupportedVersion(ContractError):
    """Swagger 2.0, OpenAPI 3.2 or later, or a document with no ``openapi`` field."""


class RefError(ContractError):
    """A ``$ref`` that is remote, points nowhere, or only leads to itself."""


class SchemaCompileError(ContractError):
    """A Schema Object that is not valid JSON Schema once converted."""


class PactError(AccordError):
    """A pact file that is not a usable Pact document."""


class ManifestError(AccordError):
    """The workspace manifest (``accord.yaml``) is invalid."""
