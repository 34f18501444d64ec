"""AsyncAPI diff: every change between two versions, classified two ways.

1. As ``@asyncapi/diff`` does (its ``standard`` tables, vendored in
   ``schemas/asyncapi/diff-v2.json`` and ``diff-v3.json``): each leaf change (add, remove,
   edit, arrays by index) is looked up by its JSON pointer, segment by segment, a segment
   the table does not name standing as ``*``; a path the table does not reach is
   ``unclassified``. This is what the agreement with ``@asyncapi/diff`` measures.
2. By direction (Accord's verdict, ``level``), for changes inside a message's payload or
   headers: what the provider ``send``s, consumers receive (as an HTTP response), and what
   it ``receive``s, consumers send (as a request). Narrowing what consumers send, or
   widening what they receive, breaks them: a new ``required`` field in a received message,
   a new ``enum`` value or a removed property in a sent one. Comparing the documents with
   their ``$ref`` s followed puts every payload under its channel and operation, so a change
   in a shared schema is judged once per message that uses it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from accord.core import AsyncContract, Message, PactFile, SchemaRef

__all__ = [
    "Affected",
    "AsyncChange",
    "Reported",
    "asyncapi_changes",
    "classify",
    "consumers_of_change",
    "inline",
    "origin",
    "raw_changes",
    "render_async_changes",
    "report_changes",
]

Action = Literal["add", "remove", "edit"]
_MISSING = object()


@dataclass(slots=True, frozen=True)
class AsyncChange:
    action: Action
    path: str  # JSON pointer in the compared documents
    before: Any = None
    after: Any = None
    is_array_index: bool = False
    #: ``@asyncapi/diff``'s classification: breaking, non-breaking or unclassified
    type: str = "unclassified"
    #: Accord's verdict by direction (payload and headers changes), else ``type``
    level: str = "unclassified"
    #: why ``level`` differs from ``type``, when it does
    reason: str = ""


@cache
def _standard(major: int) -> dict[str, dict[str, str]]:
    folder = resources.files("accord") / "schemas" / "asyncapi"
    text = (folder / f"diff-v{2 if major < 3 else 3}.json").read_text(encoding="utf-8")
    table: dict[str, dict[str, str]] = json.loads(text)
    return table


def classify(path: str, action: Action, major: int) -> str:
    """The ``@asyncapi/diff`` type of ``action`` at ``path``."""
    table = _standard(major)
    parts = path.split("/")
    for i in range(1, len(parts)):
        prefix = "/".join(parts[: i + 1])
        if prefix in table:
            continue
        starred = "/".join([*parts[:i], "*"])
        if starred not in table:
            return "unclassified"
        parts[i] = "*"
    found = table.get("/".join(parts))
    return found[action] if found else "unclassified"


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def raw_changes(old: Any, new: Any, path: str = "") -> Iterator[AsyncChange]:
    """Leaf changes from ``old`` to ``new``: edits where both have a key, removes, then adds."""
    if isinstance(old, list) and isinstance(new, list):
        for i in range(len(old) - 1, -1, -1):
            where = f"{path}/{i}"
            if i >= len(new):
                yield AsyncChange("remove", where, before=old[i], is_array_index=True)
            else:
                yield from _pair(old[i], new[i], where)
        for i in range(len(old), len(new)):
            yield AsyncChange("add", f"{path}/{i}", after=new[i], is_array_index=True)
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in reversed(list(old)):
            where = f"{path}/{_escape(str(key))}"
            if key in new:
                yield from _pair(old[key], new[key], where)
            else:
                yield AsyncChange("remove", where, before=old[key])
        for key in new:
            if key not in old:
                yield AsyncChange("add", f"{path}/{_escape(str(key))}", after=new[key])
        return
    if old != new or type(old) is not type(new):
        yield AsyncChange("edit", path, before=old, after=new)


def _pair(old: Any, new: Any, path: str) -> Iterator[AsyncChange]:
    both_containers = isinstance(old, dict | list) and isinstance(new, dict | list)
    if both_containers and isinstance(old, list) == isinstance(new, list):
        yield from raw_changes(old, new, path)
    elif old != new or type(old) is not type(new):
        yield AsyncChange("edit", path, before=old, after=new)


def inline(contract: AsyncContract) -> Any:
    """The document with every ``$ref`` replaced by its target (a recursive one kept)."""
    documents = contract.documents

    def copy(node: Any, file: Any, pointer: str, chain: tuple[str, ...]) -> Any:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                target = documents.deref(node, file, pointer)
                if target.uri in chain:
                    return node
                return copy(target.value, target.file, target.pointer, (*chain, target.uri))
            return {
                k: copy(v, file, f"{pointer}/{_escape(str(k))}", chain) for k, v in node.items()
            }
        if isinstance(node, list):
            return [copy(v, file, f"{pointer}/{i}", chain) for i, v in enumerate(node)]
        return node

    return copy(contract.root.data, contract.root, "", ())


def asyncapi_changes(
    old: AsyncContract, new: AsyncContract, *, resolved: bool = False
) -> list[AsyncChange]:
    """Every change from ``old`` to ``new``, classified; ``resolved`` compares the documents
    with their ``$ref`` s followed (what ``@asyncapi/diff`` sees after parsing, and what the
    direction verdict needs)."""
    if old.major != new.major:
        raise ValueError(
            f"AsyncAPI {old.version} and {new.version} differ in major version; "
            "convert one first (both documents must be 2.x, or both 3.x)"
        )
    before = inline(old) if resolved else old.root.data
    after = inline(new) if resolved else new.root.data
    directions = _directions(old) | _directions(new)
    out = []
    for change in raw_changes(before, after):
        kind = classify(change.path, change.action, new.major)
        level, reason = _by_direction(change, directions)
        out.append(
            AsyncChange(
                change.action,
                change.path,
                change.before,
                change.after,
                change.is_array_index,
                kind,
                level or kind,
                reason,
            )
        )
    return out


def _directions(contract: AsyncContract) -> dict[str, str]:
    """Message path prefix in the resolved document -> the provider's action on it."""
    out: dict[str, str] = {}
    if contract.major >= 3:
        for op in contract.operations:
            out[f"/operations/{_escape(op.key)}/messages"] = op.action
            out[f"/operations/{_escape(op.key)}/channel/messages"] = op.action
            out[f"/channels/{_escape(op.channel.key)}/messages"] = op.action
    else:
        for op in contract.operations:
            verb = "subscribe" if op.action == "send" else "publish"
            out[f"/channels/{_escape(op.channel.key)}/{verb}/message"] = op.action
    return out


def _by_direction(change: AsyncChange, directions: dict[str, str]) -> tuple[str, str]:
    """Accord's verdict for a change inside a payload or headers schema, else ("", "")."""
    # the change's ancestors looked up (scanning every prefix per change was quadratic:
    # 342 s for a document of 20,000 channels)
    steps = change.path.split("/")
    action = next(
        (a for k in range(2, len(steps)) if (a := directions.get("/".join(steps[:k])))), None
    )
    if action is None or not any(f"/{p}" in change.path for p in ("payload", "headers")):
        return "", ""
    parts = change.path.split("/")
    leaf, parent = parts[-1], parts[-2] if len(parts) > 1 else ""
    sent = action == "send"  # consumers receive it
    who = "consumers receive" if sent else "consumers send"
    if parent == "required" or leaf == "required":
        if change.action == "edit":
            return "breaking", f"which fields {who} must carry changed"
        added = change.action == "add"
        if sent and not added:
            return "breaking", f"a field {who} may now be missing"
        if not sent and added:
            return "breaking", f"a field {who} is now required"
        return "non-breaking", ""
    if parent == "enum":
        if sent and change.action == "add":
            return "breaking", f"a new value {who} may not handle"
        if not sent and change.action == "remove":
            return "breaking", f"a value {who} use is no longer accepted"
        return "non-breaking", ""
    if parent == "properties":
        if sent and change.action == "remove":
            return "breaking", f"a field {who} read is gone"
        if not sent and change.action == "add":
            return "non-breaking", "a new optional field consumers may send"
        return "non-breaking", ""
    if leaf in ("type", "format", "pattern", "const", "$ref") and change.action == "edit":
        return "breaking", f"the {leaf} of a field {who} changed"
    if leaf in ("maximum", "minimum", "maxLength", "minLength", "maxItems", "minItems"):
        return ("breaking", f"a bound on a field {who}") if not sent else ("non-breaking", "")
    return "", ""


def _unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


def origin(contract: AsyncContract, path: str) -> str | None:
    """Where the node at ``path`` of the resolved document is written: its JSON pointer
    in ``contract``'s files, ``$ref`` s followed (``file.yaml#/pointer`` in another file)."""
    documents = contract.documents
    file, pointer, node = contract.root, "", contract.root.data
    for segment in path.split("/")[1:]:
        target = documents.deref(node, file, pointer)
        file, pointer, node = target.file, target.pointer, target.value
        key = _unescape(segment)
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return None
        pointer = f"{pointer}/{segment}"
    if file is contract.root:
        return pointer
    return f"{file.display}#{pointer}"


def _where(contract: AsyncContract, path: str) -> tuple[str, str | None] | None:
    """The channel key and message key (None: any of the channel's) a path lies under."""
    parts = [_unescape(p) for p in path.split("/")[1:]]
    if len(parts) < 2:
        return None
    if parts[0] == "channels":
        channel = contract.channels.get(parts[1])
        if channel is None:
            return None
        if contract.major >= 3:
            rest = parts[2:]
            return parts[1], rest[1] if len(rest) > 1 and rest[0] == "messages" else None
        rest = parts[2:]  # 2.x: <channel>/(subscribe|publish)/message[/oneOf/<i>]
        if len(rest) > 3 and rest[1] == "message" and rest[2] == "oneOf":
            op = next(
                (o for o in contract.operations_on(channel) if rest[0] in o.place.pointer), None
            )
            index = int(rest[3]) if rest[3].isdigit() else -1
            if op is not None and 0 <= index < len(op.messages):
                return parts[1], op.messages[index].key
        return parts[1], None
    if parts[0] == "operations":
        op = contract.operation(parts[1])
        if op is None:
            return None
        rest = parts[2:]
        if len(rest) > 1 and rest[0] == "messages" and rest[1].isdigit():
            index = int(rest[1])
            if index < len(op.messages):
                return op.channel.key, op.messages[index].key
        if len(rest) > 2 and rest[0] == "channel" and rest[1] == "messages":
            return op.channel.key, rest[2]
        return op.channel.key, None
    return None


@dataclass(slots=True, frozen=True)
class Affected:
    """A message interaction a change reaches: who receives what."""

    consumer: str
    interaction: str
    pact: str


def _receives(
    contract: AsyncContract, message: Message, channel_key: str, message_key: str | None
) -> bool:
    """Whether a pact's message is received on that channel (and is that message)."""
    name = message.channel
    channel = contract.channels.get(channel_key)
    if channel is None:
        return False
    if name is not None:
        found = contract.match_channel(name)
        if found is None or found.channel.key != channel_key:
            return False
    if message_key is None or len(channel.messages) < 2:
        return name is not None or bool(contract.operations_on(channel, "send"))
    body = message.contents.content
    tiers: dict[int, list[str]] = {}
    for candidate in channel.messages.values():
        if candidate.payload is not None:
            tier = _fit_tier(contract, candidate.payload, body)
            tiers.setdefault(tier, []).append(candidate.key)
    best = min((t for t in tiers if t < 2), default=None)
    return message_key in tiers[best] if best is not None else True  # fits none: it may


def _fit_tier(contract: AsyncContract, payload: SchemaRef, body: Any) -> int:
    """0: ``body`` fits ``payload``; 1: it does but for ``required`` fields (a pact shows
    what a consumer reads, not all that is sent); 2: it does not."""
    violations = contract.validator(payload).violations(body)
    if not violations:
        return 0
    return 1 if all(v.keyword == "required" for v in violations) else 2


def consumers_of_change(
    change: AsyncChange,
    pacts: list[PactFile],
    provider: str | None = None,
    contract: AsyncContract | None = None,
    also: tuple[str, ...] = (),
) -> list[Affected]:
    """The message interactions (of pacts with ``provider``, when given) that receive the
    message a breaking ``change`` is in, on its channel, in the old ``contract`` (what the
    consumers were written against): a pact's message is on the channel its metadata
    names, and is the channel's message its contents fit. ``also``: the other places the
    same change is (a message shared by several channels). Without ``contract``, every
    message interaction."""
    if change.level != "breaking":
        return []
    found: list[Affected] = []
    places = [
        w for w in (_where(contract, p) for p in (change.path, *also)) if w is not None
    ] if contract is not None else []  # fmt: skip
    if contract is not None and not places:
        return []
    for pact in pacts:
        if provider is not None and pact.provider != provider:
            continue
        for interaction in pact.message_interactions:
            message = interaction.message
            if message is None:
                continue
            if contract is None or any(_receives(contract, message, ch, m) for ch, m in places):
                found.append(Affected(pact.consumer, interaction.description, pact.source.display))
    return found


@dataclass(slots=True)
class Reported:
    """A change as the report lists it: once, at the place a reader looks for it."""

    change: AsyncChange
    written_at: str | None  # where the changed node is written, when not at ``path``
    also_at: list[str]  # the same change at other places of the resolved document
    affected: list[Affected]


def _rank(path: str) -> int:
    head = path.split("/")[1] if path.count("/") else ""
    return {"channels": 0, "operations": 1, "components": 2}.get(head, 3)


def report_changes(
    changes: list[AsyncChange],
    pacts: list[PactFile],
    old: AsyncContract | None = None,
    new: AsyncContract | None = None,
) -> list[Reported]:
    """``changes`` grouped as a reader expects them: one change written at one place (a
    component) and reached from several (its channel, its operation, the component
    itself) is listed once, under its channel, with the others as context; where the
    verdict differs by direction (a schema both sent and received) once per verdict."""
    groups: dict[tuple[str, str], list[AsyncChange]] = {}
    written: dict[tuple[str, str], str | None] = {}
    for index, change in enumerate(changes):
        source = old if change.action == "remove" else new
        found = origin(source, change.path) if source is not None else None
        group = (str(change.action), found if found is not None else f"#{index}")
        groups.setdefault(group, []).append(change)
        written[group] = found
    out: list[Reported] = []
    for group, members in groups.items():
        members.sort(key=lambda c: _rank(c.path))  # stable: the document's order otherwise
        shown: list[Reported] = []
        for change in members:
            same = next((r for r in shown if _joins(r.change, change)), None)
            if same is not None:
                same.also_at.append(change.path)
                continue
            at = written[group]
            shown.append(Reported(change, at if at != change.path else None, [], []))
        for row in shown:
            places = tuple(p for p in row.also_at if _rank(p) < 2)
            row.affected = consumers_of_change(row.change, pacts, None, old, places)
        out += shown
    return out


def _joins(shown: AsyncChange, change: AsyncChange) -> bool:
    """Whether ``change`` (the same node as ``shown``) is context of ``shown``'s row: it is
    outside the channels, or judged the same (several channels sharing a message)."""
    same_verdict = (shown.level, shown.reason) == (change.level, change.reason)
    return _rank(change.path) > 0 or same_verdict


def render_async_changes(
    changes: list[AsyncChange],
    pacts: list[PactFile],
    fmt: str,
    title: str,
    old: AsyncContract | None = None,
    new: AsyncContract | None = None,
) -> tuple[str, int, int]:
    """The changes as text or JSON, each once (:func:`report_changes`); returns (output,
    breaking count, breaking that reach a consumer's message pact)."""
    rows = report_changes(changes, pacts, old, new)
    breaking = sum(r.change.level == "breaking" for r in rows)
    reaching = sum(bool(r.affected) for r in rows)
    if fmt == "json":
        data = [
            {
                "action": r.change.action, "path": r.change.path, "level": r.change.level,
                "type": r.change.type, "reason": r.change.reason,
                "consumers": sorted({a.consumer for a in r.affected}),
                "interactions": [
                    {"consumer": a.consumer, "description": a.interaction, "pact": a.pact}
                    for a in r.affected
                ],
                **({"written_at": r.written_at} if r.written_at else {}),
                "also_at": r.also_at,
                **({"before": r.change.before} if r.change.action != "add" else {}),
                **({"after": r.change.after} if r.change.action != "remove" else {}),
            }
            for r in rows
        ]  # fmt: skip
        return json.dumps({"title": title, "changes": data}, indent=2) + "\n", breaking, reaching
    lines = [f"{title}: {len(rows)} change(s), {breaking} breaking"]
    for r in rows:
        c = r.change
        extra = f" ({c.reason})" if c.reason else ""
        if c.type != c.level:
            extra += f" [@asyncapi/diff: {c.type}]"
        if r.affected:
            who = ", ".join(f"{a.consumer} ({a.interaction!r})" for a in r.affected)
            extra += f"; affects {who}"
        lines.append(f"  {c.level:13} {c.action:6} {c.path}{extra}")
        if r.written_at:
            lines.append(f"      written at {r.written_at}")
        others = [p for p in r.also_at if p != r.written_at]
        if others:
            shown = ", ".join(others[:3]) + (
                f" and {len(others) - 3} more" if len(others) > 3 else ""
            )
            lines.append(f"      also at {shown}")
    return "\n".join(lines) + "\n", breaking, reaching
