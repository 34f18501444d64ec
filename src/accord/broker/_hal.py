"""The broker's HAL resources: each entity with its ``_links`` (the ``pb:`` relations)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from accord.broker import _model as m
from accord.broker._db import Transaction
from accord.broker._model import BrokerError
from accord.broker._routing import q
from accord.broker._selection import Selected

__all__ = [
    "decode_metadata", "deployment_body", "encode_metadata", "environment_body", "link",
    "pact_body", "pact_version_path", "pacticipant_body", "pacticipant_path", "result_body",
    "version_body", "version_path",
]  # fmt: skip


def link(base: str, path: str, title: str | None = None, **extra: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"href": base + path}
    if title:
        found["title"] = title
    found.update(extra)
    return found


def pacticipant_path(name: str) -> str:
    return f"/pacticipants/{q(name)}"


def version_path(name: str, number: str) -> str:
    return f"{pacticipant_path(name)}/versions/{q(number)}"


def pact_version_path(provider: str, consumer: str, sha: str) -> str:
    return f"/pacts/provider/{q(provider)}/consumer/{q(consumer)}/pact-version/{sha}"


def pacticipant_body(tx: Transaction, base: str, name: str) -> dict[str, Any]:
    row = tx.one(
        "SELECT name, display_name, main_branch, repository_url, created_at FROM pacticipants"
        " WHERE name = ?",
        (name,),
    )
    if row is None:
        raise BrokerError(404, f"no pacticipant named {name!r}")
    path = pacticipant_path(row[0])
    return {
        "name": row[0],
        "displayName": row[1] or row[0],
        "mainBranch": row[2],
        "repositoryUrl": row[3],
        "createdAt": row[4],
        "_links": {
            "self": link(base, path, row[0]),
            "pb:versions": link(base, f"{path}/versions", "Versions"),
            "pb:latest-version": link(base, f"{path}/latest-version", "Latest version"),
            "pb:version": link(base, f"{path}/versions/{{version}}", "A version", templated=True),
            "pb:version-tag": link(
                base,
                f"{path}/versions/{{version}}/tags/{{tag}}",
                "A version's tag",
                templated=True,
            ),
            "pb:branch-version": link(
                base,
                f"{path}/branches/{{branch}}/versions/{{version}}",
                "Get or add a version to a branch",
                templated=True,
            ),
        },
    }


def version_body(tx: Transaction, base: str, vid: int) -> dict[str, Any]:
    info = m.version_info(tx, vid)
    path = version_path(info["pacticipant"], info["number"])
    envs = tx.all("SELECT uuid, name FROM environments ORDER BY name")
    body: dict[str, Any] = {
        "number": info["number"],
        "buildUrl": info["buildUrl"],
        "createdAt": info["createdAt"],
        "_embedded": {
            "branchVersions": [{"name": b} for b in info["branches"]],
            "tags": [{"name": t} for t in info["tags"]],
        },
        "_links": {
            "self": link(base, path, f"Version {info['number']}", name=info["number"]),
            "pb:pacticipant": link(
                base,
                pacticipant_path(info["pacticipant"]),
                info["pacticipant"],
                name=info["pacticipant"],
            ),
            "pb:record-deployment": [
                link(
                    base,
                    f"{path}/deployed-versions/environment/{u}",
                    f"Record deployment to {n}",
                    name=n,
                )
                for u, n in envs
            ],
            "pb:record-release": [
                link(
                    base,
                    f"{path}/released-versions/environment/{u}",
                    f"Record release to {n}",
                    name=n,
                )
                for u, n in envs
            ],
        },
    }
    if info["branches"]:
        body["branch"] = info["branches"][-1]
    return body


def pact_body(
    tx: Transaction, base: str, sha: str, consumer_version: str | None, metadata: str | None = None
) -> dict[str, Any]:
    row = tx.one(
        "SELECT pc.content, c.name, p.name, pc.created_at FROM pact_contents pc"
        " JOIN pacticipants c ON c.id = pc.consumer_id JOIN pacticipants p ON p.id = pc.provider_id"
        " WHERE pc.sha = ?",
        (sha,),
    )
    if row is None:
        raise BrokerError(404, f"no pact version {sha}")
    content: dict[str, Any] = json.loads(row[0])
    consumer, provider = row[1], row[2]
    path = pact_version_path(provider, consumer, sha)
    results_path = path + (f"/metadata/{metadata}" if metadata else "") + "/verification-results"
    links: dict[str, Any] = {
        "self": link(base, path, f"Pact between {consumer} and {provider}"),
        "pb:consumer": link(base, pacticipant_path(consumer), "Consumer", name=consumer),
        "pb:provider": link(base, pacticipant_path(provider), "Provider", name=provider),
        "pb:pact-version": link(base, path, "Pact content version", name=sha),
        "pb:publish-verification-results": link(base, results_path, "Publish verification results"),
        "pb:latest-verification-results": link(base, f"{path}/verification-results/latest"),
    }
    if consumer_version:
        links["pb:consumer-version"] = link(
            base,
            version_path(consumer, consumer_version),
            "Consumer version",
            name=consumer_version,
        )
    content["_links"] = links
    content["createdAt"] = row[3]
    return content


def encode_metadata(selected: Selected) -> str:
    data = {"cv": selected.consumer_versions, "p": selected.pending, "w": selected.wip}
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_metadata(meta: str) -> dict[str, Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(meta + "=" * (-len(meta) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise BrokerError(400, f"metadata {meta!r} is not what this broker wrote") from exc
    return data if isinstance(data, dict) else {}


def result_body(tx: Transaction, base: str, rid: int) -> dict[str, Any]:
    row = tx.one(
        "SELECT ver.sha, ver.success, ver.body, ver.created_at, v.number, p.name, c.name"
        " FROM verifications ver JOIN versions v ON v.id = ver.provider_version_id"
        " JOIN pacticipants p ON p.id = v.pacticipant_id JOIN pact_contents pc ON pc.sha = ver.sha"
        " JOIN pacticipants c ON c.id = pc.consumer_id WHERE ver.id = ?",
        (rid,),
    )
    if row is None:
        raise BrokerError(404, f"no verification result {rid}")
    sha, success, raw, created, number, provider, consumer = row
    extra = json.loads(raw)
    path = pact_version_path(provider, consumer, sha)
    return {
        "success": bool(success),
        "providerApplicationVersion": number,
        "verifiedAt": created,
        "testResults": extra.get("testResults"),
        "buildUrl": extra.get("buildUrl"),
        "verifiedBy": extra.get("verifiedBy"),
        "_links": {
            "self": link(base, f"{path}/verification-results/{rid}", "Verification result"),
            "pb:pact-version": link(base, path, "Pact", name=sha),
            "pb:provider-version": link(base, version_path(provider, number), number),
        },
    }


def environment_body(tx: Transaction, base: str, env_uuid: str) -> dict[str, Any]:
    row = tx.one(
        "SELECT uuid, name, display_name, production, created_at FROM environments WHERE uuid = ?",
        (env_uuid,),
    )
    if row is None:
        raise BrokerError(404, f"no environment {env_uuid}")
    path = f"/environments/{row[0]}"
    return {
        "uuid": row[0],
        "name": row[1],
        "displayName": row[2] or row[1],
        "production": bool(row[3]),
        "createdAt": row[4],
        "_links": {
            "self": link(base, path, row[1], name=row[1]),
            "pb:currently-deployed-deployed-versions": link(
                base, f"{path}/deployed-versions/currently-deployed", "Currently deployed"
            ),
            "pb:currently-supported-released-versions": link(
                base, f"{path}/released-versions/currently-supported", "Currently supported"
            ),
            "pb:environments": link(base, "/environments", "Environments"),
        },
    }


def deployment_body(tx: Transaction, base: str, rec: str) -> dict[str, Any]:
    """A deployed or released version, as the Pact Broker's ``DeployedVersionDecorator`` and
    ``ReleasedVersionDecorator`` render it: the pacticipant, version and environment
    embedded (the Pact CLI finds a pacticipant's record by ``_embedded.pacticipant.name``)."""
    row = tx.one(
        "SELECT d.uuid, d.kind, d.target, d.current, d.created_at, d.environment, v.id,"
        " p.name, d.ended_at FROM deployments d JOIN versions v ON v.id = d.version_id"
        " JOIN pacticipants p ON p.id = v.pacticipant_id WHERE d.uuid = ?",
        (rec,),
    )
    deployed = row[1] == "deployed"
    body = {
        "uuid": row[0],
        "currentlyDeployed" if deployed else "currentlySupported": bool(row[3]),
        "applicationInstance": row[2],
        "target": row[2],
        "createdAt": row[4],
        "undeployedAt" if deployed else "supportEndedAt": row[8],
        "_embedded": {
            "pacticipant": {
                "name": row[7],
                "_links": {"self": link(base, pacticipant_path(row[7]), row[7])},
            },
            "version": version_body(tx, base, int(row[6])),
            "environment": environment_body(tx, base, row[5]),
        },
        "_links": {"self": link(base, f"/{row[1]}-versions/{row[0]}")},
    }
    return body
