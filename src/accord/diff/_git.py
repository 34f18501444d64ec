"""Reading an older version of a contract from git (``accord diff --base REF``).

Only read-only git commands run (``rev-parse``, ``show``), and user input never
reaches them as an option: the revision is refused if it starts with ``-``, then
resolved with ``rev-parse --verify --end-of-options`` to a commit hash, which is all
``git show`` ever sees. The contract and every local file it
``$ref`` s are written under a temporary directory with the same layout, so
relative references resolve exactly as they did at that commit.
"""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from accord._errors import AccordError, LoadError
from accord.core import load_source
from accord.diff._walk import all_refs

__all__ = ["checkout_contract"]


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AccordError(f"cannot run git: {exc}") from None


def _commit(ref: str, root: Path) -> str:
    """The commit hash ``ref`` names; ``ref`` is never read as an option."""
    if not ref or ref.startswith("-") or "\0" in ref:
        raise AccordError(
            f"--base {ref!r} is not a git revision (a branch, tag or commit; "
            "it cannot start with '-')"
        )
    done = _git(["rev-parse", "--verify", "--end-of-options", f"{ref}^{{commit}}"], root)
    commit = done.stdout.decode(errors="replace").strip()
    if done.returncode != 0 or not commit:
        reason = done.stderr.decode(errors="replace").strip().splitlines()
        raise AccordError(
            f"git cannot read {ref!r} in {root}: {reason[0] if reason else 'not a commit'}"
        )
    return commit


def checkout_contract(ref: str, contract: Path, root: Path, into: Path) -> Path | None:
    """Write ``contract`` as it was at ``ref`` (with the files it refers to) under ``into``.

    ``root`` anchors the layout (the workspace root). Returns the copy's path, or None
    when the contract did not exist at ``ref``.
    """
    root = root.resolve()
    commit = _commit(ref, root)
    start = PurePosixPath(contract.resolve().relative_to(root).as_posix())
    pending, seen = [start], set()
    while pending:
        rel = pending.pop()
        if rel in seen:
            continue
        seen.add(rel)
        done = _git(["show", "--end-of-options", f"{commit}:./{rel}"], root)
        if done.returncode != 0:
            if rel == start:
                return None
            continue  # a $ref to a file that did not exist: loading the contract reports it
        target = into / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(done.stdout)
        try:
            data = load_source(target).data
        except LoadError:
            continue
        for found in all_refs(data):
            file_part = found.partition("#")[0]
            if not file_part or urlsplit(file_part).scheme or file_part.startswith("/"):
                continue
            joined = PurePosixPath(*_normalise(rel.parent / unquote(file_part)))
            if joined.parts and joined.parts[0] != "..":
                pending.append(joined)
    return into / start


def _normalise(path: PurePosixPath) -> list[str]:
    out: list[str] = []
    for part in path.parts:
        if part == "..":
            if out and out[-1] != "..":
                out.pop()
            else:
                out.append(part)
        elif part != ".":
            out.append(part)
    return out
