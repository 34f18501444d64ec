"""Per-request data (kept in the ASGI scope) and the mocked services it is routed to."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from accord.core import Contract, Operation, query_of
from accord.mock._asgi import Scope
from accord.mock._plan import OperationPlan
from accord.mock._typing import IntRanges

__all__ = ["SCOPE_KEY", "Exchange", "Service", "exchange_of", "parse_prefer"]

#: where the :class:`Exchange` of a request lives in its ASGI scope
SCOPE_KEY = "accord.mock"


class Service:
    """One contract being mocked; operation plans are built on first use, then kept."""

    def __init__(self, name: str, contract: Contract, seed: int) -> None:
        self.name = name
        self.contract = contract
        self.seed = seed
        self._plans: dict[tuple[str, str], OperationPlan] = {}
        self.int_ranges = IntRanges(contract)
        #: scenario name -> (method, path template) -> answer, from mocks/<service>.yaml
        self.scenarios: dict[str, dict[tuple[str, str], Any]] = {}
        #: collection path -> records present at start and after a reset (stateful mode)
        self.records: dict[str, list[dict[str, Any]]] = {}

    def plan(self, operation: Operation) -> OperationPlan:
        key = (operation.method, operation.path)
        found = self._plans.get(key)
        if found is None:
            found = OperationPlan(self.contract, operation, self.seed)
            self._plans[key] = found
        return found

    def warm(self, pause: float | None = None) -> int:
        """Plan every operation and its default answer now; returns how many were planned.

        With ``pause``, sleep that long after each operation: a background warm-up
        then gives the GIL back to the server between validator compilations, so
        requests arriving meanwhile are not kept waiting behind it.
        """
        for operation in self.contract.operations:
            plan = self.plan(operation)
            if plan.default is not None:
                plan.default.canned()
            if pause is not None:
                time.sleep(pause)
        return len(self._plans)


@dataclass(slots=True)
class Exchange:
    """What the pipeline learns about one request, step by step."""

    method: str
    path: str
    headers: dict[str, str]
    raw_query: bytes
    started: float = field(default_factory=time.perf_counter)
    query: dict[str, list[str]] = field(default_factory=dict)
    query_sent: dict[str, list[str]] = field(default_factory=dict)  # values still encoded
    prefer: dict[str, str] = field(default_factory=dict)
    service: Service | None = None
    plan: OperationPlan | None = None
    path_params: Mapping[str, str] = field(default_factory=dict)
    path_sent: Mapping[str, str] | None = None  # path_params still percent-encoded
    params: dict[tuple[str, str], Any] = field(default_factory=dict)
    body: Any = None
    body_present: bool = False
    status: int = 0
    source: str = ""  # what answered: example, generated, state, problem, ...

    @classmethod
    def from_scope(cls, scope: Scope) -> Exchange:
        headers: dict[str, str] = {}
        for name, value in scope.get("headers") or ():
            key = name.decode("latin-1").lower()
            text = value.decode("latin-1")
            headers[key] = f"{headers[key]}, {text}" if key in headers else text
        found = cls(
            method=str(scope.get("method", "GET")).upper(),
            path=str(scope.get("path", "/")),
            headers=headers,
            raw_query=bytes(scope.get("query_string") or b""),
        )
        prefer = headers.get("prefer")
        if prefer:
            found.prefer = parse_prefer(prefer)
        return found

    def parse_query(self) -> str | None:
        """Fill :attr:`query`; returns a reason when the query string cannot be read."""
        try:
            self.query, self.query_sent = query_of(self.raw_query)
        except ValueError as exc:
            return f"the query string cannot be read: {exc}"
        return None


def exchange_of(scope: Scope) -> Exchange:
    """The :class:`Exchange` the first step put in ``scope``."""
    found = scope.get(SCOPE_KEY)
    if not isinstance(found, Exchange):
        found = Exchange.from_scope(scope)
        scope[SCOPE_KEY] = found
    return found


def parse_prefer(header: str) -> dict[str, str]:
    """``Prefer: code=404, example=missing`` -> ``{"code": "404", "example": "missing"}``."""
    out: dict[str, str] = {}
    for part in header.replace(";", ",").split(","):
        name, sep, value = part.strip().partition("=")
        if sep and name:
            out[name.strip().lower()] = value.strip().strip('"')
    return out
