"""The broker's database: SQLite by default, PostgreSQL for several instances.

One :class:`Database` hides the two dialects' few differences (placeholders,
auto-numbered keys, the driver's errors). Each thread keeps its own connection;
every request runs in one transaction (:meth:`Database.transaction`), taken with
``BEGIN IMMEDIATE`` on SQLite, so two writers never interleave, and retried on
PostgreSQL when a concurrent writer got there first (a unique key or a
serialization failure), so concurrent publishers lose nothing.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from accord._errors import AccordError

__all__ = ["Cursor", "Database", "Transaction", "Unstorable", "open_database"]

T = TypeVar("T")

_TABLES = """
CREATE TABLE IF NOT EXISTS pacticipants (
    id {ID}, name TEXT NOT NULL UNIQUE, display_name TEXT, main_branch TEXT,
    repository_url TEXT, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (
    id {ID}, pacticipant_id BIGINT NOT NULL REFERENCES pacticipants(id),
    number TEXT NOT NULL, build_url TEXT, created_at TEXT NOT NULL,
    UNIQUE (pacticipant_id, number)
);
CREATE TABLE IF NOT EXISTS branch_versions (
    pacticipant_id BIGINT NOT NULL, branch TEXT NOT NULL,
    version_id BIGINT NOT NULL REFERENCES versions(id), created_at TEXT NOT NULL,
    PRIMARY KEY (version_id, branch)
);
CREATE INDEX IF NOT EXISTS branch_versions_branch ON branch_versions (pacticipant_id, branch);
CREATE TABLE IF NOT EXISTS tags (
    version_id BIGINT NOT NULL REFERENCES versions(id), name TEXT NOT NULL,
    created_at TEXT NOT NULL, PRIMARY KEY (version_id, name)
);
CREATE INDEX IF NOT EXISTS tags_name ON tags (name);
CREATE TABLE IF NOT EXISTS pact_contents (
    sha TEXT PRIMARY KEY, consumer_id BIGINT NOT NULL, provider_id BIGINT NOT NULL,
    content TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS publications (
    id {ID}, consumer_version_id BIGINT NOT NULL REFERENCES versions(id),
    consumer_id BIGINT NOT NULL, provider_id BIGINT NOT NULL,
    sha TEXT NOT NULL REFERENCES pact_contents(sha), created_at TEXT NOT NULL,
    UNIQUE (consumer_version_id, provider_id)
);
CREATE INDEX IF NOT EXISTS publications_provider ON publications (provider_id, consumer_id);
CREATE INDEX IF NOT EXISTS publications_sha ON publications (sha);
CREATE TABLE IF NOT EXISTS verifications (
    id {ID}, sha TEXT NOT NULL, provider_version_id BIGINT NOT NULL REFERENCES versions(id),
    success INTEGER NOT NULL, build_url TEXT, body TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS verifications_sha ON verifications (sha, provider_version_id);
CREATE INDEX IF NOT EXISTS verifications_version ON verifications (provider_version_id);
CREATE TABLE IF NOT EXISTS environments (
    uuid TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, display_name TEXT,
    production INTEGER NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deployments (
    uuid TEXT PRIMARY KEY, version_id BIGINT NOT NULL REFERENCES versions(id),
    environment TEXT NOT NULL REFERENCES environments(uuid), kind TEXT NOT NULL,
    target TEXT, current INTEGER NOT NULL, created_at TEXT NOT NULL, ended_at TEXT
);
CREATE INDEX IF NOT EXISTS deployments_env ON deployments (environment, current);
"""

Cursor = Any  # sqlite3.Cursor or psycopg.Cursor: both have fetchone/fetchall and rowcount


class Database:
    """A connection factory plus the dialect: ``run`` takes SQL with ``?`` placeholders."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres = url.startswith(("postgresql://", "postgres://"))
        self._local = threading.local()
        if not self.postgres:
            path = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:") else Path(url)
            if path.is_dir():
                raise AccordError(f"broker database {path}: is a directory, not a database file")
            path.parent.mkdir(parents=True, exist_ok=True)
            self.path: Path | None = path
        else:
            self.path = None
        with self.transaction() as tx:
            tx.script(_TABLES.replace("{ID}", self._id_column))

    @property
    def _id_column(self) -> str:
        return "BIGSERIAL PRIMARY KEY" if self.postgres else "INTEGER PRIMARY KEY AUTOINCREMENT"

    def _connect(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        if self.postgres:
            import psycopg  # noqa: PLC0415 - only for PostgreSQL brokers

            try:
                conn = psycopg.connect(self.url, autocommit=True)
            except psycopg.Error as exc:
                raise AccordError(f"broker database: cannot connect: {exc}".strip()) from exc
        else:
            conn = sqlite3.connect(
                self.path or ":memory:", timeout=30, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
        self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Transaction]:
        """One transaction (SQLite: a writer takes the lock up front, readers do not)."""
        conn = self._connect()
        tx = Transaction(self, conn)
        if self.postgres:
            conn.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
        else:
            try:
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            except sqlite3.DatabaseError as exc:
                raise AccordError(f"broker database {self.path}: {exc}") from exc
        try:
            yield tx
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def retrying(self, work: Callable[[Transaction], T], *, write: bool = True) -> T:
        """``work(tx)`` in a transaction, retried when a concurrent writer conflicted."""
        attempts = 20
        for attempt in range(attempts):
            try:
                with self.transaction(write=write) as tx:
                    return work(tx)
            except Exception as exc:
                if not self._is_conflict(exc) or attempt == attempts - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    def _is_conflict(self, exc: Exception) -> bool:
        if self.postgres:
            sqlstate = getattr(exc, "sqlstate", None)
            return sqlstate in ("23505", "40001", "40P01")
        return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


class Unstorable(ValueError):
    """A value neither database may store the same way (a NUL character in a name): the
    request that sent it is refused (400) on SQLite as on PostgreSQL."""


class Transaction:
    """SQL run inside one transaction, with ``?`` placeholders in both dialects."""

    def __init__(self, db: Database, conn: Any) -> None:
        self._db = db
        self._conn = conn

    @property
    def postgres(self) -> bool:
        return self._db.postgres

    def run(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        for value in params:
            if isinstance(value, str) and "\x00" in value:  # PostgreSQL's text cannot hold one
                raise Unstorable(f"{value[:60]!r} holds a NUL character, which no name may")
        if self._db.postgres:
            sql = sql.replace("?", "%s")
        return self._conn.execute(sql, tuple(params))

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.run(sql, params).fetchone()

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(self.run(sql, params).fetchall())

    def script(self, sql: str) -> None:
        for statement in sql.split(";"):
            if statement.strip():
                self._conn.execute(statement)


def open_database(url: str) -> Database:
    """``sqlite:///path`` or a plain path (SQLite), or a ``postgresql://`` URL."""
    return Database(url)
