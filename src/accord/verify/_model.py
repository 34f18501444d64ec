"""What a verification run is asked to do, and what it found."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CaseResult", "Progress", "ServiceResult", "VerifyOptions"]


@dataclass(slots=True, frozen=True)
class VerifyOptions:
    """How ``accord verify`` runs; the defaults are what ``make verify`` uses."""

    services: tuple[str, ...] = ()  # empty: every service of the workspace
    base_url: str | None = None  # verify an already running provider (one service only)
    max_examples: int = 25  # schemathesis budget per operation
    workers: int = 2  # services verified in parallel
    seed: int = 0
    report_dir: Path = Path("reports")
    results_db: Path = Path(".accord/results.sqlite3")
    pacts: bool = True
    properties: bool = True  # schemathesis
    token: str = ""  # bearer token sent to providers (default: minted with every scope)
    provider_version: str | None = None  # what results are recorded for (default: from git)
    #: verify these pact files instead of the workspace's (pacts fetched from a broker)
    pact_files: tuple[Path, ...] | None = None
    #: copy ``pact_files`` into ``<report dir>/<provider>/pacts/`` and verify the copies
    #: (they were fetched into a folder that is gone after the run)
    keep_pacts: bool = False
    verbose: bool = False  # let the Pact FFI print its per-interaction output as it runs
    #: verify only the pact interactions with this description (``--interaction``) ...
    interaction: str | None = None
    #: ... and these provider states, joined with "; " (``--given``); None: any
    given: str | None = None


@dataclass(slots=True, frozen=True)
class Progress:
    """One step of a run, for a live display or a CI log line.

    ``phase`` is ``start`` (the provider is queued), ``pact``, ``schemathesis``,
    ``messages`` or ``done``;
    ``status`` is ``running``, ``passed``, ``failed``, ``skipped`` or ``info``.
    """

    provider: str
    phase: str
    status: str
    detail: str = ""


@dataclass(slots=True, frozen=True)
class CaseResult:
    """One verified thing: a pact interaction, a schemathesis operation, or a channel.

    A skipped case (``skipped=True``, ``passed=False``) neither passed nor failed; a
    schemathesis phase in which every case was skipped gets a failing case of its own
    saying so. A channel (suite ``messages``) on which no message was seen is skipped with
    ``seen=0``: its verdict is "no message seen".
    """

    suite: str  # "pact", "schemathesis" or "messages"
    name: str
    passed: bool
    message: str = ""
    consumer: str = ""
    state: str = ""
    reproduce: str = ""  # commands that reproduce the failure after the run, one a line
    skipped: bool = False
    pact: Path | None = None  # the pact file the case comes from (suite "pact")
    seen: int | None = None  # messages seen on the channel (suite "messages")
    violations: int = 0  # of which did not fit the document
    interaction: str | None = None  # the pact interaction's description (suite "pact")

    @property
    def verdict(self) -> str:
        """``passed``, ``failed``, ``skipped`` or ``no message seen``."""
        if self.skipped:
            return "no message seen" if self.seen == 0 else "skipped"
        return "passed" if self.passed else "failed"


@dataclass(slots=True)
class ServiceResult:
    provider: str
    cases: list[CaseResult] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)  # phase -> seconds
    error: str = ""  # the provider could not be verified at all (did not start, ...)
    pact_files: list[Path] = field(default_factory=list)
    pacts_verified: bool = False  # pact verification was attempted (not --no-pacts, has pacts)
    version: str = ""  # the provider version the results are recorded for
    evidence: Path | None = None  # reports/<provider>/: logs of the provider, mocks, tools

    @property
    def passed(self) -> bool:
        return not self.error and not self.failures()

    def failures(self) -> list[CaseResult]:
        return [c for c in self.cases if not c.passed and not c.skipped]

    def skipped(self) -> list[CaseResult]:
        return [c for c in self.cases if c.skipped]
