"""The index, pacticipants, versions, branches, tags, publishing and pacts."""

from __future__ import annotations

from typing import Any

from accord.broker import _model as m
from accord.broker._db import Transaction
from accord.broker._hal import (
    decode_metadata,
    link,
    pact_body,
    pact_version_path,
    pacticipant_body,
    pacticipant_path,
    version_body,
    version_path,
)
from accord.broker._intake import (
    Contract,
    check_pact,
    check_publication,
    check_version,
)
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
    (
        "pb:latest-tagged-version",
        "/pacticipants/{pacticipant}/latest-version/{tag}",
        "Latest pacticipant version with the specified tag",
    ),
    (
        "pb:pacticipant-branch",
        "/pacticipants/{pacticipant}/branches/{branch}",
        "Get or delete a pacticipant branch",
    ),
    ("pb:latest-pact-versions", "/pacts/latest", "Latest pact versions"),
    ("pb:latest-provider-pacts", "/pacts/provider/{provider}/latest", "Latest pacts by provider"),
    (
        "pb:provider-pacts-for-verification",
        "/pacts/provider/{provider}/for-verification",
        "Pacts to be verified",
    ),
    (
        "pb:provider-pacts-with-branch",
        "/pacts/provider/{provider}/branch/{branch}",
        "Pacts from a consumer branch",
    ),
    (
        "pb:latest-provider-pacts-with-branch",
        "/pacts/provider/{provider}/branch/{branch}/latest",
        "Latest pacts from a consumer branch",
    ),
    (
        "pb:provider-pacts-with-main-branch",
        "/pacts/provider/{provider}/branch",
        "Pacts from the consumers' main branches",
    ),
    (
        "pb:latest-provider-pacts-with-main-branch",
        "/pacts/provider/{provider}/branch/latest",
        "Latest pacts from the consumers' main branches",
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
@route("GET", "/pacticipants/{pacticipant}/latest-version/{tag}")
@route("GET", "/pacticipants/{pacticipant}/versions/{version}")
def get_version(tx: Transaction, req: Request) -> tuple[int, Any]:
    name, number, tag = req.params["pacticipant"], req.params.get("version"), req.params.get("tag")
    pid = m.require_pacticipant(tx, name)
    if tag is not None:
        vid, missing = m.latest_version(tx, pid, tag=tag), f"no version of {name} tagged {tag}"
    elif number is None:
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


@route("DELETE", "/pacticipants/{pacticipant}/versions/{version}/tags/{tag}")
def delete_tag(tx: Transaction, req: Request) -> tuple[int, Any]:
    """Take a tag off a version (the version stays); 404 when it has no such tag."""
    pid = m.require_pacticipant(tx, req.params["pacticipant"])
    vid = m.version_id(tx, pid, req.params["version"])
    found = None if vid is None else tx.one(
        "SELECT 1 FROM tags WHERE version_id = ? AND name = ?", (vid, req.params["tag"])
    )  # fmt: skip
    if found is None:
        raise BrokerError(404, f"no tag {req.params['tag']!r} on that version")
    tx.run("DELETE FROM tags WHERE version_id = ? AND name = ?", (vid, req.params["tag"]))
    return 204, None


@route("GET", "/pacticipants/{pacticipant}/branches/{branch}")
@route("DELETE", "/pacticipants/{pacticipant}/branches/{branch}")
def branch(tx: Transaction, req: Request) -> tuple[int, Any]:
    """A branch (404 when none of the pacticipant's versions is on it), or its deletion:
    its versions, their pacts and results stay, but no selector finds them through it any
    more (docs.pact.io/pact_broker/branches#deleting-a-branch)."""
    name, branch = req.params["pacticipant"], req.params["branch"]
    pid = m.require_pacticipant(tx, name)
    row = tx.one(
        "SELECT MIN(created_at) FROM branch_versions WHERE pacticipant_id = ? AND branch = ?",
        (pid, branch),
    )
    if row is None or row[0] is None:
        raise BrokerError(404, f"{name} has no branch {branch!r}")
    if req.method == "DELETE":
        tx.run("DELETE FROM branch_versions WHERE pacticipant_id = ? AND branch = ?", (pid, branch))
        return 204, None
    path = f"{pacticipant_path(name)}/branches/{q(branch)}"
    return 200, {
        "name": branch,
        "createdAt": row[0],
        "_links": {
            "self": link(req.base, path, branch),
            "pb:pacticipant": link(req.base, pacticipant_path(name), name, name=name),
        },
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
