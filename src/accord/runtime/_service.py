"""What every service of a workspace needs besides its handlers.

- :class:`Database`: one SQLite file in WAL mode, a connection per unit of work,
  ``BEGIN IMMEDIATE`` transactions so concurrent writers serialise instead of racing.
- :class:`ProviderStates`: the provider-state handlers a service declares for pact
  verification ("product {product_id} has {count} in stock"), by pattern.
- :func:`mint_token`: an HS256 JWT for service-to-service calls.
- :func:`new_id`, :func:`utcnow`: ids in the contracts' ``prefix_...`` style, timestamps.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import sqlite3
import string
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["Database", "ProviderStates", "mint_token", "new_id", "utcnow"]

_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str, length: int = 16) -> str:
    """``prd_7Hx2Kq9LmN4pQ8rT``: a prefix and random letters and digits."""
    return f"{prefix}_{''.join(secrets.choice(_ALPHABET) for _ in range(length))}"


def utcnow() -> str:
    """The current time as RFC 3339 with a ``Z`` (what the contracts' date-time examples use)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint_token(claims: dict[str, Any], secret: str, *, ttl: int = 300) -> str:
    """An HS256-signed JWT with ``claims`` plus ``iat``/``exp``."""
    now = int(time.time())
    payload = {"iat": now, "exp": now + ttl, **claims}
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    signature = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(signature)}"


class Database:
    """A SQLite database file: WAL, a busy timeout, the schema created on first use."""

    def __init__(self, path: str | Path, schema: str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(schema)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection for one unit of work (connections are cheap; threads never share one)."""
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL survives a killed process
        conn.execute("PRAGMA foreign_keys=ON")
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``: writers queue for the lock, nobody reads stale."""
        with self.connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")


@dataclass(slots=True, frozen=True)
class _State:
    pattern: str
    regex: re.Pattern[str]
    setup: Callable[..., Any]


def _dependency_states(implied: object) -> dict[str, list[str]]:
    if implied is None:
        return {}
    if not isinstance(implied, Mapping) or not all(
        isinstance(k, str) and isinstance(v, Sequence) and not isinstance(v, str)
        and all(isinstance(s, str) for s in v)
        for k, v in implied.items()
    ):  # fmt: skip
        raise TypeError(
            "a provider-state handler returns None or {dependency: [state, ...]}, "
            f"not {implied!r}"
        )
    return {k: list(v) for k, v in implied.items()}


@dataclass(slots=True)
class ProviderStates:
    """Provider-state handlers, declared by pattern::

    states = ProviderStates()

    @states.state("product {product_id} has {count} in stock")
    def stock(product_id: str, count: str) -> None: ...

    A handler may return the states its provider's dependencies must be in for the
    story to hold (``{"catalog": ["product prd_1 has 0 in stock"]}``): the state
    endpoint answers them as ``{"dependencies": ...}`` and ``accord verify`` sets them
    on the dependencies' pact-mode mocks.
    """

    _states: list[_State] = field(default_factory=list)

    def state(self, pattern: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        parts = re.split(r"\{(\w+)\}", pattern)
        regex = "".join(
            re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)
        )

        def register(setup: Callable[..., Any]) -> Callable[..., Any]:
            self._states.append(_State(pattern, re.compile(regex + "$"), setup))
            return setup

        return register

    @property
    def patterns(self) -> list[str]:
        return [s.pattern for s in self._states]

    def setup(self, name: str, params: dict[str, Any] | None = None) -> dict[str, list[str]]:
        """Run the handler whose pattern matches ``name``; ``params`` win over the pattern's.

        Returns the dependency states the handler named (dependency -> state names).
        """
        for state in self._states:
            match = state.regex.match(name)
            if match:
                implied = state.setup(**{**match.groupdict(), **(params or {})})
                return _dependency_states(implied)
        known = "; ".join(self.patterns) or "none"
        raise LookupError(f"no provider state matches {name!r} (declared: {known})")
