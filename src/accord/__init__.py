"""Accord: contract-first API design and testing for Python microservice teams.

The public API is listed in ``__all__``; everything in a ``_module`` is private.
"""

from accord._errors import (
    AccordError,
    AliasBombError,
    ContractError,
    DocumentTooLarge,
    LoadError,
    Location,
    ManifestError,
    PactError,
    RefError,
    SchemaCompileError,
    UnsupportedVersion,
)
from accord._findings import Finding, Severity
from accord._version import __version__
from accord.core import Contract, Direction, LoadOptions, Operation, PactFile
from accord.workspace import Workspace

__all__ = [
    "AccordError",
    "AliasBombError",
    "Contract",
    "ContractError",
    "Direction",
    "DocumentTooLarge",
    "Finding",
    "LoadError",
    "LoadOptions",
    "Location",
    "ManifestError",
    "Operation",
    "PactError",
    "PactFile",
    "RefError",
    "SchemaCompileError",
    "Severity",
    "UnsupportedVersion",
    "Workspace",
    "__version__",
]
