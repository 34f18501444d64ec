"""What the broker knows and how it answers: pacticipants, versions, pacts, results.

Every function takes the open :class:`~accord.broker._db.Transaction`; the HTTP layer
(``_app``) renders what they return. The semantics follow the Pact Broker's
documentation (docs.pact.io/pact_broker), cited where each rule is applied.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from accord.broker._db import Transaction
from accord.broker._merge import MergeConflict, merge_pacts

__all__ = [
    "MAIN_BRANCH_CANDIDATES", "BrokerError", "Published", "add_branch", "add_tag",
    "consumers_of", "content_sha", "ensure_version", "environment", "latest_version",
    "latest_with_pact", "new_uuid", "now", "pacticipant_id", "publication", "publish_pact",
    "require_pacticipant", "version_id", "version_info", "versions_in_environment",
]  # fmt: skip


class BrokerError(Exception):
    """A request the broker refuses: answered as problem+json with ``status``."""

    def __init__(
        self, status: int, detail: str, errors: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors  # each with its JSON ``pointer``, as the Pact Broker lists them


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def content_sha(content: dict[str, Any]) -> str:
    """The pact version's id: a digest of its content with interactions in a fixed order.

    The Pact Broker identifies a pact version by a SHA of its content and ignores
    the order of interactions (docs.pact.io "Pact versions ... the same content is
    the same pact version"); keys are sorted here for the same reason.
    """
    doc = dict(content)
    for key in ("interactions", "messages"):
        if isinstance(doc.get(key), list):
            doc[key] = sorted(doc[key], key=lambda i: json.dumps(i, sort_keys=True))
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha1(canonical.encode(), usedforsecurity=False).hexdigest()


# -- pacticipants and versions --------------------------------------------------------------


def pacticipant_id(tx: Transaction, name: str, *, create: bool = False) -> int | None:
    row = tx.one("SELECT id FROM pacticipants WHERE name = ?", (name,))
    if row is not None:
        return int(row[0])
    if not create:
        return None
    tx.run(
        "INSERT INTO pacticipants (name, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
        (name, now()),
    )
    return int(tx.one("SELECT id FROM pacticipants WHERE name = ?", (name,))[0])


def require_pacticipant(tx: Transaction, name: str) -> int:
    found = pacticipant_id(tx, name)
    if found is None:
        raise BrokerError(404, f"no pacticipant named {name!r}")
    return found


def version_id(
    tx: Transaction, pacticipant: int, number: str, *, create: bool = False
) -> int | None:
    row = tx.one(
        "SELECT id FROM versions WHERE pacticipant_id = ? AND number = ?", (pacticipant, number)
    )
    if row is not None:
        return int(row[0])
    if not create:
        return None
    tx.run(
        "INSERT INTO versions (pacticipant_id, number, created_at) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (pacticipant, number, now()),
    )
    return int(
        tx.one(
            "SELECT id FROM versions WHERE pacticipant_id = ? AND number = ?",
            (pacticipant, number),
        )[0]
    )


def ensure_version(tx: Transaction, name: str, number: str) -> tuple[int, int]:
    """(pacticipant id, version id), creating either (the Pact Broker creates on first use)."""
    if not number.strip():
        raise BrokerError(400, "a version number must not be empty")
    pid = pacticipant_id(tx, name, create=True)
    assert pid is not None
    vid = version_id(tx, pid, number, create=True)
    assert vid is not None
    return pid, vid


#: branch names taken as a pacticipant's main branch when it has none (the Pact Broker's
#: ``auto_detect_main_branch`` with its default ``main_branch_candidates``)
MAIN_BRANCH_CANDIDATES = ("develop", "main", "master")


def add_branch(tx: Transaction, pacticipant: int, version: int, branch: str) -> None:
    """Put ``version`` on ``branch``; the first candidate branch becomes the main branch
    (docs.pact.io/pact_broker/configuration/settings#auto_detect_main_branch)."""
    tx.run(
        "INSERT INTO branch_versions (pacticipant_id, branch, version_id, created_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (pacticipant, branch, version, now()),
    )
    if branch in MAIN_BRANCH_CANDIDATES:
        tx.run(
            "UPDATE pacticipants SET main_branch = ? WHERE id = ? AND main_branch IS NULL",
            (branch, pacticipant),
        )


def add_tag(tx: Transaction, version: int, tag: str) -> None:
    tx.run(
        "INSERT INTO tags (version_id, name, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (version, tag, now()),
    )


def version_info(tx: Transaction, vid: int) -> dict[str, Any]:
    row = tx.one(
        "SELECT v.number, p.name, v.build_url, v.created_at, v.pacticipant_id FROM versions v"
        " JOIN pacticipants p ON p.id = v.pacticipant_id WHERE v.id = ?",
        (vid,),
    )
    branches = [
        r[0]
        for r in tx.all(
            "SELECT branch FROM branch_versions WHERE version_id = ? ORDER BY created_at", (vid,)
        )
    ]
    tags = [
        r[0] for r in tx.all("SELECT name FROM tags WHERE version_id = ? ORDER BY name", (vid,))
    ]
    return {
        "number": row[0],
        "pacticipant": row[1],
        "buildUrl": row[2],
        "createdAt": row[3],
        "branches": branches,
        "tags": tags,
        "pacticipant_id": int(row[4]),
    }


# -- publishing -----------------------------------------------------------------------------


@dataclass(slots=True)
class Published:
    consumer: str
    provider: str
    version: str
    sha: str
    created: bool  # a new publication (not the same content again)
    merged: bool = False  # merged into the version's earlier pact


def publish_pact(
    tx: Transaction,
    consumer: str,
    provider: str,
    version: str,
    content: dict[str, Any],
    *,
    allow_overwrite: bool,
    merge: bool = False,
    at: str = "",
) -> Published:
    """Store ``content`` as ``consumer`` ``version``'s pact with ``provider``.

    The same content again is a no-op (idempotent). Different content for a consumer
    version that already has a pact with this provider is refused with 409, as the
    Pact Broker does unless ``allow_dangerous_contract_modification`` is on
    (docs.pact.io/pact_broker/configuration/settings#allow_dangerous_contract_modification):
    a version's pact must not change once published. With ``merge`` (``onConflict:
    "merge"``, or ``PATCH``) the interactions are merged into the version's pact instead
    (:func:`~accord.broker._merge.merge_pacts`; a conflicting one is a 409). ``at`` is
    the request's pointer to the pact, named by a 409's error.
    """
    names = (content.get("consumer") or {}).get("name"), (content.get("provider") or {}).get("name")
    if names != (consumer, provider):
        raise BrokerError(
            400,
            f"the pact names consumer {names[0]!r} and provider {names[1]!r},"
            f" but was published for {consumer!r} and {provider!r}",
        )
    if consumer == provider:
        raise BrokerError(400, f"{consumer!r} cannot be both the consumer and the provider")
    cid, vid = ensure_version(tx, consumer, version)
    pid = pacticipant_id(tx, provider, create=True)
    assert pid is not None
    # PostgreSQL: the row stays locked until the transaction ends, so two merges into one
    # version's pact run one after the other and neither loses the other's interactions
    lock = " FOR UPDATE" if tx.postgres else ""
    existing = tx.one(
        "SELECT sha FROM publications WHERE consumer_version_id = ? AND provider_id = ?" + lock,
        (vid, pid),
    )
    if existing is not None and merge:
        row = tx.one("SELECT content FROM pact_contents WHERE sha = ?", (existing[0],))
        try:
            content = merge_pacts(json.loads(row[0]), content)
        except MergeConflict as exc:
            raise BrokerError(
                409,
                f"cannot merge into version {version} of {consumer}'s pact with {provider}: {exc}",
                [_conflict(at, str(exc))],
            ) from None
    sha = content_sha(content)
    tx.run(
        "INSERT INTO pact_contents (sha, consumer_id, provider_id, content, created_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (sha, cid, pid, json.dumps(content, ensure_ascii=False), now()),
    )
    if existing is not None:
        if existing[0] == sha:
            return Published(consumer, provider, version, sha, created=False)
        if not allow_overwrite and not merge:
            detail = (
                f"version {version} of {consumer} already has a different pact with {provider};"
                " publish it as a new consumer version (a version's pact is immutable; the"
                " broker allows changing it only when started with --allow-contract-modification)"
            )
            raise BrokerError(409, detail, [_conflict(at, detail)])
        tx.run(
            "UPDATE publications SET sha = ?, created_at = ? WHERE consumer_version_id = ?"
            " AND provider_id = ?",
            (sha, now(), vid, pid),
        )
        return Published(consumer, provider, version, sha, created=True, merged=merge)
    tx.run(
        "INSERT INTO publications (consumer_version_id, consumer_id, provider_id, sha, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (vid, cid, pid, sha, now()),
    )
    return Published(consumer, provider, version, sha, created=True)


def _conflict(pointer: str, detail: str) -> dict[str, Any]:
    return {"title": "Conflict", "detail": detail, "pointer": pointer, "status": 409}


# -- which versions a selector means --------------------------------------------------------


def latest_version(
    tx: Transaction, pacticipant: int, *, branch: str | None = None, tag: str | None = None
) -> int | None:
    """The newest version (by creation), optionally on ``branch`` or with ``tag``."""
    if branch is not None:
        row = tx.one(
            "SELECT version_id FROM branch_versions WHERE pacticipant_id = ? AND branch = ?"
            " ORDER BY version_id DESC LIMIT 1",
            (pacticipant, branch),
        )
    elif tag is not None:
        row = tx.one(
            "SELECT v.id FROM versions v JOIN tags t ON t.version_id = v.id"
            " WHERE v.pacticipant_id = ? AND t.name = ? ORDER BY v.id DESC LIMIT 1",
            (pacticipant, tag),
        )
    else:
        row = tx.one(
            "SELECT id FROM versions WHERE pacticipant_id = ? ORDER BY id DESC LIMIT 1",
            (pacticipant,),
        )
    return None if row is None else int(row[0])


def environment(tx: Transaction, name: str) -> tuple[str, str]:
    """(uuid, name) of the environment called ``name``; 400 when there is none."""
    row = tx.one("SELECT uuid, name FROM environments WHERE name = ?", (name,))
    if row is None:
        raise BrokerError(400, f"no environment named {name!r} (create it first)")
    return str(row[0]), str(row[1])


def versions_in_environment(
    tx: Transaction, pacticipant: int, env_uuid: str, kind: str | None = None
) -> list[int]:
    """Versions currently deployed, or released and supported, in the environment.

    "deployedOrReleased" in the Pact Broker means both kinds
    (docs.pact.io/pact_broker/recording_deployments_and_releases).
    """
    sql = (
        "SELECT DISTINCT d.version_id FROM deployments d JOIN versions v ON v.id = d.version_id"
        " WHERE v.pacticipant_id = ? AND d.environment = ? AND d.current = 1"
    )
    params: list[Any] = [pacticipant, env_uuid]
    if kind is not None:
        sql += " AND d.kind = ?"
        params.append(kind)
    return [int(r[0]) for r in tx.all(sql + " ORDER BY d.version_id", params)]


def publication(tx: Transaction, vid: int, provider: int) -> str | None:
    row = tx.one(
        "SELECT sha FROM publications WHERE consumer_version_id = ? AND provider_id = ?",
        (vid, provider),
    )
    return None if row is None else str(row[0])


def consumers_of(tx: Transaction, provider: int) -> list[tuple[int, str, str | None]]:
    return [
        (int(r[0]), str(r[1]), r[2])
        for r in tx.all(
            "SELECT DISTINCT p.id, p.name, p.main_branch FROM publications pub"
            " JOIN pacticipants p ON p.id = pub.consumer_id WHERE pub.provider_id = ?"
            " ORDER BY p.name",
            (provider,),
        )
    ]


def latest_with_pact(
    tx: Transaction,
    consumer: int,
    provider: int,
    *,
    branch: str | None = None,
    tag: str | None = None,
    latest: bool = True,
) -> list[int]:
    """The consumer's versions (on ``branch``/with ``tag``) that have a pact with provider,
    newest first; only the newest with ``latest``."""
    if branch is not None:
        sql = (
            "SELECT b.version_id FROM branch_versions b JOIN publications pub"
            " ON pub.consumer_version_id = b.version_id AND pub.provider_id = ?"
            " WHERE b.pacticipant_id = ? AND b.branch = ? ORDER BY b.version_id DESC"
        )
        params: tuple[Any, ...] = (provider, consumer, branch)
    elif tag is not None:
        sql = (
            "SELECT t.version_id FROM tags t JOIN publications pub"
            " ON pub.consumer_version_id = t.version_id AND pub.provider_id = ?"
            " WHERE pub.consumer_id = ? AND t.name = ? ORDER BY t.version_id DESC"
        )
        params = (provider, consumer, tag)
    else:
        sql = (
            "SELECT consumer_version_id FROM publications WHERE provider_id = ?"
            " AND consumer_id = ? ORDER BY consumer_version_id DESC"
        )
        params = (provider, consumer)
    return [int(r[0]) for r in tx.all(sql + (" LIMIT 1" if latest else ""), params)]


def new_uuid() -> str:
    return str(uuid.uuid4())
