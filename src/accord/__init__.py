"""Accord: contract-first API design and testing for Python microservice teams.

The public API is listed in ``__all__``; everything in a ``_module`` is private.
Names are imported from their modules on first use, so that ``accord --version``
and ``accord --help`` do not load the contract core.
"""

from typing import TYPE_CHECKING

from accord._lazy import lazy_exports as _lazy_exports
from accord._version import __version__

if TYPE_CHECKING:
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
    from accord.core import Contract, Direction, LoadOptions, Operation, PactFile
    from accord.workspace import Workspace

#: public name -> the module (under accord) that defines it
_WHERE = {
    "AccordError": "_errors",
    "AliasBombError": "_errors",
    "ContractError": "_errors",
    "DocumentTooLarge": "_errors",
    "LoadError": "_errors",
    "Location": "_errors",
    "ManifestError": "_errors",
    "PactError": "_errors",
    "RefError": "_errors",
    "SchemaCompileError": "_errors",
    "UnsupportedVersion": "_errors",
    "Finding": "_findings",
    "Severity": "_findings",
    "Contract": "core",
    "Direction": "core",
    "LoadOptions": "core",
    "Operation": "core",
    "PactFile": "core",
    "Workspace": "workspace",
}

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

if not TYPE_CHECKING:  # mypy sees the imports above, and no catch-all attribute
    __getattr__, __dir__ = _lazy_exports(__name__, _WHERE)
