"""The index, pacticipants, versions, publishing, pacts and verification results."""

from __future__ import annotations

from typing import Any

from accord.broker import _model as m
from accord.broker import _selection
from accord.broker._db import Transaction
from accord.broker._hal import (
    decode_metadata,
    encode_metadata,
    link,
    pact_body,
    pact_version_path,
    pacticipant_body,
    pacticipant_path,
    result_body,
    version_body,
    version_path,
)
from accord.broker._intake import (
    Contract,
    check_pact,
    check_publication,
    check_verification,
    check_version,
)
from accord.broker._matrix import record_verification
from accord.broker._model import BrokerError
from accord.broker._routing import Request, q, route

__all__: list[str] = []  # routes register themselves


# -- the index and pacticipants -------------------------------------------------------------


#: the index's relations: (relation, path, title); a path with ``{`` is a template
_INDEX = (
    ("self", "/", "Index"),
    ("pb:publish-contracts", "/contracts/publish", "Publish contracts"),
    ("pb:pacticipants", "/pacticipants", "Pacticipants"),
    ("pb:pacticipant", "/pacticipants/{pacticipant}", "Fetch pacticipant by name"),
    (
        "pb:pacticipant-version",
        "/pacticipants/{pacticipant}/versions/{version}",
        "Fetch pacticipant version",
    ),
    (
        "pb:latest-version",
        "/pacticipants/{pacticipant}/latest-version",
        "Latest pacticipant version",
    ),
    ("pb:latest-pact-versions", "/pacts/latest", "Latest pact versions"),
    ("pb:latest-provider-pacts", "/pacts/provider/{provider}/latest", "Latest pacts by provider"),
    (
        "pb:provider-pacts-for-verification",
        "/pacts/provider/{provider}/for-verification",
        "Pacts to be verified",
    ),
    ("pb:environments", "/environments", "Environments"),
    ("pb:environment", "/environments/{uuid}", "Environment"),
    (
        "pb:can-i-deploy-pacticipant-version-to-environment",
        "/can-i-deploy?pacticipant={pacticipant}&version={version}&environment={environment}",
        "Can I deploy",
    ),
    ("pb:matrix", "/matrix", "The matrix"),
)


@route("GET", "/")
def index(tx: Transaction, req: Request) -> tuple[int, Any]:
    b = req.base
    links: dict[str, Any] = {
        rel: link(b, path, title, **({"templated": True} if "{" in path else {}))
        for rel, path, title in _INDEX
    }
    links["curies"] = [{"name": "pb", "href": b + "/doc/{rel}", "templated": True}]
    return 200, {"_links": links}


@route("GET", "/pacticipants")
def list_pacticipants(tx: Transaction, req: Request) -> tuple[int, Any]:
    names = [r[0] for r in tx.all("SELECT name FROM pacticipants ORDER BY name")]
    items = [pacticipant_body(tx, req.base, n) for n in names]
    return 200, {
        "pacticipants": items,  # where the Pact Broker CLIs read them
        "_embedded": {"pacticipants": items},
        "_links": {
            "self": link(req.base, "/pacticipants"),
            "pb:pacticipants": [link(req.base, pacticipant_path(n), n) for n in names],
        },
    }


def _update_pacticipant(tx: Transaction, req: Request, name: str) -> tuple[int, Any]:
    body = req.body if isinstance(req.body, dict) else {}
    created = m.pacticipant_id(tx, name) is None
    pid = m.pacticipant_id(tx, name, create=True)
    fields = {
        "displayName": "display_name",
        "mainBranch": "main_branch",
        "repositoryUrl": "repository_url",
    }
    for key, column in fields.items():
        if key in body:
            value = body[key]
            if value is not None and not isinstance(value, str):
                raise BrokerError(400, f"{key} must be a string")
            tx.run(f"UPDATE pacticipants SET {column} = ? WHERE id = ?", (value, pid))
    return (201 if created else 200), pacticipant_body(tx, req.base, name)


@route("POST", "/pacticipants")
def create_pacticipant(tx: Transaction, req: Request) -> tuple[int, Any]:
    name = req.body.get("name") if isinstance(req.body, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise BrokerError(400, "a pacticipant needs a 'name'")
    return _update_pacticipant(tx, req, name)


@route("GET", "/pacticipants/{pacticipant}")
def get_pacticipant(tx: Transaction, req: Request) -> tuple[int, Any]:
    return 200, pacticipant_body(tx, req.base, req.params["pacticipant"])


@route("PUT", "/pacticipants/{pacticipant}")
@route("PATCH", "/pacticipants/{pacticipant}")
def put_pacticipant(tx: Transaction, req: Request) -> tuple[int, Any]:
    return _update_pacticipant(tx, req, req.params["pacticipant"])


@route("GET", "/pacticipants/{pacticipant}/versions")
def list_versions(tx: Transaction, req: Request) -> tuple[int, Any]:
    pid = m.require_pacticipant(tx, req.params["pacticipant"])
    ids = [
        int(r[0])
        for r in tx.all(
            "SELECT id FROM versions WHERE pacticipant_id = ? ORDER BY id DESC LIMIT 100", (pid,)
        )
    ]
    return 200, {
        "_embedded": {"versions": [version_body(tx, req.base, v) for v in ids]},
        "_links": {"self": link(req.base, req.path)},
    }


@route("GET", "/pacticipants/{pacticipant}/latest-version")
@route("GET", "/pacticipants/{pacticipant}/versions/{version}")
def get_version(tx: Transaction, req: Request) -> tuple[int, Any]:
    name, number = req.params["pacticipant"], req.params.get("version")
    pid = m.require_pacticipant(tx, name)
    if number is None:
        vid, missing = m.latest_version(tx, pid), f"{name} has no versions"
    else:
        vid, missing = m.version_id(tx, pid, number), f"no version {number} of {name}"
    if vid is None:
        raise BrokerError(404, missing)
    return 200, version_body(tx, req.base, vid)


def _check_version(req: Request) -> None:
    check_version(req.body)


@route("PUT", "/pacticipants/{pacticipant}/versions/{version}", check=_check_version)
def put_version(tx: Transaction, req: Request) -> tuple[int, Any]:
    pid = m.pacticipant_id(tx, req.params["pacticipant"])
    existed = pid is not None and m.version_id(tx, pid, req.params["version"]) is not None
    pid, vid = m.ensure_version(tx, req.params["pacticipant"], req.params["version"])
    body = req.body or {}
    if body.get("branch"):
        m.add_branch(tx, pid, vid, body["branch"])
    if body.get("buildUrl"):
        tx.run("UPDATE versions SET build_url = ? WHERE id = ?", (body["buildUrl"], vid))
    return (200 if existed else 201), version_body(tx, req.base, vid)


@route("PUT", "/pacticipants/{pacticipant}/versions/{version}/tags/{tag}")
def put_tag(tx: Transaction, req: Request) -> tuple[int, Any]:
    _pid, vid = m.ensure_version(tx, req.params["pacticipant"], req.params["version"])
    m.add_tag(tx, vid, req.params["tag"])
    path = version_path(req.params["pacticipant"], req.params["version"])
    return 201, {
        "name": req.params["tag"],
        "_links": {"self": link(req.base, f"{path}/tags/{q(req.params['tag'])}")},
    }


@route("PUT", "/pacticipants/{pacticipant}/branches/{branch}/versions/{version}")
def put_branch_version(tx: Transaction, req: Request) -> tuple[int, Any]:
    pid, vid = m.ensure_version(tx, req.params["pacticipant"], req.params["version"])
    m.add_branch(tx, pid, vid, req.params["branch"])
    return 201, version_body(tx, req.base, vid)


# -- publishing -----------------------------------------------------------------------------


def _check_publication(req: Request) -> list[Contract]:
    """The ``contracts`` of a publication, each decoded and checked (before any is stored)."""
    return check_publication(req.body)


@route("POST", "/contracts/publish", check=_check_publication)
def publish_contracts(tx: Transaction, req: Request) -> tuple[int, Any]:
    """docs.pact.io/pact_broker/advanced_topics/api_docs/publish_contracts ("all in one")."""
    body, decoded = req.body, req.checked
    name, number = body["pacticipantName"], body["pacticipantVersionNumber"]
    branch, tags = body.get("branch"), body.get("tags") or []
    pid, vid = m.ensure_version(tx, name, number)
    if branch:
        m.add_branch(tx, pid, vid, branch)
    for tag in tags:
        m.add_tag(tx, vid, tag)
    if body.get("buildUrl"):
        tx.run("UPDATE versions SET build_url = ? WHERE id = ?", (body["buildUrl"], vid))
    notices = []
    contract_links = []
    for index, contract in enumerate(decoded):
        consumer, provider = contract.consumer, contract.provider
        published = m.publish_pact(
            tx, consumer, provider, number, contract.content,
            allow_overwrite=req.allow_overwrite, merge=contract.merge, at=f"/contracts/{index}",
        )  # fmt: skip
        word = (
            ("Merged into" if published.merged else "Created")
            if published.created
            else "Pact unchanged:"
        )
        notices.append(
            {"type": "success", "text": f"{word} {consumer} version {number} pact with {provider}"}
        )
        contract_links.append(
            link(
                req.base,
                pact_version_path(provider, consumer, published.sha),
                f"Pact between {consumer} and {provider}",
                name=f"{consumer}-{provider}",
            )
        )
    version = version_body(tx, req.base, vid)
    vlink = version["_links"]["self"]
    plink = link(req.base, pacticipant_path(name), name, name=name)
    return 200, {
        "notices": notices,
        "logs": [],
        "_embedded": {
            "pacticipant": {"name": name, "_links": {"self": {"href": plink["href"]}}},
            "version": {
                "number": number,
                "_links": {"self": {**vlink, "name": number, "title": vlink["title"]}},
            },
        },
        "_links": {
            "pb:pacticipant": {**plink, "title": name},
            "pb:pacticipant-version": {**vlink, "name": number},
            "pb:pacticipant-version-tags": [
                link(req.base, f"{version_path(name, number)}/tags/{q(t)}", t, name=t) for t in tags
            ],
            "pb:contracts": contract_links,
        },
    }


def _check_pact(req: Request) -> None:
    check_pact(req.raw, req.params["consumer"], req.params["provider"])


@route("PUT", "/pacts/provider/{provider}/consumer/{consumer}/version/{version}", check=_check_pact)
@route(
    "PATCH", "/pacts/provider/{provider}/consumer/{consumer}/version/{version}", check=_check_pact
)
def put_pact(tx: Transaction, req: Request) -> tuple[int, Any]:
    """docs.pact.io/pact_broker/advanced_topics/api_docs/publish_pact; ``PATCH`` merges the
    pact's interactions into the version's pact, as ``onConflict: "merge"`` does."""
    published = m.publish_pact(
        tx,
        req.params["consumer"],
        req.params["provider"],
        req.params["version"],
        req.body,
        allow_overwrite=req.allow_overwrite,
        merge=req.method == "PATCH",
    )
    body = pact_body(tx, req.base, published.sha, published.version)
    return (201 if published.created else 200), body


@route("GET", "/pacts/provider/{provider}/consumer/{consumer}/version/{version}")
def get_pact(tx: Transaction, req: Request) -> tuple[int, Any]:
    cid = m.require_pacticipant(tx, req.params["consumer"])
    pid = m.require_pacticipant(tx, req.params["provider"])
    vid = m.version_id(tx, cid, req.params["version"])
    sha = None if vid is None else m.publication(tx, vid, pid)
    if sha is None:
        raise BrokerError(404, "no such pact")
    return 200, pact_body(tx, req.base, sha, req.params["version"])


def _latest_pact(tx: Transaction, req: Request, tag: str | None) -> tuple[int, Any]:
    cid = m.require_pacticipant(tx, req.params["consumer"])
    pid = m.require_pacticipant(tx, req.params["provider"])
    vids = m.latest_with_pact(tx, cid, pid, tag=tag)
    if not vids:
        raise BrokerError(404, "no such pact")
    sha = m.publication(tx, vids[0], pid)
    assert sha is not None
    return 200, pact_body(tx, req.base, sha, m.version_info(tx, vids[0])["number"])


@route("GET", "/pacts/provider/{provider}/consumer/{consumer}/latest")
def get_latest_pact(tx: Transaction, req: Request) -> tuple[int, Any]:
    return _latest_pact(tx, req, None)


@route("GET", "/pacts/provider/{provider}/consumer/{consumer}/latest/{tag}")
def get_latest_tagged_pact(tx: Transaction, req: Request) -> tuple[int, Any]:
    return _latest_pact(tx, req, req.params["tag"])


@route("GET", "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}")
@route("GET", "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/metadata/{meta}")
def get_pact_version(tx: Transaction, req: Request) -> tuple[int, Any]:
    meta = req.params.get("meta")
    versions = decode_metadata(meta).get("cv") or [] if meta else []
    return 200, pact_body(tx, req.base, req.params["sha"], versions[0] if versions else None, meta)


def _latest_pacts(tx: Transaction, req: Request, provider: int | None) -> list[dict[str, Any]]:
    sql = (
        "SELECT c.name, p.name, pub.sha, v.number, pub.created_at FROM publications pub"
        " JOIN pacticipants c ON c.id = pub.consumer_id"
        " JOIN pacticipants p ON p.id = pub.provider_id"
        " JOIN versions v ON v.id = pub.consumer_version_id WHERE pub.id IN (SELECT MAX(id)"
        " FROM publications GROUP BY consumer_id, provider_id)"
    )
    params: list[Any] = []
    if provider is not None:
        sql += " AND pub.provider_id = ?"
        params.append(provider)
    out = []
    for consumer, prov, sha, number, created in tx.all(sql + " ORDER BY c.name, p.name", params):
        out.append(
            {
                "consumer": {"name": consumer, "_embedded": {"version": {"number": number}}},
                "provider": {"name": prov},
                "createdAt": created,
                "_links": {
                    "self": link(
                        req.base,
                        pact_version_path(prov, consumer, sha),
                        f"Pact between {consumer} ({number}) and {prov}",
                        name=f"Pact between {consumer} ({number}) and {prov}",
                    )
                },
            }
        )
    return out


@route("GET", "/pacts/latest")
def latest_pacts(tx: Transaction, req: Request) -> tuple[int, Any]:
    pacts = _latest_pacts(tx, req, None)
    return 200, {"pacts": pacts, "_links": {"self": link(req.base, "/pacts/latest")}}


@route("GET", "/pacts/provider/{provider}/latest")
def latest_provider_pacts(tx: Transaction, req: Request) -> tuple[int, Any]:
    pid = m.require_pacticipant(tx, req.params["provider"])
    pacts = _latest_pacts(tx, req, pid)
    return 200, {
        "_links": {
            "self": link(req.base, f"/pacts/provider/{q(req.params['provider'])}/latest"),
            "pb:pacts": [p["_links"]["self"] for p in pacts],
        }
    }


# -- verification ---------------------------------------------------------------------------


@route("GET", "/pacts/provider/{provider}/for-verification")
@route("POST", "/pacts/provider/{provider}/for-verification")
def for_verification(tx: Transaction, req: Request) -> tuple[int, Any]:
    """docs.pact.io/pact_broker/advanced_topics/provider_verification_results ("pacts for
    verification"): each pact with a short description, its verification properties
    (pending, WIP, notices shown before and after verification) and its URL."""
    body = req.body if req.body is not None and req.method == "POST" else {}
    if not isinstance(body, dict):
        raise BrokerError(400, "expected a JSON object")
    provider = req.params["provider"]
    pacts = []
    for selected in _selection.pacts_for_verification(tx, provider, body):
        meta = encode_metadata(selected)
        versions = ", ".join(selected.consumer_versions)
        why = "; ".join(selected.reasons)
        url = req.base + pact_version_path(provider, selected.consumer, selected.sha)
        notices = [
            {
                "when": "before_verification",
                "text": f"The pact at {url} is being verified because it matches: {why}"
                f" (consumer versions {versions})",
            }
        ]
        if selected.pending:
            notices.append(
                {
                    "when": "before_verification",
                    "text": "This pact is in pending state for this version of "
                    f"{provider}: a failure will not fail the verification",
                }
            )
            notices.append(
                {
                    "when": "after_verification:success_true_published_true",
                    "text": "This pact is no longer pending",
                }
            )
        props: dict[str, Any] = {"pending": selected.pending, "notices": notices}
        if selected.wip:
            props["wip"] = True
        name = f"Pact between {selected.consumer} ({versions}) and {provider}"
        pacts.append(
            {
                "shortDescription": why,
                "verificationProperties": props,
                "_links": {
                    "self": link(
                        req.base,
                        pact_version_path(provider, selected.consumer, selected.sha)
                        + f"/metadata/{meta}",
                        name,
                        name=name,
                    )
                },
            }
        )
    return 200, {
        "_embedded": {"pacts": pacts},
        "_links": {
            "self": link(
                req.base, f"/pacts/provider/{q(provider)}/for-verification", "Pacts to be verified"
            )
        },
    }


def _check_result(req: Request) -> None:
    check_verification(req.body)


@route(
    "POST",
    "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/verification-results",
    check=_check_result,
)
@route(
    "POST",
    "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/metadata/{meta}"
    "/verification-results",
    check=_check_result,
)
def publish_result(tx: Transaction, req: Request) -> tuple[int, Any]:
    """docs.pact.io/pact_broker/advanced_topics/api_docs/publish_verification_results."""
    rid, _vid = record_verification(
        tx, req.params["consumer"], req.params["provider"], req.params["sha"], req.body
    )
    return 201, result_body(tx, req.base, rid)


@route(
    "GET",
    "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/verification-results/{rid}",
)
def get_result(tx: Transaction, req: Request) -> tuple[int, Any]:
    rid = req.params["rid"]
    if rid == "latest":
        row = tx.one("SELECT MAX(id) FROM verifications WHERE sha = ?", (req.params["sha"],))
        if row is None or row[0] is None:
            raise BrokerError(404, "no verification results for this pact")
        return 200, result_body(tx, req.base, int(row[0]))
    if not rid.isdigit():
        raise BrokerError(404, f"no verification result {rid}")
    return 200, result_body(tx, req.base, int(rid))
