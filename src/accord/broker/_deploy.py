"""Environments, deployments and releases, the matrix and can-i-deploy."""

from __future__ import annotations

import re
from typing import Any

from accord.broker import _model as m
from accord.broker._db import Transaction
from accord.broker._hal import (
    deployment_body,
    environment_body,
    link,
    pact_version_path,
)
from accord.broker._matrix import MatrixQuery, latest_verification, matrix_rows
from accord.broker._model import BrokerError
from accord.broker._routing import Request, route
from accord.core import MatrixRow, MatrixSummary, summarise_matrix

__all__: list[str] = []  # routes register themselves


@route("GET", "/environments")
def list_environments(tx: Transaction, req: Request) -> tuple[int, Any]:
    name = dict(req.query).get("name")
    rows = tx.all("SELECT uuid FROM environments ORDER BY name")
    envs = [environment_body(tx, req.base, r[0]) for r in rows]
    if name:
        envs = [e for e in envs if e["name"] == name]
    return 200, {
        "_embedded": {"environments": envs},
        "_links": {"self": link(req.base, "/environments")},
    }


def _environment_fields(body: Any) -> tuple[str, str | None, bool]:
    if not isinstance(body, dict):
        raise BrokerError(400, "expected a JSON object")
    name = body.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[^\s/]+", name):
        raise BrokerError(400, "/name: an environment needs a name without spaces or slashes")
    display = body.get("displayName")
    return name, display if isinstance(display, str) else None, bool(body.get("production"))


@route("POST", "/environments")
def create_environment(tx: Transaction, req: Request) -> tuple[int, Any]:
    """docs.pact.io/pact_broker/recording_deployments_and_releases#environments."""
    name, display, production = _environment_fields(req.body)
    if tx.one("SELECT 1 FROM environments WHERE name = ?", (name,)) is not None:
        raise BrokerError(409, f"an environment named {name!r} already exists")
    env_uuid = req.body.get("uuid") if isinstance(req.body.get("uuid"), str) else m.new_uuid()
    tx.run(
        "INSERT INTO environments (uuid, name, display_name, production, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (env_uuid, name, display, int(production), m.now()),
    )
    return 201, environment_body(tx, req.base, env_uuid)


@route("GET", "/environments/{uuid}")
def get_environment(tx: Transaction, req: Request) -> tuple[int, Any]:
    return 200, environment_body(tx, req.base, req.params["uuid"])


@route("PUT", "/environments/{uuid}")
def put_environment(tx: Transaction, req: Request) -> tuple[int, Any]:
    environment_body(tx, req.base, req.params["uuid"])
    name, display, production = _environment_fields(req.body)
    tx.run(
        "UPDATE environments SET name = ?, display_name = ?, production = ? WHERE uuid = ?",
        (name, display, int(production), req.params["uuid"]),
    )
    return 200, environment_body(tx, req.base, req.params["uuid"])


@route("DELETE", "/environments/{uuid}")
def delete_environment(tx: Transaction, req: Request) -> tuple[int, Any]:
    """Delete an environment with the deployments and releases recorded in it."""
    environment_body(tx, req.base, req.params["uuid"])  # 404 when there is none
    tx.run("DELETE FROM deployments WHERE environment = ?", (req.params["uuid"],))
    tx.run("DELETE FROM environments WHERE uuid = ?", (req.params["uuid"],))
    return 204, None


def _record(tx: Transaction, req: Request, kind: str) -> tuple[int, Any]:
    """Record a deployment (the previous one of the same target ends) or a release
    (docs.pact.io/pact_broker/recording_deployments_and_releases)."""
    env = req.params["uuid"]
    environment_body(tx, req.base, env)
    pid, vid = m.ensure_version(tx, req.params["pacticipant"], req.params["version"])
    body = req.body if isinstance(req.body, dict) else {}
    target = body.get("applicationInstance") or body.get("target")
    target = target if isinstance(target, str) else None
    if kind == "deployed":
        # deploying replaces whatever version of this pacticipant was there (same instance)
        tx.run(
            "UPDATE deployments SET current = 0, ended_at = ? WHERE environment = ?"
            " AND kind = 'deployed' AND current = 1 AND COALESCE(target, '') = ?"
            " AND version_id IN (SELECT id FROM versions WHERE pacticipant_id = ?)",
            (m.now(), env, target or "", pid),
        )
    else:
        existing = tx.one(
            "SELECT uuid FROM deployments WHERE environment = ? AND version_id = ?"
            " AND kind = 'released' AND current = 1",
            (env, vid),
        )
        if existing is not None:
            return 200, deployment_body(tx, req.base, str(existing[0]))
    rec = m.new_uuid()
    tx.run(
        "INSERT INTO deployments (uuid, version_id, environment, kind, target, current, created_at)"
        " VALUES (?, ?, ?, ?, ?, 1, ?)",
        (rec, vid, env, kind, target, m.now()),
    )
    return 201, deployment_body(tx, req.base, rec)


@route(
    "POST", "/pacticipants/{pacticipant}/versions/{version}/deployed-versions/environment/{uuid}"
)
def record_deployment(tx: Transaction, req: Request) -> tuple[int, Any]:
    return _record(tx, req, "deployed")


@route(
    "POST", "/pacticipants/{pacticipant}/versions/{version}/released-versions/environment/{uuid}"
)
def record_release(tx: Transaction, req: Request) -> tuple[int, Any]:
    return _record(tx, req, "released")


def _current(tx: Transaction, req: Request, kind: str) -> tuple[int, Any]:
    """The versions currently deployed (released and supported) in an environment, of one
    ``pacticipant`` and ``applicationInstance`` when the query names them."""
    environment_body(tx, req.base, req.params["uuid"])
    sql = (
        "SELECT d.uuid FROM deployments d JOIN versions v ON v.id = d.version_id"
        " JOIN pacticipants p ON p.id = v.pacticipant_id"
        " WHERE d.environment = ? AND d.kind = ? AND d.current = 1"
    )
    params: list[Any] = [req.params["uuid"], kind]
    query = dict(req.query)
    if "pacticipant" in query:
        sql += " AND p.name = ?"
        params.append(query["pacticipant"])
    if "applicationInstance" in query:
        sql += " AND COALESCE(d.target, '') = ?"
        params.append(query["applicationInstance"])
    rows = tx.all(sql + " ORDER BY d.created_at", params)
    key = "deployedVersions" if kind == "deployed" else "releasedVersions"
    return 200, {
        "_embedded": {key: [deployment_body(tx, req.base, r[0]) for r in rows]},
        "_links": {"self": link(req.base, req.path)},
    }


@route("GET", "/environments/{uuid}/deployed-versions/currently-deployed")
def currently_deployed(tx: Transaction, req: Request) -> tuple[int, Any]:
    return _current(tx, req, "deployed")


@route("GET", "/environments/{uuid}/released-versions/currently-supported")
def currently_supported(tx: Transaction, req: Request) -> tuple[int, Any]:
    return _current(tx, req, "released")


@route("PATCH", "/deployed-versions/{rec}")
@route("PATCH", "/released-versions/{rec}")
def end_deployment(tx: Transaction, req: Request) -> tuple[int, Any]:
    """``{"currentlyDeployed": false}`` (undeploy) or ``{"currentlySupported": false}``."""
    body = req.body if isinstance(req.body, dict) else {}
    if body.get("currentlyDeployed") is False or body.get("currentlySupported") is False:
        tx.run(
            "UPDATE deployments SET current = 0, ended_at = ? WHERE uuid = ?",
            (m.now(), req.params["rec"]),
        )
    if tx.one("SELECT 1 FROM deployments WHERE uuid = ?", (req.params["rec"],)) is None:
        raise BrokerError(404, f"no deployment {req.params['rec']}")
    return 200, deployment_body(tx, req.base, req.params["rec"])


# -- the matrix and can-i-deploy ------------------------------------------------------------


def summary_json(summary: MatrixSummary) -> dict[str, Any]:
    """The matrix's ``summary`` as the Pact Broker writes it (can-i-deploy reads it)."""
    return {
        "deployable": summary.deployable,
        "reason": "\n".join(summary.reasons),
        "success": summary.success,
        "failed": summary.failed,
        "unknown": summary.unknown,
    }


def _matrix_answer(tx: Transaction, req: Request, query: MatrixQuery) -> dict[str, Any]:
    rows, target = matrix_rows(tx, query)
    summary = summarise_matrix(rows, target)
    matrix = []
    for row in rows:
        item: dict[str, Any] = {
            "consumer": {"name": row.consumer, "version": {"number": row.consumer_version}},
            "provider": {
                "name": row.provider,
                "version": None
                if row.provider_version is None
                else {"number": row.provider_version},
            },
            "pact": {
                "_links": {
                    "self": link(
                        req.base, pact_version_path(row.provider, row.consumer, row.pact or "")
                    )
                }
            },
            "verificationResult": None,
        }
        if row.result is not None:
            item["verificationResult"] = {
                "success": row.success,
                "_links": {
                    "self": link(
                        req.base,
                        pact_version_path(row.provider, row.consumer, row.pact or "")
                        + f"/verification-results/{row.result}",
                    )
                },
            }
        matrix.append(item)
    notices = [
        {"type": "success" if summary.deployable else "error", "text": reason}
        for reason in summary.reasons
    ]
    verdict = "can" if summary.deployable else "cannot"
    where = f" to {query.environment}" if query.environment else ""
    notices.insert(
        0,
        {
            "type": "info" if summary.deployable else "danger",
            "text": f"Computer says {'yes' if summary.deployable else 'no'}: "
            f"{query.pacticipant} version {query.version} {verdict} be deployed{where}",
        },
    )
    return {
        "summary": summary_json(summary),
        "notices": notices,
        "matrix": matrix,
    }


def _matrix_selectors(query: list[tuple[str, str]]) -> list[dict[str, str]]:
    """``q[][pacticipant]=A&q[][version]=1&q[][pacticipant]=B...``: one dict per pacticipant."""
    selectors: list[dict[str, str]] = []
    for key, value in query:
        found = re.fullmatch(r"q\[\d*\]\[(\w+)\]", key)
        if not found:
            continue
        name = found.group(1)
        if name == "pacticipant" or not selectors:
            selectors.append({})
        selectors[-1][name] = value
    return selectors


def _branch(tx: Transaction, pid: int, sel: dict[str, str]) -> str | None:
    """A selector's branch: ``branch``, or with ``mainBranch=true`` the pacticipant's own."""
    if sel.get("mainBranch") != "true":
        return sel.get("branch")
    row = tx.one("SELECT main_branch FROM pacticipants WHERE id = ?", (pid,))
    if row is None or not row[0]:
        raise BrokerError(400, f"{sel['pacticipant']} has no main branch set")
    return str(row[0])


@route("GET", "/matrix")
def matrix(tx: Transaction, req: Request) -> tuple[int, Any]:
    """docs.pact.io/pact_broker/advanced_topics/matrix_selectors, the subset can-i-deploy
    uses: one selector with a version, against an ``environment`` or the ``latest``
    versions (optionally of a ``tag``/branch); two or more selectors with versions."""
    selectors = _matrix_selectors(req.query)
    params = dict(req.query)
    if not selectors or any("pacticipant" not in s for s in selectors):
        raise BrokerError(400, "q[][pacticipant] is required")
    if len(selectors) == 1:
        sel = selectors[0]
        version = sel.get("version")
        if version is None:
            pid = m.require_pacticipant(tx, sel["pacticipant"])
            vid = m.latest_version(tx, pid, branch=_branch(tx, pid, sel), tag=sel.get("tag"))
            if vid is None:
                raise BrokerError(400, f"no matching version of {sel['pacticipant']}")
            version = m.version_info(tx, vid)["number"]
        query = MatrixQuery(
            sel["pacticipant"],
            version,
            environment=params.get("environment"),
            main_branch=params.get("mainBranch") == "true",
            tag=params.get("tag") or None if params.get("latest") == "true" else None,
        )
        return 200, _matrix_answer(tx, req, query)
    # several pacticipant versions: the rows between exactly those versions
    rows = []
    versions = {}
    for sel in selectors:
        pid = m.require_pacticipant(tx, sel["pacticipant"])
        vid = (
            m.version_id(tx, pid, sel.get("version", ""))
            if sel.get("version")
            else (m.latest_version(tx, pid, branch=_branch(tx, pid, sel), tag=sel.get("tag")))
        )
        if vid is None:
            raise BrokerError(400, f"no matching version of {sel['pacticipant']}")
        versions[pid] = (sel["pacticipant"], vid)
    for cpid, (cname, cvid) in versions.items():
        for ppid, (pname, pvid) in versions.items():
            sha = m.publication(tx, cvid, ppid) if cpid != ppid else None
            if sha is None:
                continue
            found = latest_verification(tx, sha, pvid)
            rows.append(
                MatrixRow(
                    cname,
                    m.version_info(tx, cvid)["number"],
                    pname,
                    m.version_info(tx, pvid)["number"],
                    sha,
                    None if found is None else found[1],
                    None if found is None else found[0],
                )
            )
    summary = summarise_matrix(rows, "the given version")
    return 200, {
        "summary": summary_json(summary),
        "notices": [
            {"type": "success" if summary.deployable else "error", "text": r}
            for r in summary.reasons
        ],
        "matrix": [
            {
                "consumer": {"name": r.consumer, "version": {"number": r.consumer_version}},
                "provider": {"name": r.provider, "version": {"number": r.provider_version}},
                "verificationResult": None if r.success is None else {"success": r.success},
            }
            for r in rows
        ],
    }


@route("GET", "/can-i-deploy")
def can_i_deploy(tx: Transaction, req: Request) -> tuple[int, Any]:
    """``/can-i-deploy?pacticipant=&version=&environment=`` (the index's relation)."""
    params = dict(req.query)
    missing = [k for k in ("pacticipant", "version") if not params.get(k)]
    if missing:
        raise BrokerError(400, f"missing query parameter(s): {', '.join(missing)}")
    query = MatrixQuery(
        params["pacticipant"], params["version"], environment=params.get("environment") or None
    )
    return 200, _matrix_answer(tx, req, query)
