"""The results store: which pact (by content hash) passed verification, where, when.

``accord can-i-deploy SERVICE`` answers from it: a service may go out when every
current pact it takes part in, as provider or consumer, has a passing verification
of that exact pact against the provider's current contract.
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from accord.core import PactFile
from accord.workspace import Workspace

__all__ = ["Deployability", "ResultsStore", "digest"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS verifications (
    provider TEXT NOT NULL,
    consumer TEXT NOT NULL,
    pact_sha256 TEXT NOT NULL,
    contract_sha256 TEXT NOT NULL,
    passed INTEGER NOT NULL,
    git_commit TEXT,
    verified_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS verifications_pact ON verifications(pact_sha256, contract_sha256);
"""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _commit(root: Path) -> str | None:
    proc = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=False
    )
    return proc.stdout.strip() or None


@dataclass(slots=True, frozen=True)
class Deployability:
    service: str
    ok: bool
    reasons: tuple[str, ...]  # what is missing or failing; empty when ok
    checked: tuple[str, ...]  # the pacts looked at


class ResultsStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(path) as conn:
            conn.executescript(SCHEMA)

    def record(
        self, workspace: Workspace, provider: str, pact: Path, consumer: str, passed: bool
    ) -> None:
        row = (
            provider, consumer, digest(pact), digest(workspace.services[provider].contract),
            int(passed), _commit(workspace.root), datetime.now(UTC).isoformat(timespec="seconds"),
        )  # fmt: skip
        with sqlite3.connect(self.path) as conn:
            conn.execute("INSERT INTO verifications VALUES (?, ?, ?, ?, ?, ?, ?)", row)

    def can_i_deploy(self, workspace: Workspace, service: str) -> Deployability:
        reasons, checked = [], []
        with sqlite3.connect(self.path) as conn:
            for path in workspace.pact_paths():
                pact = PactFile.from_path(path)
                if service not in (pact.provider, pact.consumer):
                    continue
                checked.append(path.name)
                if pact.provider not in workspace.services:
                    reasons.append(
                        f"{path.name}: provider {pact.provider!r} is not a workspace service"
                    )
                    continue
                contract = digest(workspace.services[pact.provider].contract)
                row = conn.execute(
                    "SELECT passed FROM verifications WHERE pact_sha256 = ? "
                    "AND contract_sha256 = ? ORDER BY rowid DESC LIMIT 1",
                    (digest(path), contract),
                ).fetchone()
                if row is None:
                    reasons.append(
                        f"{path.name} ({pact.consumer} -> {pact.provider}) has never been verified "
                        "against the current contracts: run `accord verify " + pact.provider + "`"
                    )
                elif not row[0]:
                    reasons.append(
                        f"{path.name} ({pact.consumer} -> {pact.provider}) failed its last "
                        "verification"
                    )
        return Deployability(service, not reasons, tuple(reasons), tuple(checked))
