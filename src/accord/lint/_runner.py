"""Running the registered rules over a workspace or a list of files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from accord import core
from accord._errors import AccordError, Location
from accord._findings import UNUSABLE, Finding, Severity
from accord.core import Contract, DocumentSet, LoadOptions, SourceFile, load_source
from accord.lint import (  # noqa: F401  (registers rules)
    _rules_asyncapi,
    _rules_openapi,
    _rules_workspace,
)
from accord.lint._registry import RULES, LintTarget, Rule

if TYPE_CHECKING:  # linting files needs no workspace layer (a short command's import time)
    from accord.workspace import Workspace

#: the workspace manifest's file name (accord.workspace.MANIFEST_NAME; a test keeps them equal)
MANIFEST_NAME = "accord.yaml"

__all__ = ["LintConfig", "LintResult", "lint_paths", "lint_target", "lint_workspace"]


@dataclass(slots=True, frozen=True)
class LintConfig:
    """Which rules run and how severe they are; defaults run every rule as registered."""

    disable: frozenset[str] = frozenset()
    severities: Mapping[str, Severity] = field(default_factory=dict)
    load: LoadOptions = field(default_factory=LoadOptions)


@dataclass(slots=True)
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    contracts: int = 0
    pacts: int = 0

    @property
    def unusable(self) -> list[Finding]:
        return [f for f in self.findings if f.rule == UNUSABLE]

    def exit_code(self, fail_on: Severity = Severity.WARNING) -> int:
        """2 if some input could not be used at all, 1 for findings at ``fail_on`` or worse."""
        if self.unusable:
            return 2
        return 1 if any(f.severity >= fail_on for f in self.findings) else 0


def lint_workspace(workspace: Workspace, config: LintConfig | None = None) -> LintResult:
    """Lint every contract and pact file of ``workspace``, and the workspace as a whole."""
    config = config or LintConfig()
    result = LintResult()
    target = LintTarget(parties=set(workspace.services) | set(workspace.consumers))
    for name in workspace.services:
        try:
            target.contracts[name] = workspace.contract(name)
        except AccordError as exc:
            result.findings.append(_unusable(exc, workspace.services[name].contract))
        events = workspace.services[name].events
        if events is not None:
            try:
                found = workspace.events(name)
            except AccordError as exc:
                result.findings.append(_unusable(exc, events))
            else:
                if found is not None:
                    target.events[f"{name} (events)"] = found
    for path in workspace.pact_paths():
        _add_file(path, target, result, config, pact_only=True)
    return _run(target, result, config)


def lint_paths(paths: Iterable[str | Path], config: LintConfig | None = None) -> LintResult:
    """Lint the given files (OpenAPI documents, pact files) and workspaces (directories)."""
    config = config or LintConfig()
    result = LintResult()
    target = LintTarget()
    for raw in paths:
        path = Path(raw)
        if path.is_dir() or path.name == MANIFEST_NAME:
            from accord.workspace import Workspace  # noqa: PLC0415

            try:
                workspace = Workspace.from_path(path, config.load)
            except AccordError as exc:
                result.findings.append(_unusable(exc, path))
                continue
            sub = lint_workspace(workspace, config)
            result.findings.extend(sub.findings)
            result.contracts += sub.contracts
            result.pacts += sub.pacts
            continue
        _add_file(path, target, result, config)
    return _run(target, result, config)


def _add_file(
    path: Path, target: LintTarget, result: LintResult, config: LintConfig, pact_only: bool = False
) -> None:
    try:
        source = load_source(path, max_bytes=config.load.max_bytes)
        data = source.data
        is_pact = isinstance(data, dict) and (
            "interactions" in data
            or "messages" in data
            or ("consumer" in data and "provider" in data)
        )
        if is_pact or pact_only:
            # the pact and AsyncAPI models are imported only when such a file is linted
            target.pacts.append(core.PactFile.from_source(source))
        elif isinstance(data, dict) and "asyncapi" in data:
            target.events[_unique_name(source, target)] = core.AsyncContract(
                DocumentSet(
                    source, max_bytes=config.load.max_bytes, ref_roots=config.load.ref_roots
                )
            )
        elif isinstance(data, dict) and ("openapi" in data or "swagger" in data):
            target.contracts[_unique_name(source, target)] = Contract(
                DocumentSet(
                    source, max_bytes=config.load.max_bytes, ref_roots=config.load.ref_roots
                )
            )
        else:
            raise AccordError(
                "neither an OpenAPI or AsyncAPI document (no `openapi` or `asyncapi` field) "
                "nor a pact file (no `interactions`)",
                source.locate(""),
            )
    except AccordError as exc:
        result.findings.append(_unusable(exc, path))


def _unique_name(source: SourceFile, target: LintTarget) -> str:
    name, n = source.display, 1
    while name in target.contracts or name in target.events:
        n += 1
        name = f"{source.display}#{n}"
    return name


def _unusable(exc: AccordError, path: Path) -> Finding:
    location = exc.location or Location(str(path))
    return Finding(UNUSABLE, Severity.ERROR, exc.message, location)


def lint_target(target: LintTarget, config: LintConfig | None = None) -> LintResult:
    """Run every rule over contracts, event contracts and pacts already loaded."""
    return _run(target, LintResult(), config or LintConfig())


def _run(target: LintTarget, result: LintResult, config: LintConfig) -> LintResult:
    rules = [r for r in RULES.values() if r.id not in config.disable]
    result.contracts += len(target.contracts) + len(target.events)
    result.pacts += len(target.pacts)
    for rule in rules:
        if rule.scope == "contract":
            for contract in target.contracts.values():
                _collect(rule, result, config, contract)
        elif rule.scope == "asyncapi":
            for events in target.events.values():
                _collect(rule, result, config, events)
        elif rule.scope == "workspace":
            _collect(rule, result, config, target)
        else:
            for pact in target.pacts:
                _collect(rule, result, config, pact, target)
    result.findings.sort(key=Finding.sort_key)
    return result


def _collect(rule: Rule, result: LintResult, config: LintConfig, *args: object) -> None:
    severity = config.severities.get(rule.id, rule.severity)
    try:
        for location, message in rule.check(*args):
            result.findings.append(Finding(rule.id, severity, message, location))
    except AccordError as exc:  # e.g. a $ref the rule had to follow is broken
        location = exc.location or Location("<unknown>")
        result.findings.append(Finding(UNUSABLE, Severity.ERROR, exc.message, location))
