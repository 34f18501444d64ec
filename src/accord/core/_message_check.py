"""Checking one message seen on a broker against an AsyncAPI document.

:func:`check_message` takes what a broker delivers (the concrete address, the raw body, the
headers) and says whether it fits the document for the side that produced it: the address
must be an instance of a channel, the document must say the application ``send``s (or
``receive``s) there, each channel parameter's value must fit its ``enum`` (3.x) or
``schema`` (2.x), a ``content-type`` header must name the message's content type, and the
payload and headers must fit one of the operation's messages. ``accord mock`` (messages
others publish) and ``accord verify`` (messages a producer publishes) share it.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from accord.core._asyncapi import Action, AsyncChannel, AsyncContract, AsyncMessage, AsyncOperation
from accord.core._media import is_json_media, media_compatible
from accord.core._model import Place, SchemaRef

__all__ = ["MessageCheck", "check_message"]


@dataclass(slots=True, frozen=True)
class MessageCheck:
    """What :func:`check_message` found: where the message belongs and what is wrong with it."""

    address: str
    channel: AsyncChannel | None  # None: no channel of the document has this address
    operations: tuple[AsyncOperation, ...]  # the channel's operations of the checked action
    message: AsyncMessage | None  # the message it fits (or comes closest to)
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _parameter_problems(
    contract: AsyncContract, channel: AsyncChannel, values: Mapping[str, str]
) -> list[str]:
    problems = []
    for name, value in values.items():
        place = channel.parameters.get(name)
        if place is None:
            continue
        written = contract.documents.resolve(f"#{place.pointer}", place.file, place.pointer)
        target = contract.documents.deref(written.value, place.file, place.pointer)
        spec = target.value
        if not isinstance(spec, dict):
            continue
        enum = spec.get("enum")
        if isinstance(enum, list) and value not in [str(v) for v in enum]:
            problems.append(
                f"channel parameter {name} = {value!r}: expected one of "
                + ", ".join(repr(str(v)) for v in enum)
            )
        schema = spec.get("schema")
        if isinstance(schema, dict | bool):  # AsyncAPI 2.x
            ref = SchemaRef(Place(target.file, target.pointer + "/schema"), schema)
            validator = contract.validator(ref)
            candidates: list[Any] = [value]
            with contextlib.suppress(ValueError):  # a number or boolean in the address
                candidates.append(json.loads(value))
            if not any(validator.is_valid(c) for c in candidates):
                found = validator.violations(candidates[-1])  # the typed reading, if any
                reason = found[0].message if found else "does not fit its schema"
                problems.append(f"channel parameter {name} = {value!r}: {reason}")
    return problems


def _fit(
    contract: AsyncContract,
    message: AsyncMessage,
    data: bytes,
    headers: Mapping[str, str],
    content_type: str | None,
) -> list[str]:
    problems = []
    if content_type is not None and not media_compatible(content_type, message.content_type):
        problems.append(
            f"content type {content_type!r}, but {message.label} is {message.content_type!r}"
        )
    if message.payload is not None and is_json_media(message.content_type):
        try:
            body = json.loads(data)
        except ValueError as exc:
            problems.append(f"payload: not JSON ({exc})")
        else:
            validator = contract.validator(message.payload)
            problems += [f"payload{v}" for v in validator.violations(body)]
    if message.headers is not None:
        validator = contract.validator(message.headers)
        checked = _application_headers(contract, message.headers, headers)
        problems += [f"headers{v}" for v in validator.violations(checked)]
    return problems


def _application_headers(
    contract: AsyncContract, schema: SchemaRef, headers: Mapping[str, str]
) -> dict[str, str]:
    """``headers`` without ``content-type``, unless the headers schema declares it: the
    content type is the message's ``contentType`` (checked on its own), a property every
    broker client sets, not one of the message's own headers."""
    declared = contract.documents.deref(schema.value, schema.place.file, schema.place.pointer)
    properties = declared.value.get("properties") if isinstance(declared.value, dict) else None
    names = {str(name).lower() for name in properties} if isinstance(properties, dict) else set()
    keep = "content-type" in names
    return {k: v for k, v in headers.items() if keep or k.lower() != "content-type"}


def check_message(
    contract: AsyncContract,
    address: str,
    data: bytes,
    headers: Mapping[str, str],
    action: Action = "send",
) -> MessageCheck:
    """Whether a message seen at ``address`` fits ``contract`` for the side that ``action``s.

    ``action`` is what the document must say the *application* does on the channel:
    ``send`` for messages the application itself published (verify), ``receive`` for
    messages others publish to it (the mock). Payloads of a JSON content type are
    parsed and validated; other payloads are only checked for their content type.
    """
    found = contract.match_channel(address)
    if found is None:
        problem = f"no channel of the document has the address {address!r}"
        return MessageCheck(address, None, (), None, (problem,))
    channel = found.channel
    operations = tuple(contract.operations_on(channel, action))
    problems = _parameter_problems(contract, channel, found.parameters)
    if not operations:
        problems.append(
            f"channel {channel.key} ({channel.address}) has no `{action}` operation: "
            f"the document does not say the application {action}s there"
        )
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    candidates = _unique([m for op in operations for m in op.messages]) or list(
        channel.messages.values()
    )
    chosen: AsyncMessage | None = None
    misfit: list[str] = []
    for candidate in candidates:
        fit = _fit(contract, candidate, data, headers, content_type)
        if chosen is None or len(fit) < len(misfit):
            chosen, misfit = candidate, fit
        if not fit:
            break
    if chosen is not None and len(candidates) > 1:
        misfit = [f"{chosen.label}: {p}" for p in misfit]
    return MessageCheck(address, channel, operations, chosen, tuple(problems + misfit))


def _unique(messages: list[AsyncMessage]) -> list[AsyncMessage]:
    seen: dict[str, AsyncMessage] = {}
    for message in messages:
        seen.setdefault(message.place.file.uri + "#" + message.place.pointer, message)
    return list(seen.values())
