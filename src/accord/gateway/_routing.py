"""Routing: the raw path checked against normalisation tricks, then matched to an operation.

Routing matches the *decoded* path against the contracts' templates, while the
upstream receives the *raw* path. The two only mean the same thing when no
segment decodes to ``.``/``..`` and no segment hides a ``/`` or ``\\``, so
those paths are refused by :func:`check_path`, before any template is consulted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from accord.core import Contract, Match

__all__ = ["Route", "RouteTable", "check_path"]

_FORBIDDEN_DECODED = ("/", "\\", "\x00")


def check_path(raw: bytes) -> tuple[str, str | None]:
    """``(decoded path, None)``, or ``("", reason)`` when the path must be refused."""
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        return "", "the path must be ASCII (percent-encode other bytes)"
    if not text.startswith("/"):
        return "", "the path must start with '/'"
    if "//" in text:
        return "", "empty path segments ('//') are not allowed"
    if "\\" in text or any(ord(c) < 0x21 or ord(c) == 0x7F for c in text):
        return "", "backslashes and control characters are not allowed in the path"
    segments = text.split("/")[1:]
    decoded: list[str] = []
    for segment in segments:
        try:
            value = unquote(segment, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            return "", f"segment {segment!r} is not valid percent-encoded UTF-8"
        if value in (".", ".."):
            return "", f"dot segments ({segment!r}) are not allowed"
        if any(c in value for c in _FORBIDDEN_DECODED):
            return "", f"segment {segment!r} hides a slash, backslash or NUL"
        if "%" in value:  # "%252e" decodes to "%2e": a second decoding would differ
            return "", f"segment {segment!r} is percent-encoded twice"
        decoded.append(value)
    return "/" + "/".join(decoded), None


@dataclass(slots=True, frozen=True)
class Route:
    """Where a request goes: a service and its operation (with the path parameters)."""

    service: str
    match: Match


class RouteTable:
    """The operations of every service; the lint rule on path clashes keeps them disjoint."""

    def __init__(self, contracts: Mapping[str, Contract]) -> None:
        self.contracts = dict(contracts)

    def find(self, method: str, path: str) -> Route | list[str]:
        """The route, or the methods the path allows (empty: no template matches it).

        ``HEAD`` goes where ``GET`` goes when the contract has no ``HEAD`` of its own
        (RFC 9110 9.3.2: the same answer without its content).
        """
        allowed: list[str] = []
        for name, contract in self.contracts.items():
            found = contract.match(method, path)
            if found is None and method == "HEAD":
                found = contract.match("GET", path)
            if found is not None:
                return Route(name, found)
            allowed += contract.allowed_methods(path)
        if "GET" in allowed:
            allowed.append("HEAD")
        return sorted(set(allowed))

    def slash_twin(self, method: str, path: str) -> str | None:
        """``path`` with its trailing slash removed (or added) when only that form is
        documented (for any method), else None."""
        if path == "/":
            return None
        twin = path.rstrip("/") if path.endswith("/") else path + "/"
        if not twin or twin.endswith("//"):
            return None
        found = self.find(method, twin)
        return twin if isinstance(found, Route) or found else None

    def operations(self) -> int:
        return sum(len(c.operations) for c in self.contracts.values())
