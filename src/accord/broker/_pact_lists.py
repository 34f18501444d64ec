"""Lists of pacts: the latest of each integration, a provider's pacts by branch, the
provider states its consumers name. The shapes are the Pact Broker's (its
``PactCollectionDecorator``, ``ProviderPactsDecorator`` and provider-states resource), which
the Pact CLI's ``list-latest-pact-versions``, ``get-pacts`` and ``provider-states`` read."""

from __future__ import annotations

import json
from typing import Any

from accord.broker import _model as m
from accord.broker._db import Transaction
from accord.broker._hal import link, pact_body, pacticipant_path, version_path
from accord.broker._model import BrokerError
from accord.broker._routing import Request, q, route

__all__: list[str] = []  # routes register themselves


def _pact_path(provider: str, consumer: str) -> str:
    return f"/pacts/provider/{q(provider)}/consumer/{q(consumer)}"


def _party(base: str, name: str, **embedded: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "_links": {"self": link(base, pacticipant_path(name))}}
    if embedded:
        body["_embedded"] = embedded
    return body


@route("GET", "/pacts/latest")
def latest_pacts(tx: Transaction, req: Request) -> tuple[int, Any]:
    """The newest pact of each consumer and provider, each with its consumer version."""
    rows = tx.all(
        "SELECT c.name, p.name, v.number, pub.created_at FROM publications pub"
        " JOIN pacticipants c ON c.id = pub.consumer_id"
        " JOIN pacticipants p ON p.id = pub.provider_id"
        " JOIN versions v ON v.id = pub.consumer_version_id WHERE pub.id IN (SELECT MAX(id)"
        " FROM publications GROUP BY consumer_id, provider_id) ORDER BY c.name, p.name"
    )
    pacts = []
    for consumer, provider, number, created in rows:
        path = _pact_path(provider, consumer)
        version = {
            "number": number,
            "_links": {"self": link(req.base, version_path(consumer, number))},
        }
        pacts.append(
            {
                "createdAt": created,
                "_embedded": {
                    "consumer": _party(req.base, consumer, version=version),
                    "provider": _party(req.base, provider),
                },
                "_links": {
                    "self": [
                        link(req.base, f"{path}/latest"),
                        link(req.base, f"{path}/version/{q(number)}"),
                    ]
                },
            }
        )
    return 200, {
        "pacts": pacts,
        "_links": {
            "self": link(req.base, "/pacts/latest"),
            "pacts": [
                link(
                    req.base,
                    f"{_pact_path(prov, cons)}/latest",
                    "Pact",
                    name=f"Latest pact between {cons} and {prov}",
                )
                for cons, prov, _number, _created in rows
            ],
        },
    }


def _selected(
    tx: Transaction, provider: str, branch: str | None, *, latest: bool, consumer: str | None = None
) -> list[tuple[str, str, int]]:
    """(consumer, version number, version id) of the pacts with ``provider`` from each
    consumer's ``branch`` (``None``: its main branch), newest first; only the newest of
    each consumer with ``latest``."""
    pid = m.require_pacticipant(tx, provider)
    found = []
    for cid, name, main in m.consumers_of(tx, pid):
        if consumer is not None and name != consumer:
            continue
        on = branch if branch is not None else main
        if on is None:
            continue
        for vid in m.latest_with_pact(tx, cid, pid, branch=on, latest=latest):
            found.append((name, m.version_info(tx, vid)["number"], vid))
    return found


def _provider_pacts_body(
    req: Request, provider: str, title: str, pacts: list[tuple[str, str]]
) -> dict[str, Any]:
    """A provider's pacts, one ``pb:pacts`` link per (consumer, version number)."""
    return {
        "_links": {
            "self": link(req.base, req.path, title),
            "pb:provider": link(req.base, pacticipant_path(provider), name=provider),
            "pb:pacts": [
                link(
                    req.base,
                    f"{_pact_path(provider, consumer)}/version/{q(number)}",
                    f"Pact between {consumer} ({number}) and {provider}",
                    name=consumer,
                )
                for consumer, number in pacts
            ],
        }
    }


def _provider_pacts(tx: Transaction, req: Request, *, latest: bool) -> tuple[int, Any]:
    provider, branch = req.params["provider"], req.params.get("branch")
    pacts = [(c, n) for c, n, _vid in _selected(tx, provider, branch, latest=latest)]
    which = f"branch {branch}" if branch else "the main branch"
    title = f"{'Latest pact' if latest else 'All pact'} versions for the provider {provider}"
    return 200, _provider_pacts_body(req, provider, f"{title} from {which}", pacts)


# "latest" before "{branch}": as in the Pact Broker, a branch cannot be called "latest" here
@route("GET", "/pacts/provider/{provider}/branch/latest")
@route("GET", "/pacts/provider/{provider}/branch/{branch}/latest")
def latest_provider_pacts_by_branch(tx: Transaction, req: Request) -> tuple[int, Any]:
    return _provider_pacts(tx, req, latest=True)


@route("GET", "/pacts/provider/{provider}/branch")
@route("GET", "/pacts/provider/{provider}/branch/{branch}")
def provider_pacts_by_branch(tx: Transaction, req: Request) -> tuple[int, Any]:
    return _provider_pacts(tx, req, latest=False)


@route("GET", "/pacts/provider/{provider}/consumer/{consumer}/branch/latest")
@route("GET", "/pacts/provider/{provider}/consumer/{consumer}/branch/{branch}/latest")
def latest_branch_pact(tx: Transaction, req: Request) -> tuple[int, Any]:
    """The newest pact from the consumer's branch (or main branch): the pact itself."""
    provider, consumer = req.params["provider"], req.params["consumer"]
    found = _selected(tx, provider, req.params.get("branch"), latest=True, consumer=consumer)
    if not found:
        raise BrokerError(404, f"no pact between {consumer} and {provider} on that branch")
    _name, number, vid = found[0]
    sha = m.publication(tx, vid, m.require_pacticipant(tx, provider))
    assert sha is not None
    return 200, pact_body(tx, req.base, sha, number)


@route("GET", "/pacts/provider/{provider}/consumer/{consumer}/branch")
@route("GET", "/pacts/provider/{provider}/consumer/{consumer}/branch/{branch}")
def branch_pacts(tx: Transaction, req: Request) -> tuple[int, Any]:
    """Every version of the pact from the consumer's branch (or main branch)."""
    provider, consumer = req.params["provider"], req.params["consumer"]
    found = _selected(tx, provider, req.params.get("branch"), latest=False, consumer=consumer)
    pacts = []
    for _name, number, vid in found:
        created = m.version_info(tx, vid)["createdAt"]
        vpath = version_path(consumer, number)
        pacts.append(
            {
                "createdAt": created,
                "_embedded": {
                    "consumerVersion": {
                        "number": number,
                        "_links": {"self": link(req.base, vpath, "Version", name=number)},
                    }
                },
                "_links": {
                    "self": link(
                        req.base,
                        f"{_pact_path(provider, consumer)}/version/{q(number)}",
                        f"Pact between {consumer} ({number}) and {provider}",
                    )
                },
            }
        )
    return 200, {
        "_embedded": {"pacts": pacts},
        "_links": {
            "self": link(req.base, req.path),
            "consumer": link(req.base, pacticipant_path(consumer), "Consumer", name=consumer),
            "provider": link(req.base, pacticipant_path(provider), "Provider", name=provider),
        },
    }


@route("GET", "/pacts/provider/{provider}/latest")
def latest_provider_pacts(tx: Transaction, req: Request) -> tuple[int, Any]:
    """The newest pact of each of the provider's consumers."""
    provider = req.params["provider"]
    pid = m.require_pacticipant(tx, provider)
    pacts = []
    for cid, consumer, _main in m.consumers_of(tx, pid):
        vids = m.latest_with_pact(tx, cid, pid)
        if vids:
            pacts.append((consumer, m.version_info(tx, vids[0])["number"]))
    title = f"Latest pact versions for the provider {provider}"
    return 200, _provider_pacts_body(req, provider, title, pacts)


def _states(interaction: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(name, params as JSON) of each provider state an interaction names (V2 or V3+)."""
    states = interaction.get("providerStates")
    if isinstance(states, list):
        return [
            (str(s["name"]), json.dumps(s["params"], sort_keys=True) if s.get("params") else None)
            for s in states
            if isinstance(s, dict) and isinstance(s.get("name"), str)
        ]
    single = interaction.get("providerState") or interaction.get("provider_state")
    return [(single, None)] if isinstance(single, str) else []


def _state_order(item: tuple[tuple[str, str | None], set[str]]) -> tuple[str, str]:
    return item[0][0], item[0][1] or ""


def _provider_states(tx: Transaction, req: Request, vids: list[tuple[str, int]]) -> tuple[int, Any]:
    pid = m.require_pacticipant(tx, req.params["provider"])
    consumers: dict[tuple[str, str | None], set[str]] = {}
    for consumer, vid in vids:
        sha = m.publication(tx, vid, pid)
        if sha is None:
            continue
        row = tx.one("SELECT content FROM pact_contents WHERE sha = ?", (sha,))
        content = json.loads(row[0])
        for key in ("interactions", "messages"):
            for interaction in content.get(key) or []:
                for named in _states(interaction):
                    consumers.setdefault(named, set()).add(consumer)
    states = []
    for (name, params), names in sorted(
        consumers.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")
    ):
        state: dict[str, Any] = {"name": name, "consumers": sorted(names)}
        if params is not None:
            state["params"] = json.loads(params)
        states.append(state)
    return 200, {"providerStates": states}


@route("GET", "/pacts/provider/{provider}/provider-states")
@route("GET", "/pacts/provider/{provider}/provider-states/branch/{branch}")
def provider_states(tx: Transaction, req: Request) -> tuple[int, Any]:
    """The provider states named by the newest pact of each consumer's main branch (or
    ``branch``), each with the consumers that name it."""
    found = _selected(tx, req.params["provider"], req.params.get("branch"), latest=True)
    return _provider_states(tx, req, [(c, vid) for c, _n, vid in found])


@route("GET", "/pacts/provider/{provider}/provider-states/environment/{environment}")
def provider_states_in_environment(tx: Transaction, req: Request) -> tuple[int, Any]:
    """The provider states named by the pacts of the consumer versions deployed or
    released in the environment."""
    pid = m.require_pacticipant(tx, req.params["provider"])
    env_uuid, _name = m.environment(tx, req.params["environment"])
    vids = []
    for cid, consumer, _main in m.consumers_of(tx, pid):
        vids += [(consumer, vid) for vid in m.versions_in_environment(tx, cid, env_uuid)]
    return _provider_states(tx, req, vids)
