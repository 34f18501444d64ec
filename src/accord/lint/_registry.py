"""The lint rule registry: each rule is one small function registered by decorator.

A rule has a stable id, a default severity, a one-line description and a scope:

- ``contract``: called with a :class:`~accord.core.Contract`;
- ``workspace``: called with the :class:`LintTarget` (all contracts, by service);
- ``pact``: called with a :class:`~accord.core.PactFile` and the target;
- ``asyncapi``: called with an :class:`~accord.core.AsyncContract`.

It yields ``(location, message)`` pairs; the runner turns them into findings
with the rule's id and (possibly configured) severity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from accord._errors import Location
from accord._findings import Severity

if TYPE_CHECKING:  # linting an OpenAPI file imports neither the AsyncAPI nor the pact model
    from accord.core import AsyncContract, Contract, PactFile

__all__ = ["RULES", "LintTarget", "Rule", "rule"]

Scope = Literal["contract", "workspace", "pact", "asyncapi"]
Report = Iterator[tuple[Location, str]]


@dataclass(slots=True)
class LintTarget:
    """What one lint run looks at: contracts (by service name when known) and pact files."""

    contracts: dict[str, Contract] = field(default_factory=dict)
    pacts: list[PactFile] = field(default_factory=list)
    #: AsyncAPI documents (event contracts), by service name when known
    events: dict[str, AsyncContract] = field(default_factory=dict)
    #: names of the workspace's services and consumers, when linting a workspace
    parties: set[str] | None = None


@dataclass(slots=True, frozen=True)
class Rule:
    id: str
    severity: Severity
    scope: Scope
    description: str
    check: Callable[..., Report]


RULES: dict[str, Rule] = {}


def rule(
    rule_id: str, severity: Severity, scope: Scope = "contract"
) -> Callable[[Callable[..., Report]], Callable[..., Report]]:
    """Register ``check`` as lint rule ``rule_id``; its docstring's first line describes it."""

    def register(check: Callable[..., Report]) -> Callable[..., Report]:
        if rule_id in RULES:
            raise ValueError(f"lint rule {rule_id!r} is registered twice")
        doc = (check.__doc__ or "").strip().splitlines()
        RULES[rule_id] = Rule(rule_id, severity, scope, doc[0] if doc else rule_id, check)
        return check

    return register


def describe() -> list[dict[str, Any]]:
    return [
        {"id": r.id, "severity": r.severity.value, "scope": r.scope, "description": r.description}
        for r in RULES.values()
    ]
