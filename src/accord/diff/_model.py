"""What a diff produces: changes with a level, the part of the contract they touch, consumers."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

from accord._errors import Location

__all__ = ["FAIL_ON", "Change", "Consumer", "DiffResult", "FailOn", "Level", "Target"]

Part = Literal[
    "contract",
    "operation",
    "parameter",
    "request-body",
    "response-status",
    "response-body",
    "response-header",
]

FailOn = Literal["breaking", "consumer", "never"]
FAIL_ON: tuple[FailOn, ...] = ("breaking", "consumer", "never")


class Level(Enum):
    """How a change affects existing clients."""

    BREAKING = "breaking"
    NON_BREAKING = "non-breaking"
    INFO = "info"


@dataclass(slots=True, frozen=True)
class Target:
    """The part of an operation a change touches, precise enough to find who uses it.

    ``json_path`` walks a body: property names, with ``[]`` for the items of an array.
    ``absent`` marks changes that break the clients which do *not* send something
    (a new required parameter or property).
    """

    part: Part
    name: str = ""  # parameter or header name
    location: str = ""  # parameter location: path, query, header, cookie
    status: str = ""  # response status ("200", "4XX", "default")
    json_path: tuple[str, ...] = ()
    absent: bool = False
    media: str = ""  # the body's media type, for bodies

    def describe(self) -> str:
        """``request body /lines/[]/quantity`` style text for people (``[]``: array items)."""
        body = " /" + "/".join(self.json_path) if self.json_path else ""
        if self.part == "parameter":
            return f"{self.location} parameter {self.name}{body}"
        if self.part == "request-body":
            return f"request body{body}"
        if self.part == "response-body":
            return f"response {self.status} body{body}"
        if self.part == "response-header":
            return f"response {self.status} header {self.name}{body}"
        if self.part == "response-status":
            return f"response {self.status}"
        return ""


@dataclass(slots=True, frozen=True)
class Consumer:
    """One consumer interaction a breaking change breaks."""

    consumer: str
    provider: str
    interaction: str
    pact_file: str
    pointer: str  # JSON pointer into the pact file, to the part the interaction uses

    def as_dict(self) -> dict[str, str]:
        return {
            "consumer": self.consumer,
            "provider": self.provider,
            "interaction": self.interaction,
            "pact_file": self.pact_file,
            "pointer": self.pointer,
        }


@dataclass(slots=True)
class Change:
    """One classified difference between the old and the new contract."""

    id: str
    level: Level
    message: str
    operation: str  # "POST /orders", or "" for contract-wide changes
    target: Target
    old_location: Location | None = None
    new_location: Location | None = None
    oasdiff_id: str | None = None
    consumers: list[Consumer] = field(default_factory=list)
    service: str = ""
    detail: str = ""  # the message without the path, shared by every place an edit reaches

    @property
    def path(self) -> str:
        """Where in the operation: ``request body /lines/[]/quantity``."""
        return self.target.describe()

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "level": self.level.value,
            "oasdiff_id": self.oasdiff_id,
            "message": self.message,
            "operation": self.operation,
            "path": self.path,
            "media_type": self.target.media or None,
            "old_location": _loc(self.old_location),
            "new_location": _loc(self.new_location),
            "consumers": [c.as_dict() for c in self.consumers],
        }
        if self.service:
            data["service"] = self.service
        return data

    def sort_key(self) -> tuple[int, str, str, str, str]:
        return (_ORDER[self.level], self.service, self.operation, self.path, self.id)

    @property
    def edit(self) -> tuple[str, str, str, str]:
        """What identifies the underlying edit, wherever it is reached from."""
        return (self.id, _loc(self.old_location) or "", _loc(self.new_location) or "", self.detail)


_ORDER = {Level.BREAKING: 0, Level.NON_BREAKING: 1, Level.INFO: 2}


def _loc(location: Location | None) -> str | None:
    return str(location) if location is not None else None


@dataclass(slots=True)
class DiffResult:
    """Every change between two contracts (or several, in ``--base`` mode)."""

    changes: list[Change] = field(default_factory=list)
    #: pact files looked at, for the summary
    pacts: int = 0
    contracts: int = 1

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.level is Level.BREAKING]

    @property
    def affected_consumers(self) -> list[str]:
        return sorted({c.consumer for ch in self.breaking for c in ch.consumers})

    def summary(self) -> dict[str, Any]:
        """Counts by level, breaking changes with and without consumers, consumers affected."""
        levels = Counter(c.level.value for c in self.changes)
        distinct = Counter(level for level, _ in {(c.level.value, c.edit) for c in self.changes})
        breaking = self.breaking
        return {
            "total": len(self.changes),
            "distinct_edits": {
                "breaking": distinct.get(Level.BREAKING.value, 0),
                "non_breaking": distinct.get(Level.NON_BREAKING.value, 0),
                "info": distinct.get(Level.INFO.value, 0),
            },
            "operations": len({(c.service, c.operation) for c in self.changes if c.operation}),
            "breaking": levels.get(Level.BREAKING.value, 0),
            "non_breaking": levels.get(Level.NON_BREAKING.value, 0),
            "info": levels.get(Level.INFO.value, 0),
            "breaking_with_consumers": sum(1 for c in breaking if c.consumers),
            "breaking_without_consumers": sum(1 for c in breaking if not c.consumers),
            "affected_consumers": self.affected_consumers,
            "pact_files": self.pacts,
            "by_id": dict(sorted(Counter(c.id for c in self.changes).items())),
        }

    def exit_code(self, fail_on: FailOn | None = None) -> int:
        """1 when the breaking changes fail the run, by ``fail_on``.

        ``consumer``: a breaking change affects a consumer's pact; ``breaking``: any
        breaking change; ``never``: always 0. By default ``consumer`` when pacts were
        checked and ``breaking`` when there were none: with no pact nobody can say
        that a breaking change is safe.
        """
        mode = fail_on or ("consumer" if self.pacts else "breaking")
        if mode == "never":
            return 0
        if mode == "breaking":
            return 1 if self.breaking else 0
        return 1 if any(c.consumers for c in self.breaking) else 0
