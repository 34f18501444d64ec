"""Stateful mode: resources kept per collection, inferred from the shapes of the paths.

A path ``/x`` with a ``POST`` is a collection when ``/x/{id}`` exists too:
``POST /x`` creates (data generated from the response schema, overlaid with the
request body, a fresh id), ``GET /x/{id}`` reads, ``PUT``/``PATCH`` update,
``DELETE`` removes, and ``GET /x`` lists with ``limit``/``cursor`` pagination in
the documented list shape. Everything else is answered from the contract.
State lives in a :class:`Store` owned by one app; ``POST /__accord/reset`` clears it.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import zlib
from dataclasses import dataclass
from typing import Any

from accord.core import Contract, PathTemplate
from accord.mock._asgi import ASGIApp, Receive, Scope, Send
from accord.mock._config import MockConfig
from accord.mock._exchange import Exchange, exchange_of
from accord.mock._generate import Unsatisfiable
from accord.mock._plan import Problem
from accord.mock._responses import ResponsePlan
from accord.mock._steps import answer, reject

__all__ = ["Role", "Stateful", "Store", "infer_roles"]

_LIST_KEYS = ("items", "data", "results", "records", "entries")
_CURSOR_KEYS = ("next_cursor", "nextCursor", "next_page_token", "nextPageToken", "next")
_CURSOR_PARAMS = ("cursor", "page_token", "pageToken", "after", "starting_after")
_PARAM = re.compile(r"^\{([^{}/]+)\}$")


class Store:
    """Resources by concrete collection path, then by id, in creation order."""

    def __init__(self) -> None:
        self.collections: dict[str, dict[str, Any]] = {}
        self.seeds: dict[str, dict[str, Any]] = {}

    def collection(self, path: str) -> dict[str, Any]:
        return self.collections.setdefault(path.rstrip("/") or "/", {})

    def seed(self, path: str, items: dict[str, Any]) -> None:
        """Records present at start and after every :meth:`clear`."""
        self.seeds[path.rstrip("/") or "/"] = dict(items)
        self.collection(path).update(items)

    def clear(self) -> None:
        self.collections = {path: dict(items) for path, items in self.seeds.items()}


@dataclass(slots=True, frozen=True)
class Role:
    """What an operation does to a collection: create, list, read, replace, update, delete."""

    kind: str
    id_param: str = ""


def infer_roles(contract: Contract) -> dict[tuple[str, str], Role]:
    """Roles of the operations whose paths look like collections and their items."""
    by_path: dict[str, set[str]] = {}
    for op in contract.operations:
        by_path.setdefault(op.path.rstrip("/") or "/", set()).add(op.method)
    roles: dict[tuple[str, str], Role] = {}
    for path, methods in by_path.items():
        parent, _, last = path.rpartition("/")
        found = _PARAM.match(last)
        if found and "post" in by_path.get(parent or "/", set()):
            kinds = {"get": "read", "put": "replace", "patch": "update", "delete": "delete"}
            for method in methods & kinds.keys():
                roles[(method, path)] = Role(kinds[method], found.group(1))
        items = [p for p in by_path if p.rpartition("/")[0] == path and _PARAM.match(_last(p))]
        if "post" in methods and items:
            id_param = _last(items[0])[1:-1]
            roles[("post", path)] = Role("create", id_param)
            if "get" in methods:
                roles[("get", path)] = Role("list", id_param)
    return roles


class Stateful:
    """The stateful step: answers collection operations from the :class:`Store`."""

    def __init__(self, app: ASGIApp, store: Store, config: MockConfig) -> None:
        self.app = app
        self.store = store
        self.config = config
        self._roles: dict[int, dict[tuple[str, str], Role]] = {}
        self._counter = itertools.count()
        self._templates: dict[int, Any] = {}

    def roles(self, contract: Contract) -> dict[tuple[str, str], Role]:
        found = self._roles.get(id(contract))
        if found is None:
            found = infer_roles(contract)
            self._roles[id(contract)] = found
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ex = exchange_of(scope)
        assert ex.plan is not None and ex.service is not None
        op = ex.plan.operation
        role = self.roles(ex.service.contract).get((op.method, op.path.rstrip("/") or "/"))
        target = ex.plan.default
        scripted = ex.prefer or "x-accord-scenario" in ex.headers
        if role is None or scripted or target is None or not target.key.startswith("2"):
            await self.app(scope, receive, send)
            return
        handler = getattr(self, f"_{role.kind}")
        handled = await handler(ex, role, target, send)
        if not handled:
            await self.app(scope, receive, send)

    # handlers: each returns False to let the contract answer instead ---------------------------
    async def _create(self, ex: Exchange, role: Role, target: ResponsePlan, send: Send) -> bool:
        items = self.store.collection(ex.path)
        rng = self._rng(ex)
        try:
            value = target.generated(rng)
        except Unsatisfiable:
            return False
        key = _id_key(value, role.id_param) if isinstance(value, dict) else None
        if not isinstance(value, dict) or key is None:
            return False
        value = _overlay(value, ex.body, target)
        for _ in range(8):  # realistic data, but a fresh id drawn from the id's own schema
            try:
                fresh = target.generated(rng, realistic=False)
            except Unsatisfiable:
                return False
            trial = {**value, key: fresh.get(key)} if isinstance(fresh, dict) else value
            ident = str(trial[key])
            if ident not in items and target.accepts(trial):
                value = trial
                break
        else:
            return False
        items[ident] = value
        location = f"{ex.path.rstrip('/')}/{ident}"
        extra = ((b"location", location.encode()),) if "location" in target.response.headers else ()
        await answer(
            send, ex, target.value_answer(value, extra, accept=ex.headers.get("accept")), "state"
        )
        return True

    async def _read(self, ex: Exchange, role: Role, target: ResponsePlan, send: Send) -> bool:
        item = await self._existing(ex, role, send)
        if item is None:
            return True
        if not target.accepts(item):
            return False
        await answer(send, ex, target.value_answer(item, accept=ex.headers.get("accept")), "state")
        return True

    async def _update(self, ex: Exchange, role: Role, target: ResponsePlan, send: Send) -> bool:
        item = await self._existing(ex, role, send)
        if item is None:
            return True
        updated = _overlay(item, ex.body, target) if isinstance(item, dict) else item
        self.store.collection(_parent(ex.path))[ex.path_params[role.id_param]] = updated
        if target.media is None:
            await answer(
                send, ex, target.value_answer(None, accept=ex.headers.get("accept")), "state"
            )
            return True
        if not target.accepts(updated):
            return False
        await answer(
            send, ex, target.value_answer(updated, accept=ex.headers.get("accept")), "state"
        )
        return True

    _replace = _update

    async def _delete(self, ex: Exchange, role: Role, target: ResponsePlan, send: Send) -> bool:
        item = await self._existing(ex, role, send)
        if item is None:
            return True
        del self.store.collection(_parent(ex.path))[ex.path_params[role.id_param]]
        canned = target.canned()
        if canned is None:
            return False
        await answer(send, ex, canned, "state")
        return True

    async def _list(self, ex: Exchange, role: Role, target: ResponsePlan, send: Send) -> bool:
        template = self._template(target)
        if template is None:
            return False
        items = list(self.store.collection(ex.path).values())
        limit = ex.params.get(("query", "limit"))
        size = limit if isinstance(limit, int) and limit > 0 else self.config.page_size
        start = 0
        for name in _CURSOR_PARAMS:
            cursor = ex.params.get(("query", name))
            if isinstance(cursor, str) and cursor.startswith("c") and cursor[1:].isdigit():
                start = int(cursor[1:])
        page = items[start : start + size]
        following = f"c{start + size}" if start + size < len(items) else None
        body = _page(template, page, following)
        if body is None or not target.accepts(body):
            return False
        await answer(send, ex, target.value_answer(body, accept=ex.headers.get("accept")), "state")
        return True

    # helpers ---------------------------------------------------------------------------------
    async def _existing(self, ex: Exchange, role: Role, send: Send) -> Any:
        ident = ex.path_params.get(role.id_param, "")
        item = self.store.collection(_parent(ex.path)).get(ident)
        if item is None:
            await reject(send, ex, Problem(404, f"no resource with id {ident!r} (stateful mock)"))
        return item

    def _template(self, target: ResponsePlan) -> Any:
        key = id(target)
        if key not in self._templates:
            canned = target.canned()
            self._templates[key] = json.loads(canned.body) if canned and canned.body else None
        return self._templates[key]

    def _rng(self, ex: Exchange) -> random.Random:
        text = f"{self.config.seed}:state:{ex.path}:{next(self._counter)}"
        return random.Random(zlib.crc32(text.encode()))


def _last(path: str) -> str:
    return path.rpartition("/")[2]


def _parent(path: str) -> str:
    return path.rstrip("/").rpartition("/")[0] or "/"


def record_ids(
    contract: Contract, collection: str, records: list[dict[str, Any]]
) -> tuple[str, dict[str, Any]] | str:
    """The collection's path template and its seed records by id, or why they cannot be."""
    roles = infer_roles(contract)
    template = next(
        (
            p
            for (m, p), r in roles.items()
            if r.kind == "create" and PathTemplate.parse(p).match(collection) is not None
        ),
        None,
    )
    if template is None:
        return f"{collection} is not a collection of the contract (no POST with an item path)"
    id_param = roles[("post", template)].id_param
    out: dict[str, Any] = {}
    for i, record in enumerate(records):
        key = _id_key(record, id_param)
        if key is None:
            return f"record {i} of {collection} has no id ({id_param} or id)"
        out[str(record[key])] = record
    return template, out


def _id_key(value: dict[str, Any], id_param: str) -> str | None:
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", id_param).lower()
    for key in (id_param, snake, "id", "uuid", "key", "name"):
        if key in value and isinstance(value[key], str | int):
            return key
    return None


def _overlay(value: Any, body: Any, target: ResponsePlan) -> Any:
    """``value`` with each field of the request ``body`` copied over, where it stays valid."""
    if not isinstance(value, dict) or not isinstance(body, dict):
        return value
    merged = dict(value)
    for key, field in body.items():
        trial = {**merged, key: field}
        if target.accepts(trial):
            merged = trial
    return merged


def _page(template: Any, page: list[Any], following: str | None) -> Any:
    if isinstance(template, list):
        return page
    if not isinstance(template, dict):
        return None
    keys = [k for k in _LIST_KEYS if isinstance(template.get(k), list)]
    keys += [k for k, v in template.items() if isinstance(v, list) and k not in keys]
    if not keys:
        return None
    body = {**template, keys[0]: page}
    for name in _CURSOR_KEYS:
        if name in body:
            body[name] = following
    return body
