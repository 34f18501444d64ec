"""Verification results and the rows of the matrix that can-i-deploy reads."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from accord.broker._db import Transaction
from accord.broker._model import (
    BrokerError,
    add_branch,
    add_tag,
    ensure_version,
    environment,
    latest_version,
    now,
    publication,
    require_pacticipant,
    version_id,
    version_info,
    versions_in_environment,
)
from accord.core import MatrixRow

__all__ = ["MatrixQuery", "latest_verification", "matrix_rows", "record_verification"]


def record_verification(
    tx: Transaction, consumer_name: str, provider_name: str, sha: str, body: dict[str, Any]
) -> tuple[int, int]:
    """Store one verification result (checked by ``_intake.check_verification``) of pact
    version ``sha`` between the two; (result id, provider version id)."""
    number = body["providerApplicationVersion"]
    row = tx.one(
        "SELECT 1 FROM pact_contents pc JOIN pacticipants c ON c.id = pc.consumer_id"
        " JOIN pacticipants p ON p.id = pc.provider_id"
        " WHERE pc.sha = ? AND c.name = ? AND p.name = ?",
        (sha, consumer_name, provider_name),
    )
    if row is None:
        raise BrokerError(404, f"no pact version {sha} between {consumer_name} and {provider_name}")
    pid, vid = ensure_version(tx, provider_name, number)
    branch = body.get("providerVersionBranch") or body.get("branch")
    if isinstance(branch, str) and branch:
        add_branch(tx, pid, vid, branch)
    for tag in body.get("providerVersionTags") or []:
        if isinstance(tag, str) and tag:
            add_tag(tx, vid, tag)
    build_url = body.get("buildUrl") if isinstance(body.get("buildUrl"), str) else None
    row = tx.one(
        "INSERT INTO verifications (sha, provider_version_id, success, build_url, body, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (sha, vid, int(body["success"]), build_url, json.dumps(body), now()),
    )
    return int(row[0]), vid


def latest_verification(
    tx: Transaction, sha: str, provider_version: int
) -> tuple[int, bool] | None:
    """The newest result of ``sha`` by that provider version: it is the one that counts."""
    row = tx.one(
        "SELECT id, success FROM verifications WHERE sha = ? AND provider_version_id = ?"
        " ORDER BY id DESC LIMIT 1",
        (sha, provider_version),
    )
    return None if row is None else (int(row[0]), bool(row[1]))


@dataclass(slots=True)
class MatrixQuery:
    """``can-i-deploy PACTICIPANT --version V`` against an environment or the latest versions."""

    pacticipant: str
    version: str
    environment: str | None = None  # None: against the latest version of each other side
    branch: str | None = None  # with no environment: the latest versions on this branch
    main_branch: bool = False  # ...or on each pacticipant's own main branch
    tag: str | None = None  # ...or the latest versions with this tag (``--to TAG``)


def _others(tx: Transaction, other: int, query: MatrixQuery, env_uuid: str | None) -> list[int]:
    if env_uuid is not None:
        return versions_in_environment(tx, other, env_uuid)
    if query.main_branch:
        main = tx.one("SELECT main_branch FROM pacticipants WHERE id = ?", (other,))
        branch = main[0] if main and main[0] else None
        found = latest_version(tx, other, branch=branch) if branch else None
    else:
        found = latest_version(tx, other, branch=query.branch, tag=query.tag)
    return [] if found is None else [found]


def matrix_rows(tx: Transaction, query: MatrixQuery) -> tuple[list[MatrixRow], str]:
    """The rows of the matrix for ``query``, and what "the other side" means in words.

    docs.pact.io/pact_broker/can_i_deploy: a version may be deployed to an environment
    when, for every integration, its pact has a successful verification with every
    version of the other side currently deployed or released there (as consumer: the
    provider versions; as provider: the consumer versions' pacts). A result counts for
    the pact *content*: a verification of the same content published by another
    consumer version counts too. The shared rules (what passes, the reasons) are
    :func:`accord.core.summarise_matrix`, which the local results store uses as well.
    """
    pid = require_pacticipant(tx, query.pacticipant)
    vid = version_id(tx, pid, query.version)
    if vid is None:
        raise BrokerError(400, f"no version {query.version} of {query.pacticipant}")
    env_uuid = None
    target = "the latest version"
    if query.environment:
        env_uuid, name = environment(tx, query.environment)
        target = f"the version currently in {name}"
    elif query.branch:
        target = f"the latest version from branch {query.branch}"
    elif query.main_branch:
        target = "the latest version from the main branch"
    elif query.tag:
        target = f"the latest version with tag {query.tag}"
    rows: list[MatrixRow] = []
    # as consumer: each pact this version published, against the providers' versions there
    for provider_id, provider_name, sha in tx.all(
        "SELECT pub.provider_id, p.name, pub.sha FROM publications pub"
        " JOIN pacticipants p ON p.id = pub.provider_id WHERE pub.consumer_version_id = ?"
        " ORDER BY p.name",
        (vid,),
    ):
        others = _others(tx, int(provider_id), query, env_uuid)
        if not others:
            rows.append(MatrixRow(query.pacticipant, query.version, provider_name, None, sha, None))
        for other in others:
            found = latest_verification(tx, sha, other)
            rows.append(
                MatrixRow(
                    query.pacticipant,
                    query.version,
                    provider_name,
                    version_info(tx, other)["number"],
                    sha,
                    None if found is None else found[1],
                    None if found is None else found[0],
                )
            )
    # as provider: each consumer's versions there, their pacts against this version
    for consumer_id, consumer_name in tx.all(
        "SELECT DISTINCT pub.consumer_id, p.name FROM publications pub"
        " JOIN pacticipants p ON p.id = pub.consumer_id WHERE pub.provider_id = ? ORDER BY p.name",
        (pid,),
    ):
        for other in _others(tx, int(consumer_id), query, env_uuid):
            sha = publication(tx, other, pid)
            if sha is None:
                continue  # that consumer version has no pact with this provider
            found = latest_verification(tx, sha, vid)
            rows.append(
                MatrixRow(
                    consumer_name,
                    version_info(tx, other)["number"],
                    query.pacticipant,
                    query.version,
                    sha,
                    None if found is None else found[1],
                    None if found is None else found[0],
                )
            )
    return rows, target
