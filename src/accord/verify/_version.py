"""The provider version a verification result is recorded for, and checked against.

By default it is the git commit of the repository (``HEAD``); when the provider's own
sources (its module and its generated code) have uncommitted changes, a ``-dirty.``
suffix carries a digest of those changes, so two different edits on the same commit
are two versions. Outside git it is a digest of the provider's sources, and says so.
``--provider-version`` overrides all of this (CI passes its build's version).
"""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

from accord.workspace import Workspace

__all__ = ["ProviderVersion", "git_branch", "git_commit", "provider_version"]

_SKIPPED_PARTS = {
    "__pycache__", ".hypothesis", ".pytest_cache", ".mypy_cache", "node_modules", ".git",
    ".venv",
}  # fmt: skip


@dataclass(slots=True, frozen=True)
class ProviderVersion:
    value: str
    source: str  # how the value was found, for people: "git commit", "--provider-version", ...

    def __str__(self) -> str:
        return self.value


def _sources(workspace: Workspace, provider: str) -> list[Path]:
    """The provider's code: its module (a package folder or a ``.py``), the folder its
    ``command`` runs in (``cwd``, when it is its own), and its generated code."""
    paths = []
    spec = workspace.services[provider]
    module = spec.module
    if module:
        base = workspace.root.resolve().joinpath(*module.split("."))
        paths += [p for p in (base, base.with_suffix(".py")) if p.exists()]
    if spec.command and spec.cwd is not None and spec.cwd.is_dir():
        own = spec.cwd.resolve()
        if own != workspace.root.resolve() and not workspace.root.resolve().is_relative_to(own):
            paths.append(own)
    generated = (workspace.generated_dir / provider).resolve()
    if generated.exists():
        paths.append(generated)
    return paths


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    try:
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, check=False, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):  # no git at all
        return None


def _files(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        candidates = [path] if path.is_file() else sorted(path.rglob("*"))
        found += [
            p
            for p in candidates
            if p.is_file() and not _SKIPPED_PARTS & set(p.parts) and p.suffix != ".pyc"
        ]
    return found


def _digest_files(root: Path, files: list[Path]) -> str:
    sha = hashlib.sha256()
    for file in files:
        name = file.relative_to(root) if file.is_relative_to(root) else file
        sha.update(f"{name}\0".encode())
        sha.update(file.read_bytes())
        sha.update(b"\0")
    return sha.hexdigest()[:12]


def provider_version(
    workspace: Workspace, provider: str, override: str | None = None
) -> ProviderVersion:
    """The version of ``provider``'s code now: ``override``, else from git, else a digest."""
    if override:
        return ProviderVersion(override, "--provider-version")
    root = workspace.root.resolve()
    sources = _sources(workspace, provider)
    relative = [str(p.relative_to(root)) if p.is_relative_to(root) else str(p) for p in sources]
    head = _git(root, "rev-parse", "--verify", "HEAD")
    if head is not None and head.returncode == 0 and head.stdout.strip():
        commit = head.stdout.decode().strip()
        pathspec = ["--", *relative] if relative else []
        changed = _git(root, "diff", "HEAD", "--binary", *pathspec)
        untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z", *pathspec)
        diff = changed.stdout if changed is not None else b""
        new = [root / n.decode() for n in untracked.stdout.split(b"\0") if n] if untracked else []
        if not diff and not new:
            return ProviderVersion(commit, "git commit")
        sha = hashlib.sha256(diff)
        sha.update(_digest_files(root, _files(new)).encode())
        return ProviderVersion(
            f"{commit}-dirty.{sha.hexdigest()[:12]}",
            "git commit with uncommitted changes in " + (", ".join(relative) or "the repository"),
        )
    if not sources:
        return ProviderVersion(
            "unversioned",
            f"not a git repository, and no sources of {provider!r} found (its `module`, or "
            "the `cwd` of its `command`, in accord.yaml): pass --provider-version to name "
            "the version",
        )
    return ProviderVersion(
        f"src.{_digest_files(root, _files(sources))}",
        f"not a git repository: a digest of {', '.join(relative)} "
        "(pass --provider-version to name the version)",
    )


def git_commit(folder: Path) -> str | None:
    """The commit checked out in ``folder``'s repository (None outside git)."""
    found = _git(folder, "rev-parse", "--verify", "HEAD")
    if found is None or found.returncode != 0:
        return None
    return found.stdout.decode().strip() or None


def git_branch(folder: Path) -> str | None:
    """The branch checked out (None outside git or on a detached HEAD)."""
    found = _git(folder, "rev-parse", "--abbrev-ref", "HEAD")
    if found is None or found.returncode != 0:
        return None
    name = found.stdout.decode().strip()
    return name if name and name != "HEAD" else None
