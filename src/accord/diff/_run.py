"""The two ways to run a diff: two files, or a workspace against a git revision."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from accord._errors import AccordError
from accord.core import Contract, LoadOptions, PactFile
from accord.diff._engine import diff_contracts
from accord.diff._git import checkout_contract
from accord.diff._model import DiffResult
from accord.workspace import Workspace

__all__ = ["diff_files", "diff_workspace", "load_pacts"]


def load_pacts(paths: Iterable[str | Path], options: LoadOptions | None = None) -> list[PactFile]:
    """Pact files from files and directories (every ``*.json`` in a directory)."""
    options = options or LoadOptions()
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(path.glob("*.json")))
        elif path.is_file():
            found.append(path)
        else:
            raise AccordError(f"pact file or directory {path} does not exist")
    return [PactFile.from_path(p, max_bytes=options.max_bytes) for p in found]


def diff_files(
    old: str | Path,
    new: str | Path,
    pacts: Sequence[str | Path] = (),
    options: LoadOptions | None = None,
) -> DiffResult:
    """Diff two contract files; ``pacts`` (files or directories) name the consumers to check."""
    before = Contract.from_path(old, options)
    after = Contract.from_path(new, options)
    return diff_contracts(before, after, load_pacts(pacts, options))


def diff_workspace(
    workspace: Workspace, ref: str, services: Sequence[str] = ()
) -> tuple[DiffResult, list[str]]:
    """Diff each service's contract at git ``ref`` against the working tree.

    Returns the merged result (each change names its service) and notes for the
    services that could not be compared (e.g. new since ``ref``).
    """
    unknown = [s for s in services if s not in workspace.services]
    if unknown:
        known = ", ".join(sorted(workspace.services))
        raise AccordError(f"unknown service {unknown[0]!r}; the workspace has: {known}")
    names = list(services) or list(workspace.services)
    pacts = workspace.pacts()
    merged = DiffResult(contracts=0)
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="accord-diff-") as tmp:
        for name in names:
            spec = workspace.services[name]
            old_path = checkout_contract(ref, spec.contract, workspace.root, Path(tmp) / name)
            if old_path is None:
                notes.append(f"{name}: {spec.contract.name} did not exist at {ref}; skipped")
                continue
            # the copy's $refs stay inside the copy of the workspace, as they did at `ref`
            roots = (Path(tmp) / name, *workspace.options.ref_roots)
            old = Contract.from_path(old_path, replace(workspace.options, ref_roots=roots))
            mine = [p for p in pacts if p.provider == name]
            result = diff_contracts(old, workspace.contract(name), mine, service=name)
            merged.changes.extend(result.changes)
            merged.pacts += result.pacts
            merged.contracts += 1
    return merged, notes
