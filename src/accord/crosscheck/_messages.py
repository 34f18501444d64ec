"""Message pacts checked against the provider's AsyncAPI document.

A message interaction is something the provider publishes and the consumer receives, so it
must fit a message of an operation whose action is ``send``:

- the channel: named by the message's metadata (``subject``, ``topic``, ``channel``,
  ``destination`` or ``routingKey``) and matched to a channel address (parameters too);
  unnamed, every ``send`` operation's messages are candidates;
- the direction: a channel the provider only receives on cannot be where it publishes;
- the payload: JSON contents must fit one candidate message's payload schema. As for HTTP
  responses, a pact shows the fields a consumer reads, so ``required`` is not enforced.
  Contents that are absent or not JSON (a base64 body: protobuf, Avro, bytes) are not
  checked against a schema; their content type picks the candidate and is compared;
- headers: metadata entries the message's headers schema declares must fit it;
- content type: the pact's (contents or metadata) against the message's.

Codes are in the HTTP ones' family (``message.payload.incompatible``...), and every
mismatch carries the pact location and the AsyncAPI one.
"""

from __future__ import annotations

from typing import Any, Literal

from accord.core import (
    AsyncChannel,
    AsyncContract,
    AsyncMessage,
    Body,
    Interaction,
    Message,
    PactFile,
    Place,
    SchemaRef,
    Target,
    Violation,
    decode_pointer,
    encode_pointer,
)
from accord.crosscheck._exchange import pact_path, spec_path
from accord.crosscheck._matchers import VALUE_KEYWORDS, class_problems, representative
from accord.crosscheck._model import CrosscheckOptions, Mismatch
from accord.crosscheck._values import media_matches

SYNC_TYPE = "Synchronous/Messages"
#: how deep the undeclared-property walk goes (a recursive schema ends here)
_MAX_DEPTH = 64

__all__ = ["crosscheck_messages"]

_CHANNEL_KEYS = ("subject", "topic", "channel", "destination", "routingKey")


def crosscheck_messages(
    contract: AsyncContract, pact: PactFile, options: CrosscheckOptions | None = None
) -> list[Mismatch]:
    """Every way the message interactions of ``pact`` disagree with ``contract``.

    As for HTTP responses, a payload object is closed unless
    ``options.additional_properties_in_response``: a field the pact reads that the message
    does not declare is a mismatch (the provider never promised to send it).
    """
    closed = options is None or not options.additional_properties_in_response
    pact.raise_for_problems()
    out: list[Mismatch] = []
    for interaction in pact.message_interactions:
        if interaction.message is None:
            continue
        if interaction.type != SYNC_TYPE:
            out += _check(contract, pact, interaction, interaction.message, "send", closed)
            continue
        # request/reply: the provider receives the request and sends each reply (an
        # operation's ``reply`` in 3.x, else a message it sends)
        out += _check(contract, pact, interaction, interaction.message, "receive", closed)
        for reply in interaction.replies:
            out += _check(contract, pact, interaction, reply, "send", closed)
    return out


def _mismatch(
    code: str,
    text: str,
    pact: PactFile,
    interaction: Interaction,
    message: Message,
    parts: tuple[str, ...],
    where: Place,
) -> Mismatch:
    index = int(interaction.pointer.rsplit("/", 1)[-1])
    pointer = message.pointer + (encode_pointer(list(parts)) if parts else "")
    inside = tuple(decode_pointer(message.pointer[len(interaction.pointer) :]))  # request...
    return Mismatch(
        code=code,
        message=text,
        pact_path=pact_path(index, (*inside, *parts)),
        pact_location=pact.locate(pointer),
        spec_path=spec_path(where),
        spec_location=where.locate(),
        interaction=interaction.description,
    )


def _check(
    contract: AsyncContract,
    pact: PactFile,
    interaction: Interaction,
    message: Message,
    action: Literal["send", "receive"],
    closed: bool,
) -> list[Mismatch]:
    name = next(
        (
            str(message.metadata[k])
            for k in _CHANNEL_KEYS
            if isinstance(message.metadata.get(k), str)
        ),
        None,
    )
    channels = Place(contract.root, "/channels")
    if name is not None:
        found = contract.match_channel(name)
        if found is None:
            key = next(k for k in _CHANNEL_KEYS if message.metadata.get(k) == name)
            return [
                _mismatch(
                    "message.channel.unknown",
                    f"Channel not defined in the AsyncAPI document: {name}",
                    pact,
                    interaction,
                    message,
                    (message.metadata_key, key),
                    channels,
                )
            ]
        ops = contract.operations_on(found.channel, action)
        candidates = [m for op in ops for m in op.messages]
        if action == "send":
            candidates += _replies(contract, found.channel)
        if not candidates:
            other = "receives" if action == "send" else "sends"
            what = (
                "a pact message is one it publishes"
                if action == "send"
                else "a synchronous message's request is one it receives"
            )
            return [
                _mismatch(
                    "message.operation.direction",
                    f"The provider only {other} on channel {name}; {what} (an operation "
                    f"with action `{action}`)",
                    pact,
                    interaction,
                    message,
                    (message.metadata_key,),
                    found.channel.place,
                )
            ]
    else:
        candidates = [m for op in contract.operations if op.action == action for m in op.messages]
        if action == "send":
            candidates += _replies(contract, None)
        if not candidates:
            verb = "sends" if action == "send" else "receives"
            return [
                _mismatch(
                    "message.operation.direction",
                    f"The AsyncAPI document has no operation that {verb} messages",
                    pact,
                    interaction,
                    message,
                    (),
                    Place(contract.root, "/operations"),
                )
            ]
    sending = action == "receive"  # a synchronous request: the consumer sends it
    return _fit(contract, pact, interaction, message, _unique(candidates), closed, sending)


def _replies(contract: AsyncContract, channel: AsyncChannel | None) -> list[AsyncMessage]:
    """The reply messages of the operations that receive (on ``channel``, or any): what
    the provider sends back (AsyncAPI 3's request/reply)."""
    return [
        m
        for op in contract.operations
        if op.action == "receive" and (channel is None or op.channel.place == channel.place)
        for m in op.reply_messages
    ]


def _unique(messages: list[AsyncMessage]) -> list[AsyncMessage]:
    seen: dict[tuple[str, str], AsyncMessage] = {}
    for m in messages:
        seen.setdefault((m.place.file.uri, m.place.pointer), m)
    return list(seen.values())


def _fit(
    contract: AsyncContract,
    pact: PactFile,
    interaction: Interaction,
    message: Message,
    candidates: list[AsyncMessage],
    closed: bool,
    sending: bool,
) -> list[Mismatch]:
    if not _checkable(message.contents):  # no body, or not JSON: content type decides
        ours = message.content_type
        fitting = [c for c in candidates if ours and media_matches(ours, c.content_type)]
        chosen = (fitting or candidates)[0]
        return _headers_and_type(contract, pact, interaction, message, chosen)
    best: tuple[AsyncMessage, list[tuple[str, str]]] | None = None
    for candidate in candidates:
        problems = _payload_problems(contract, candidate, message, closed)
        if not problems:
            return _matcher_classes(
                contract, pact, interaction, message, candidate, [], sending
            ) + _headers_and_type(contract, pact, interaction, message, candidate)
        if best is None or len(problems) < len(best[1]):
            best = (candidate, problems)
    assert best is not None
    candidate, problems = best  # its headers and content type are reported too
    return (
        [
            _mismatch(
                "message.payload.incompatible",
                f"Message payload is incompatible with message {candidate.label!r}: {problem}",
                pact,
                interaction,
                message,
                ("contents",),
                candidate.payload.place if candidate.payload is not None else candidate.place,
            )
            for _, problem in problems
        ]
        + _matcher_classes(
            contract, pact, interaction, message, candidate, [at for at, _ in problems], sending
        )
        + _headers_and_type(contract, pact, interaction, message, candidate)
    )


def _checkable(contents: Body) -> bool:
    """Whether the pact's contents can be checked against a JSON Schema: present, and JSON
    (decoded bytes of a binary body, protobuf or Avro, cannot)."""
    return contents.present and contents.is_json and not isinstance(contents.content, bytes)


def _payload_problems(
    contract: AsyncContract, candidate: AsyncMessage, message: Message, closed: bool
) -> list[tuple[str, str]]:
    """(pointer, why) for each way the contents do not fit the candidate. Under a
    non-equality matcher the example only stands for its class (see ``_matchers``): its
    value constraints are not held against it, the class is (:func:`_matcher_classes`)."""
    if candidate.payload is None:
        return []
    contents, rules = message.contents.content, message.matching_rules
    validator = contract.validator(candidate.payload)
    found = [
        (v.pointer, str(v))
        for v in validator.violations(contents)
        if v.keyword != "required"
        and not (v.keyword.lower() in VALUE_KEYWORDS and representative(rules, _parts(v.pointer)))
    ]
    if closed and not found:
        place = candidate.payload.place
        target = contract.documents.deref(candidate.payload.value, place.file, place.pointer)
        found = [
            (at, f"{at}: the message does not declare this property")
            for at in _undeclared(contract, target, contents, "", 0)
        ]
    return found


def _parts(pointer: str) -> list[str]:
    return decode_pointer(pointer) if pointer else []


def _matcher_classes(
    contract: AsyncContract,
    pact: PactFile,
    interaction: Interaction,
    message: Message,
    candidate: AsyncMessage,
    reported: list[str],
    sending: bool,
) -> list[Mismatch]:
    """The class each matcher accepts against the candidate's payload and headers schemas:
    ``*.incompatible`` when it refuses everything the provider may send, ``*.narrower``
    when it refuses some of it. A synchronous request (``sending``) the other way round:
    ``*.incompatible`` when the provider takes none of what the consumer may send,
    ``*.wider`` when some of it is refused. Nothing where the example itself was already
    reported."""

    def fits(target: Target, value: Any) -> bool:
        ref = SchemaRef(Place(target.file, target.pointer), target.value)
        return contract.validator(ref).is_valid(value)

    sides: list[tuple[str, str, SchemaRef | None, Any, bool]] = [
        (category, "payload", candidate.payload, message.contents.content, False)
        for category in ("body", "content")
        if _checkable(message.contents)
    ]
    sides.append(("metadata", "header", candidate.headers, dict(message.metadata), True))
    payload_seen = [_parts(at) for at in reported]
    header_seen = (
        [_parts(v.pointer) for v in _header_violations(contract, candidate, message)]
        if candidate.headers is not None
        else []
    )
    out: list[Mismatch] = []
    for category, side, schema, example, by_name in sides:
        seen = header_seen if by_name else payload_seen
        entries = message.matching_rules.get(category)
        if schema is None or not entries:
            continue
        root = Target(schema.place.file, schema.place.pointer, schema.value)
        for problem in class_problems(
            entries, example, root, contract.documents, fits, by_name=by_name, sending=sending
        ):
            if any(problem.overlaps(path) for path in seen):
                continue
            partly = "wider" if sending else "narrower"
            code = f"message.{side}.{'incompatible' if problem.error else partly}"
            out.append(
                _mismatch(
                    code,
                    f"Message {side} matcher against message {candidate.label!r}: "
                    f"{problem.message}",
                    pact,
                    interaction,
                    message,
                    ("matchingRules", category, problem.expression),
                    Place(problem.schema.file, problem.schema.pointer),
                )
            )
    return out


def _undeclared(
    contract: AsyncContract, target: Target, data: Any, at: str, depth: int
) -> list[str]:
    """Pointers to the object members of ``data`` that the schema at ``target`` does not
    declare (in ``properties``, across ``allOf``), where it declares some and does not open
    up (``additionalProperties``, ``patternProperties``). ``anyOf``/``oneOf`` are left to
    the validator: which branch a pact means is not known."""
    if depth > _MAX_DEPTH:
        return []
    branches = _all_of(contract, target, depth)
    if branches is None:
        return []
    if isinstance(data, list):
        items = [
            contract.documents.deref(b.value["items"], b.file, f"{b.pointer}/items")
            for b in branches
            if isinstance(b.value.get("items"), dict)
        ]
        return [
            bad
            for i, element in enumerate(data)
            for item in items
            for bad in _undeclared(contract, item, element, f"{at}/{i}", depth + 1)
        ]
    if not isinstance(data, dict):
        return []
    declared: dict[str, list[Target]] = {}
    open_ = False
    for b in branches:
        extra = b.value.get("additionalProperties", b.value.get("unevaluatedProperties"))
        open_ |= extra not in (None, False) or bool(b.value.get("patternProperties"))
        props = b.value.get("properties")
        if isinstance(props, dict):
            for name, sub in props.items():
                pointer = f"{b.pointer}/properties/{encode_pointer([name])[1:]}"
                declared.setdefault(name, []).append(contract.documents.deref(sub, b.file, pointer))
    out: list[str] = []
    for name, value in data.items():
        where = f"{at}/{encode_pointer([name])[1:]}"
        if name in declared:
            for sub in declared[name]:
                out += _undeclared(contract, sub, value, where, depth + 1)
        elif declared and not open_:
            out.append(where)
    return out


def _all_of(contract: AsyncContract, target: Target, depth: int) -> list[Target] | None:
    """The schema and its ``allOf`` branches (followed), or None when it has ``anyOf`` or
    ``oneOf`` anywhere among them."""
    out: list[Target] = []
    stack = [target]
    while stack:
        t = stack.pop()
        if not isinstance(t.value, dict):
            continue
        if "anyOf" in t.value or "oneOf" in t.value or len(out) > _MAX_DEPTH:
            return None
        out.append(t)
        branches = t.value.get("allOf")
        if isinstance(branches, list):
            stack += [
                contract.documents.deref(b, t.file, f"{t.pointer}/allOf/{i}")
                for i, b in enumerate(branches)
            ]
    return out


def _headers_and_type(
    contract: AsyncContract,
    pact: PactFile,
    interaction: Interaction,
    message: Message,
    candidate: AsyncMessage,
) -> list[Mismatch]:
    out: list[Mismatch] = []
    if candidate.headers is not None:
        for v in _header_violations(contract, candidate, message):
            out.append(
                _mismatch(
                    "message.header.incompatible",
                    f"Message header is incompatible with message {candidate.label!r}: {v}",
                    pact,
                    interaction,
                    message,
                    (message.metadata_key,),
                    candidate.headers.place,
                )
            )
    ours, theirs = message.content_type, candidate.content_type
    if ours and theirs and not media_matches(ours, theirs):
        out.append(
            _mismatch(
                "message.content-type.incompatible",
                f"Content type {ours} is not the message's {theirs}",
                pact,
                interaction,
                message,
                (message.metadata_key,),
                candidate.place,
            )
        )
    return out


def _header_violations(
    contract: AsyncContract, candidate: AsyncMessage, message: Message
) -> list[Violation]:
    """How the metadata the headers schema declares does not fit it (``required`` aside, and
    value constraints aside where a matcher makes the example stand for its class)."""
    assert candidate.headers is not None
    declared = _declared(contract, candidate)
    shown = {k: v for k, v in message.metadata.items() if k in declared}
    by_name = message.matching_rules.get("metadata", {})
    rules = {"body": {f"$['{k}']": v for k, v in by_name.items()}}
    return [
        v
        for v in contract.validator(candidate.headers).violations(shown)
        if v.keyword != "required"
        and not (v.keyword.lower() in VALUE_KEYWORDS and representative(rules, _parts(v.pointer)))
    ]


def _declared(contract: AsyncContract, candidate: AsyncMessage) -> set[str]:
    """The header names the message's headers schema lists (following one ``$ref``)."""
    assert candidate.headers is not None
    place = candidate.headers.place
    value = contract.documents.deref(candidate.headers.value, place.file, place.pointer).value
    props = value.get("properties") if isinstance(value, dict) else None
    return set(props) if isinstance(props, dict) else set()
