"""Packages whose public names are imported on first use (PEP 562).

A package that re-exports names from its private modules imports all of them when it is
imported; a command line that needs one of them pays for every library behind the others
(``accord --version`` for the contract core, ``accord token`` for httpx and pydantic).
With :func:`lazy_exports` the package names where each public name lives, and the module
behind a name is imported when the name is first used::

    if TYPE_CHECKING:  # what mypy and readers see
        from accord.runtime._service import mint_token
    __getattr__, __dir__ = lazy_exports(__name__, {"mint_token": "_service"})
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, where: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose name -> private module is
    ``where`` (modules relative to the package)."""

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)  # the next use is a plain lookup
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *where})

    return __getattr__, __dir__
