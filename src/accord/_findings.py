"""Findings: what every checking feature (lint, crosscheck, diff) reports.

A finding is compiler-style: ``file:line:col: severity rule-id: message``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from accord._errors import Location

__all__ = ["UNUSABLE", "UNUSABLE_DESCRIPTION", "Finding", "Severity"]

#: the rule id of an input that could not be used at all (unreadable, not a contract or
#: pact); lint and crosscheck both report it, and ``accord lint`` exits 2 on it
UNUSABLE = "unusable-input"
UNUSABLE_DESCRIPTION = "An input could not be read, parsed or used as a contract or pact."


class Severity(Enum):
    """How bad a finding is; ordered, so ``finding.severity >= Severity.WARNING`` works."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(slots=True, frozen=True)
class Finding:
    """One problem found, with where it is."""

    rule: str
    severity: Severity
    message: str
    location: Location
    related: tuple[Location, ...] = field(default=())

    def __str__(self) -> str:
        return f"{self.location}: {self.severity.value} {self.rule}: {self.message}"

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (loc.file, loc.line, loc.column, self.rule)
