"""Which pacts a provider must verify: consumer version selectors, pending and WIP pacts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from accord.broker._db import Transaction
from accord.broker._model import (
    BrokerError,
    consumers_of,
    latest_with_pact,
    pacticipant_id,
    publication,
    versions_in_environment,
)

__all__ = ["SELECTOR_KEYS", "Selected", "not_pending", "pacts_for_verification"]


@dataclass(slots=True)
class Selected:
    """One pact version chosen for verification, with why it was chosen."""

    sha: str
    consumer: str
    consumer_versions: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    pending: bool = False
    wip: bool = False


def _selector_versions(
    tx: Transaction,
    selector: dict[str, Any],
    consumer: tuple[int, str, str | None],
    provider: int,
    provider_branch: str | None,
) -> tuple[list[int], str]:
    """The consumer versions a consumer version selector picks, and its description.

    Follows docs.pact.io/pact_broker/advanced_topics/consumer_version_selectors:
    ``mainBranch`` (the consumer's main branch, latest), ``branch`` (latest, or every
    version with ``latest: false``; ``fallbackBranch`` when the branch has none),
    ``matchingBranch`` (the provider's branch), ``deployedOrReleased``/``deployed``/
    ``released`` (optionally in one ``environment``), ``tag`` (with ``latest``), and
    ``latest`` alone (the newest version of each consumer). ``consumer`` narrows any.
    """
    cid, cname, main_branch = consumer
    latest = selector.get("latest", True) is not False
    if "mainBranch" in selector:
        if not main_branch:
            return [], ""
        return latest_with_pact(tx, cid, provider, branch=main_branch), (
            f"latest from {cname}'s main branch ({main_branch})"
        )
    if "matchingBranch" in selector:
        if not provider_branch:
            return [], ""
        return latest_with_pact(tx, cid, provider, branch=provider_branch), (
            f"latest from branch {provider_branch} (matching the provider's branch)"
        )
    if "branch" in selector:
        branch = str(selector["branch"])
        if latest:
            found = latest_with_pact(tx, cid, provider, branch=branch)
            if not found and selector.get("fallbackBranch"):
                fallback = str(selector["fallbackBranch"])
                return latest_with_pact(tx, cid, provider, branch=fallback), (
                    f"latest from branch {fallback} (fallback for {branch})"
                )
            return found, f"latest from branch {branch}"
        found = latest_with_pact(tx, cid, provider, branch=branch, latest=False)
        return found, f"all from branch {branch}"
    if {"deployedOrReleased", "deployed", "released", "environment"} & selector.keys():
        kind = (
            "deployed"
            if selector.get("deployed")
            else "released"
            if selector.get("released")
            else None
        )
        envs: list[tuple[str, str]]
        if selector.get("environment"):
            row = tx.one(
                "SELECT uuid, name FROM environments WHERE name = ?", (selector["environment"],)
            )
            envs = [] if row is None else [(str(row[0]), str(row[1]))]
        else:
            envs = [(str(r[0]), str(r[1])) for r in tx.all("SELECT uuid, name FROM environments")]
        found = []
        names = []
        for env_uuid, name in envs:
            for vid in versions_in_environment(tx, cid, env_uuid, kind):
                if publication(tx, vid, provider):
                    found.append(vid)
                    names.append(name)
        word = {"deployed": "deployed", "released": "released"}.get(
            kind or "", "deployed or released"
        )
        where = selector.get("environment") or "any environment"
        return found, f"currently {word} in {where}"
    if "tag" in selector:
        tag = str(selector["tag"])
        if selector.get("latest"):
            return latest_with_pact(tx, cid, provider, tag=tag), f"latest with tag {tag}"
        return latest_with_pact(tx, cid, provider, tag=tag, latest=False), f"all with tag {tag}"
    if selector.get("latest") or set(selector) <= {"consumer"}:
        return latest_with_pact(tx, cid, provider), "latest"
    raise BrokerError(400, f"unsupported consumer version selector {json.dumps(selector)}")


SELECTOR_KEYS = {
    "mainBranch",
    "branch",
    "fallbackBranch",
    "matchingBranch",
    "deployedOrReleased",
    "deployed",
    "released",
    "environment",
    "tag",
    "fallbackTag",
    "latest",
    "consumer",
}


def _verified(tx: Transaction, provider: int, branch: str | None) -> set[str]:
    """The pact versions some provider version (on ``branch``, if given) verified successfully."""
    if branch is None:
        rows = tx.all(
            "SELECT DISTINCT ver.sha FROM verifications ver JOIN versions v"
            " ON v.id = ver.provider_version_id WHERE v.pacticipant_id = ? AND ver.success = 1",
            (provider,),
        )
    else:
        rows = tx.all(
            "SELECT DISTINCT ver.sha FROM verifications ver JOIN branch_versions b"
            " ON b.version_id = ver.provider_version_id"
            " WHERE b.pacticipant_id = ? AND b.branch = ? AND ver.success = 1",
            (provider, branch),
        )
    return {str(r[0]) for r in rows}


def not_pending(tx: Transaction, provider: int, branch: str | None) -> set[str]:
    """The Pact Broker's pending rule (docs.pact.io/pact_broker/advanced_topics/pending_pacts):
    the pact versions that are *not* pending for the provider's ``branch``.

    A pact is pending for a provider branch until a version of the provider from that
    branch has verified it successfully. A branch with no versions yet inherits from
    the provider's main branch, so a new feature branch does not see every pact as
    pending. Without a branch, any successful verification ends pending.
    """
    done = _verified(tx, provider, branch)
    if branch is None:
        return done
    has_versions = tx.one(
        "SELECT 1 FROM branch_versions WHERE pacticipant_id = ? AND branch = ? LIMIT 1",
        (provider, branch),
    )
    if has_versions is None:
        main = tx.one("SELECT main_branch FROM pacticipants WHERE id = ?", (provider,))
        if main is not None and main[0] and main[0] != branch:
            done |= _verified(tx, provider, str(main[0]))
    return done


def _number(tx: Transaction, vid: int) -> str:
    return str(tx.one("SELECT number FROM versions WHERE id = ?", (vid,))[0])


def pacts_for_verification(
    tx: Transaction, provider_name: str, request: dict[str, Any]
) -> list[Selected]:
    """The pacts ``provider`` must verify, by consumer version selectors, pending and WIP.

    docs.pact.io/pact_broker/advanced_topics/provider_verification_results and
    .../consumer_version_selectors: with no selectors, the latest pact of each
    consumer's main branch (the latest overall when it has no main branch) is
    selected. The same content picked by several selectors is verified once.
    ``includePendingStatus`` marks pending pacts; ``includeWipPactsSince`` adds, as
    WIP (and pending), the latest pact of every consumer branch published since then
    that no selector picked and that is pending for the provider's branch
    (docs.pact.io/pact_broker/advanced_topics/wip_pacts).
    """
    selectors = request.get("consumerVersionSelectors") or []
    if not isinstance(selectors, list) or not all(isinstance(s, dict) for s in selectors):
        raise BrokerError(400, "consumerVersionSelectors must be a list of objects")
    for selector in selectors:
        unknown = set(selector) - SELECTOR_KEYS
        if unknown:
            raise BrokerError(400, f"unknown selector key(s) {sorted(unknown)} in {selector}")
    provider = pacticipant_id(tx, provider_name)
    if provider is None:
        return []
    branch = request.get("providerVersionBranch")
    branch = str(branch) if branch else None
    pending_wanted = bool(request.get("includePendingStatus"))
    consumers = consumers_of(tx, provider)
    chosen: dict[str, Selected] = {}
    for selector in selectors or [{"__default": True}]:
        for consumer in consumers:
            if selector.get("consumer") and selector["consumer"] != consumer[1]:
                continue
            if "__default" in selector:
                vids, why = (
                    _selector_versions(tx, {"mainBranch": True}, consumer, provider, branch)
                    if consumer[2]
                    else ([], "")
                )
                if not vids:
                    vids, why = latest_with_pact(tx, consumer[0], provider), "latest"
            else:
                vids, why = _selector_versions(tx, selector, consumer, provider, branch)
            for vid in vids:
                sha = publication(tx, vid, provider)
                if sha is None:
                    continue
                number = _number(tx, vid)
                entry = chosen.setdefault(sha, Selected(sha, consumer[1]))
                if number not in entry.consumer_versions:
                    entry.consumer_versions.append(number)
                if why and why not in entry.reasons:
                    entry.reasons.append(why)
    settled = not_pending(tx, provider, branch) if pending_wanted else set()
    for entry in chosen.values():
        entry.pending = pending_wanted and entry.sha not in settled
    since = request.get("includeWipPactsSince")
    if since and pending_wanted and branch:
        since_text = str(since)
        # the latest pact of every consumer branch, in one query
        rows = tx.all(
            "SELECT p.name, v.number, pub.sha, pub.created_at FROM publications pub"
            " JOIN versions v ON v.id = pub.consumer_version_id"
            " JOIN pacticipants p ON p.id = pub.consumer_id"
            " WHERE pub.provider_id = ? AND pub.consumer_version_id IN ("
            "  SELECT MAX(b.version_id) FROM branch_versions b JOIN publications inner_pub"
            "  ON inner_pub.consumer_version_id = b.version_id AND inner_pub.provider_id = ?"
            "  GROUP BY b.pacticipant_id, b.branch)"
            " ORDER BY p.name, v.id",
            (provider, provider),
        )
        for cname, number, sha, created in rows:
            if sha in chosen or sha in settled or str(created) < since_text:
                continue
            chosen[sha] = Selected(
                sha, cname, [number], [f"work in progress since {since_text}"], True, True
            )
    return list(chosen.values())
