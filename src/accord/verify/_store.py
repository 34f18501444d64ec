"""The results store: which pact passed verification, at which provider version, when.

A result is keyed by the pact's content hash, the provider contract's hash and the
provider's version (see ``_version``). The verdict follows the compatibility matrix's
rules (``accord.core.summarise_matrix``), the same ones ``accord broker`` applies: a
pact content, at a provider version, with the newest result of that version counting.
``accord can-i-deploy SERVICE`` answers from it:
a service may go out when every current pact it takes part in, as provider or
consumer, has a passing verification of that exact pact against the provider's
current contract *and* current code. A pact that was not verified (``--no-pacts``)
has no result, which is not the same as a failed one.

Stores written before versions were recorded are migrated in place: their rows get
no version, so they never count for any version.

The messages a provider published during its property tests are recorded too, per its
AsyncAPI document's hash and its version (``event_checks``): a provider whose newest
check at its current version and document found violations cannot be deployed; one
never checked is not held back by it (no message seen is no result, as for pacts).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from accord._errors import AccordError
from accord.core import MatrixRow, PactFile, summarise_matrix
from accord.verify._version import ProviderVersion, provider_version
from accord.workspace import Workspace

__all__ = ["Deployability", "ResultsStore", "digest"]

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS verifications (
    provider TEXT NOT NULL,
    consumer TEXT NOT NULL,
    pact_sha256 TEXT NOT NULL,
    contract_sha256 TEXT NOT NULL,
    passed INTEGER NOT NULL,
    git_commit TEXT,
    verified_at TEXT NOT NULL,
    provider_version TEXT
);
CREATE INDEX IF NOT EXISTS verifications_pact ON verifications(pact_sha256, contract_sha256);
CREATE TABLE IF NOT EXISTS event_checks (
    provider TEXT NOT NULL,
    events_sha256 TEXT NOT NULL,
    provider_version TEXT NOT NULL,
    passed INTEGER NOT NULL,
    seen INTEGER NOT NULL,
    violations INTEGER NOT NULL,
    verified_at TEXT NOT NULL
);
"""
LOCK_TIMEOUT = 5.0  # seconds to wait for another writer before giving up


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(slots=True, frozen=True)
class Deployability:
    service: str
    ok: bool
    reasons: tuple[str, ...]  # what is missing or failing; empty when ok
    checked: tuple[str, ...]  # the pacts looked at
    versions: tuple[tuple[str, ProviderVersion], ...] = ()  # (provider, version) checked at


class ResultsStore:
    """An SQLite file of verification results.

    With ``create=False`` (``can-i-deploy``) the file is only read: a missing file is a
    store with no results, and nothing is written or migrated on disk.
    """

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        self.create = create
        if path.is_dir():
            raise self._error("is a directory, not a results file")
        if create:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise self._error(f"cannot create its folder: {exc.strerror or exc}") from exc
            with self._connect() as conn:
                self._migrate(conn)
        elif path.exists():
            with self._connect() as conn:
                self._columns(conn)  # fails now, with the reason, if it is not a results store

    def _error(self, reason: str) -> AccordError:
        return AccordError(f"results store {self.path}: {reason}")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            if self.create:
                conn = sqlite3.connect(self.path, timeout=LOCK_TIMEOUT)
            else:
                uri = f"{self.path.resolve().as_uri()}?mode=ro"
                conn = sqlite3.connect(uri, uri=True, timeout=LOCK_TIMEOUT)
            with closing(conn), conn:
                yield conn
        except sqlite3.DatabaseError as exc:
            reason = str(exc)
            if "not a database" in reason:
                reason = "not an SQLite file (file is not a database)"
            elif "locked" in reason:
                reason = f"locked by another process for over {LOCK_TIMEOUT:.0f} s ({exc})"
            raise self._error(reason) from exc

    def _columns(self, conn: sqlite3.Connection) -> set[str]:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(verifications)")}
        if columns and not {"pact_sha256", "contract_sha256", "passed"} <= columns:
            raise self._error("an SQLite file, but not an accord results store")
        return columns

    def _migrate(self, conn: sqlite3.Connection) -> None:
        columns = self._columns(conn)
        conn.executescript(SCHEMA)
        if columns and "provider_version" not in columns:
            conn.execute("ALTER TABLE verifications ADD COLUMN provider_version TEXT")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def record(
        self,
        workspace: Workspace,
        provider: str,
        pact: Path,
        consumer: str,
        passed: bool,
        version: ProviderVersion,
    ) -> None:
        """Record one verification of ``pact`` against ``provider`` at ``version``."""
        commit = version.value.split("-dirty", 1)[0] if version.source.startswith("git") else None
        row = (
            provider, consumer, digest(pact), digest(workspace.services[provider].contract),
            int(passed), commit, datetime.now(UTC).isoformat(timespec="seconds"), version.value,
        )  # fmt: skip
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO verifications (provider, consumer, pact_sha256, contract_sha256,"
                " passed, git_commit, verified_at, provider_version)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )

    def record_events(
        self,
        workspace: Workspace,
        provider: str,
        seen: int,
        violations: int,
        version: ProviderVersion,
    ) -> None:
        """Record what ``provider`` published during one property phase, at ``version``."""
        events = workspace.services[provider].events
        assert events is not None, provider
        row = (
            provider, digest(events), version.value, int(violations == 0), seen, violations,
            datetime.now(UTC).isoformat(timespec="seconds"),
        )  # fmt: skip
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO event_checks (provider, events_sha256, provider_version, passed,"
                " seen, violations, verified_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                row,
            )

    def _events_reason(
        self, workspace: Workspace, service: str, version: str | None
    ) -> tuple[str | None, ProviderVersion | None]:
        """Why ``service``'s published messages hold it back (None: they do not)."""
        events = workspace.services[service].events if service in workspace.services else None
        if events is None or not self.path.exists():
            return None, None
        at = provider_version(workspace, service, version)
        with self._connect() as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if "event_checks" not in tables:
                return None, at
            row = conn.execute(
                "SELECT passed, seen, violations FROM event_checks WHERE provider = ? AND "
                "events_sha256 = ? AND provider_version = ? ORDER BY rowid DESC LIMIT 1",
                (service, digest(events), at.value),
            ).fetchone()
        if row is None or row[0]:
            return None, at
        return (
            f"{service} published {row[2]} of {row[1]} message(s) that do not fit "
            f"{events.name} at version {at} (see `accord verify {service}`)"
        ), at

    def can_i_deploy(
        self, workspace: Workspace, service: str, version: str | None = None
    ) -> Deployability:
        """Whether every current pact ``service`` is in passed at the current versions.

        ``version`` is ``service``'s own version as a provider (default: from git); the
        versions of the other providers it consumes are always their current ones.
        """
        reasons: list[str] = []
        checked: list[str] = []
        rows: list[MatrixRow] = []
        versions: dict[str, ProviderVersion] = {}
        with self._reading() as lookup:
            for path in workspace.pact_paths():
                pact = PactFile.from_path(path)
                if service not in (pact.provider, pact.consumer):
                    continue
                checked.append(path.name)
                label = f"{path.name} ({pact.consumer} -> {pact.provider})"
                if pact.provider not in workspace.services:
                    reasons.append(
                        f"{path.name}: provider {pact.provider!r} is not a workspace service"
                    )
                    rows.append(
                        MatrixRow(pact.consumer, path.name, pact.provider, None, None, None)
                    )
                    continue
                at = versions.get(pact.provider)
                if at is None:
                    at = provider_version(
                        workspace, pact.provider, version if pact.provider == service else None
                    )
                    versions[pact.provider] = at
                contract = digest(workspace.services[pact.provider].contract)
                sha = digest(path)
                passed, older = lookup(sha, contract, at.value)
                # the consumer's version is its pact file as it is now (its content)
                rows.append(
                    MatrixRow(pact.consumer, path.name, pact.provider, at.value, sha, passed)
                )
                if passed is None:
                    reasons.append(
                        f"no verification result for {label} at {pact.provider} version {at}"
                        + (f" (last verified at {older})" if older else "")
                        + f": run `accord verify {pact.provider}`"
                    )
                elif not passed:
                    reasons.append(
                        f"{label} failed its verification at {pact.provider} version {at}"
                    )
        # the verdict is the matrix's rule, the one a Pact Broker applies (accord.core);
        # the reasons stay local ones, which say which command makes the result
        verdict = summarise_matrix(rows, "the current version")
        events, at = self._events_reason(workspace, service, version)
        if events is not None:
            reasons.append(events)
        if at is not None:
            versions.setdefault(service, at)
        return Deployability(
            service,
            verdict.deployable and events is None,
            tuple(reasons),
            tuple(checked),
            tuple(versions.items()),
        )

    @contextmanager
    def _reading(self) -> Iterator[Callable[[str, str, str], tuple[bool | None, str | None]]]:
        """``lookup(pact, contract, version)``: (passed or None, the latest other version)."""
        if not self.path.exists():
            yield lambda _pact, _contract, _version: (None, None)
            return
        with self._connect() as conn:
            columns = self._columns(conn)
            yield lambda pact, contract, version: _lookup(conn, columns, pact, contract, version)


_UNKNOWN = "an unknown version (recorded before versions were kept)"


def _lookup(
    conn: sqlite3.Connection, columns: set[str], pact: str, contract: str, version: str
) -> tuple[bool | None, str | None]:
    if not columns:  # an empty SQLite file: nothing recorded yet
        return None, None
    versioned = "provider_version" in columns
    latest = conn.execute(
        f"SELECT passed, {'provider_version' if versioned else 'NULL'} FROM verifications "
        "WHERE pact_sha256 = ? AND contract_sha256 = ? ORDER BY rowid DESC LIMIT 1",
        (pact, contract),
    ).fetchone()
    if latest is None:
        return None, None
    if versioned:
        row = conn.execute(
            "SELECT passed FROM verifications WHERE pact_sha256 = ? AND contract_sha256 = ? "
            "AND provider_version = ? ORDER BY rowid DESC LIMIT 1",
            (pact, contract, version),
        ).fetchone()
        if row is not None:
            return bool(row[0]), None
    return None, latest[1] or _UNKNOWN
