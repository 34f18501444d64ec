"""Pact files (specification V2, V3 and V4) read into one model.

Differences between versions are normalised here, once: V2's single
``providerState`` becomes a list of :class:`ProviderState`; V2's flat
``$.body.x`` matching rules become V3/V4's per-category form; a V2/V3 query
string becomes a mapping of lists; V4 ``{"content": ..., "encoded": ...}``
bodies and plain V2/V3 bodies both become :class:`Body`.

Structural problems are collected in :attr:`PactFile.problems` (each with its JSON
pointer) by :meth:`PactFile.from_source`, so ``accord lint`` can report all of them.
:meth:`PactFile.from_path` and :meth:`PactFile.detect`, which every other command
reads pacts with, refuse a pact that has any: a :class:`~accord.PactError` naming the
file, line and pointer of the first (``x.json:1:2: `provider.name` must be a non-empty
string (at /provider)``), never a pact half read.

What is checked follows the pact specifications' own JSON Schemas (V2-V4, pactflow's
``pact-schemas``) where readers depend on it: an object with ``consumer.name`` and
``provider.name``; ``interactions`` (or V3's ``messages``) an array of objects; a known
specification version (1 to 4); requests, responses and messages of the right types
(methods, paths, statuses, headers and queries of strings, matching rules of matchers).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qsl

from accord._errors import Location, PactError
from accord.core._media import is_json_media
from accord.core._pointer import encode_pointer
from accord.core._source import DEFAULT_MAX_BYTES, SourceFile, load_source, parse_source

__all__ = [
    "Body",
    "HttpRequest",
    "HttpResponse",
    "Interaction",
    "Message",
    "PactFile",
    "ProviderState",
]

HTTP_TYPE = "Synchronous/HTTP"
_KNOWN_TYPES = (HTTP_TYPE, "Asynchronous/Messages", "Synchronous/Messages")
_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT"}

#: matching rules per category, each path mapped to {"combine": ..., "matchers": [...]}
MatchingRules = dict[str, dict[str, dict[str, Any]]]


@dataclass(slots=True, frozen=True)
class ProviderState:
    name: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(slots=True, frozen=True)
class Body:
    """A request or response body; ``present`` is False when the pact has none."""

    present: bool = False
    content: Any = None  # parsed JSON, text, or bytes for binary bodies
    content_type: str | None = None

    @property
    def is_json(self) -> bool:
        if self.content_type:
            return is_json_media(self.content_type)
        return not isinstance(self.content, str | bytes)


@dataclass(slots=True, frozen=True)
class HttpRequest:
    method: str
    path: str
    query: Mapping[str, tuple[str, ...]]
    headers: Mapping[str, tuple[str, ...]]  # names lower-cased
    body: Body
    matching_rules: MatchingRules
    generators: Mapping[str, Any]


@dataclass(slots=True, frozen=True)
class HttpResponse:
    status: int
    headers: Mapping[str, tuple[str, ...]]
    body: Body
    matching_rules: MatchingRules
    generators: Mapping[str, Any]


#: the metadata keys a message pact names its channel with (NATS, Kafka, AMQP, JMS...)
CHANNEL_KEYS = ("subject", "topic", "channel", "destination", "routingKey")


@dataclass(slots=True, frozen=True)
class Message:
    """A message of a message interaction: its contents and metadata (V3 ``messages``,
    V4 ``Asynchronous/Messages``, either side of V4 ``Synchronous/Messages``)."""

    contents: Body
    metadata: Mapping[str, Any]
    matching_rules: MatchingRules
    generators: Mapping[str, Any]
    pointer: str
    metadata_key: str = "metadata"  # as the pact spells it (pact-jvm's V3: ``metaData``)

    @property
    def channel(self) -> str | None:
        """The channel the metadata names (``subject``, ``topic``, ``channel``,
        ``destination`` or ``routingKey``), if any."""
        for key in CHANNEL_KEYS:
            value = self.metadata.get(key)
            if isinstance(value, str):
                return value
        return None

    @property
    def content_type(self) -> str | None:
        if self.contents.content_type:
            return self.contents.content_type
        for key in ("contentType", "content-type", "Content-Type"):
            value = self.metadata.get(key)
            if isinstance(value, str):
                return value
        return None


@dataclass(slots=True, frozen=True)
class Interaction:
    """One interaction; only ``Synchronous/HTTP`` ones carry ``request``/``response``.

    An asynchronous message interaction carries ``message``; a synchronous one
    ``message`` (the request) and ``replies`` (the expected responses).
    """

    description: str
    type: str
    provider_states: tuple[ProviderState, ...]
    pointer: str  # e.g. /interactions/3
    request: HttpRequest | None = None
    response: HttpResponse | None = None
    pending: bool = False
    raw: Mapping[str, Any] = field(default_factory=dict)
    message: Message | None = None
    replies: tuple[Message, ...] = ()

    @property
    def is_http(self) -> bool:
        return self.type == HTTP_TYPE and self.request is not None

    @property
    def is_message(self) -> bool:
        return self.type != HTTP_TYPE and self.message is not None


@dataclass(slots=True)
class PactFile:
    """A pact between one consumer and one provider."""

    consumer: str
    provider: str
    spec_version: str  # "2.0.0", "3.0.0", "4.0", ...
    interactions: tuple[Interaction, ...]
    source: SourceFile
    problems: list[tuple[str, str]] = field(default_factory=list)  # (pointer, message)
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_path(cls, path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Self:
        """Read a usable pact file: :class:`~accord.LoadError` when it cannot be parsed,
        :class:`~accord.PactError` (the first problem, located) when it is malformed."""
        return cls.from_source(load_source(path, max_bytes=max_bytes)).raise_for_problems()

    @classmethod
    def detect(cls, path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Self | None:
        """The pact in ``path``, or None when it is not one (not a ``.json`` file, or its top
        level names no ``consumer`` and ``provider``).

        A ``.json`` file is read once, by the same bounded reader as contracts, so one that
        cannot be read (malformed, too large, nested thousands deep) is a
        :class:`~accord.LoadError` with its location, never a traceback; a pact with
        problems is a :class:`~accord.PactError`, as from :meth:`from_path`.
        """
        path = Path(path)
        if path.suffix.lower() != ".json" or not path.is_file():
            return None
        source = load_source(path, max_bytes=max_bytes)
        data = source.data
        if not (isinstance(data, dict) and "consumer" in data and "provider" in data):
            return None
        return cls.from_source(source).raise_for_problems()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, name: str = "<memory>.json") -> Self:
        return cls.from_source(parse_source(json.dumps(data).encode(), name, path=Path(name)))

    @classmethod
    def from_source(cls, source: SourceFile) -> Self:
        """The pact in ``source`` as far as it can be read, its problems collected (lint)."""
        return cls(**_Reader(source).read())

    @property
    def http_interactions(self) -> list[Interaction]:
        return [i for i in self.interactions if i.is_http]

    @property
    def message_interactions(self) -> list[Interaction]:
        return [i for i in self.interactions if i.is_message]

    def locate(self, pointer: str) -> Location:
        return self.source.locate(pointer)

    def raise_for_problems(self) -> Self:
        if self.problems:
            pointer, message = self.problems[0]
            more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
            raise PactError(message + more, self.locate(pointer))
        return self


class _Reader:
    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.problems: list[tuple[str, str]] = []

    def problem(self, pointer: str, message: str) -> None:
        self.problems.append((pointer, message))

    def read(self) -> dict[str, Any]:
        data = self.source.data
        if not isinstance(data, dict):
            self.problem("", "a pact file is a JSON object with consumer, provider, interactions")
            data = {}
        raw_metadata = data.get("metadata")
        metadata: dict[str, Any] = raw_metadata if isinstance(raw_metadata, dict) else {}
        if raw_metadata is not None and not isinstance(raw_metadata, dict):
            self.problem("/metadata", "`metadata` must be an object")
        version = self.version(metadata)
        consumer, provider = self.party(data, "consumer"), self.party(data, "provider")
        interactions: list[Interaction] = []
        for key in ("interactions", "messages"):
            raw = data.get(key)
            if raw is None:
                continue
            if not isinstance(raw, list):
                self.problem(f"/{key}", f"`{key}` must be an array")
                continue
            for i, entry in enumerate(raw):
                found = self.interaction(entry, f"/{key}/{i}", version, key)
                if found is not None:
                    interactions.append(found)
        if "interactions" not in data and "messages" not in data:
            self.problem("", "no `interactions` array")
        return {
            "consumer": consumer,
            "provider": provider,
            "spec_version": version,
            "interactions": tuple(interactions),
            "source": self.source,
            "problems": self.problems,
            "metadata": metadata,
        }

    def version(self, metadata: Mapping[str, Any]) -> str:
        """The specification version the metadata names ("2.0.0" when it names none)."""
        for key in _VERSION_KEYS:
            if key not in metadata:
                continue
            value = metadata[key]
            pointer = f"/metadata/{key}"
            if isinstance(value, dict):
                value, pointer = value.get("version"), pointer + "/version"
            if not isinstance(value, str):
                self.problem(
                    pointer, f"the pact specification version must be a string, got {value!r}"
                )
                return "2.0.0"
            major = value.strip().lstrip("vV").split(".")[0]
            if major not in _KNOWN_MAJORS:
                self.problem(
                    pointer,
                    f"unknown pact specification version {value!r} (known: 1, 1.1, 2, 3, 4)",
                )
            return value
        return "2.0.0"

    def party(self, data: dict[str, Any], role: str) -> str:
        party = data.get(role)
        if party is None:
            self.problem("", f'required "{role}" is missing (an object with its "name")')
            return ""
        if isinstance(party, dict) and "name" not in party:
            self.problem(f"/{role}", 'required "name" is missing')
            return ""
        name = party.get("name") if isinstance(party, dict) else None
        if not isinstance(name, str) or not name.strip():
            self.problem(f"/{role}", f"`{role}.name` must be a non-empty string")
            return ""
        return name

    def interaction(self, raw: Any, pointer: str, version: str, key: str) -> Interaction | None:
        if not isinstance(raw, dict):
            self.problem(pointer, "an interaction must be an object")
            return None
        description = raw.get("description")
        if not isinstance(description, str) or not description:
            self.problem(pointer + "/description", "`description` must be a non-empty string")
            description = ""
        default_type = "Asynchronous/Messages" if key == "messages" else HTTP_TYPE
        kind = str(raw.get("type", default_type))
        if kind not in _KNOWN_TYPES:
            self.problem(pointer + "/type", f"unknown interaction type {kind!r}")
        states = self.states(raw, pointer)
        pending = raw.get("pending", False)
        if not isinstance(pending, bool):
            self.problem(pointer + "/pending", f"`pending` must be true or false, got {pending!r}")
            pending = False
        request = response = message = None
        replies: tuple[Message, ...] = ()
        if kind == HTTP_TYPE:
            request = self.request(raw.get("request"), pointer + "/request", version)
            response = self.response(raw.get("response"), pointer + "/response", version)
        elif kind == "Synchronous/Messages":
            message = self.message(raw.get("request"), pointer + "/request", version)
            raw_replies = raw.get("response")
            if isinstance(raw_replies, list):
                found = (
                    self.message(r, f"{pointer}/response/{i}", version)
                    for i, r in enumerate(raw_replies)
                )
                replies = tuple(m for m in found if m is not None)
            elif raw_replies is not None:
                self.problem(pointer + "/response", "`response` must be an array of messages")
        else:
            message = self.message(raw, pointer, version)
        return Interaction(
            description=description,
            type=kind,
            provider_states=states,
            pointer=pointer,
            request=request,
            response=response,
            pending=pending,
            raw=raw,
            message=message,
            replies=replies,
        )

    def message(self, raw: Any, pointer: str, version: str) -> Message | None:
        if not isinstance(raw, dict):
            self.problem(pointer, "a message must be an object")
            return None
        # pact-jvm's V3 writers spelled it ``metaData``; every Pact reader accepts both
        key = "metadata" if "metadata" in raw or "metaData" not in raw else "metaData"
        metadata = raw.get(key)
        if metadata is None:
            metadata = {}
        elif not isinstance(metadata, dict):
            self.problem(f"{pointer}/{key}", f"`{key}` must be an object")
            metadata = {}
        ctype = next(
            (
                metadata[k]
                for k in ("contentType", "content-type")
                if isinstance(metadata.get(k), str)
            ),
            None,
        )
        headers: dict[str, tuple[str, ...]] = {"content-type": (str(ctype),)} if ctype else {}
        rules, generators = self.rules(raw, pointer, version)
        return Message(
            contents=self.body(raw, pointer, headers, version),
            metadata=metadata,
            matching_rules=rules,
            generators=generators,
            pointer=pointer,
            metadata_key=key,
        )

    def states(self, raw: dict[str, Any], pointer: str) -> tuple[ProviderState, ...]:
        for key in ("providerState", "provider_state"):  # V2, and V1's spelling
            if key not in raw or raw[key] is None:
                continue
            if not isinstance(raw[key], str):
                self.problem(f"{pointer}/{key}", f"`{key}` must be a string")
                return ()
            return (ProviderState(raw[key]),)
        states = raw.get("providerStates")
        if states is None:
            return ()
        if not isinstance(states, list):
            self.problem(pointer + "/providerStates", "`providerStates` must be an array")
            return ()
        out = []
        for i, state in enumerate(states):
            if isinstance(state, dict) and isinstance(state.get("name"), str):
                params = state.get("params")
                out.append(ProviderState(state["name"], params if isinstance(params, dict) else {}))
            else:
                self.problem(f"{pointer}/providerStates/{i}", "a provider state needs a `name`")
        return tuple(out)

    def request(self, raw: Any, pointer: str, version: str) -> HttpRequest | None:
        if not isinstance(raw, dict):
            self.problem(pointer, "an HTTP interaction needs a `request` object")
            return None
        method = raw.get("method")
        if not isinstance(method, str) or method.upper() not in _METHODS:
            self.problem(pointer + "/method", f"`method` must be an HTTP method, got {method!r}")
            method = "GET"
        path = raw.get("path")
        if not isinstance(path, str) or not path.startswith("/"):
            self.problem(
                pointer + "/path", f"`path` must be a string starting with '/', got {path!r}"
            )
            path = "/"
        headers = self.headers(raw.get("headers"), pointer + "/headers")
        rules, generators = self.rules(raw, pointer, version)
        return HttpRequest(
            method=method.upper(),
            path=path,
            query=self.query(raw.get("query"), pointer + "/query"),
            headers=headers,
            body=self.body(raw, pointer, headers, version),
            matching_rules=rules,
            generators=generators,
        )

    def response(self, raw: Any, pointer: str, version: str) -> HttpResponse | None:
        if not isinstance(raw, dict):
            self.problem(pointer, "an HTTP interaction needs a `response` object")
            return None
        status = raw.get("status", 200)
        if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
            self.problem(
                pointer + "/status", f"`status` must be an integer 100-599, got {status!r}"
            )
            status = 200
        headers = self.headers(raw.get("headers"), pointer + "/headers")
        rules, generators = self.rules(raw, pointer, version)
        return HttpResponse(
            status=status,
            headers=headers,
            body=self.body(raw, pointer, headers, version),
            matching_rules=rules,
            generators=generators,
        )

    def headers(self, raw: Any, pointer: str) -> dict[str, tuple[str, ...]]:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.problem(pointer, "`headers` must be an object")
            return {}
        out: dict[str, tuple[str, ...]] = {}
        for name, value in raw.items():
            values = value if isinstance(value, list) else [value]
            if not all(_scalar(v) for v in values):
                self.problem(
                    pointer + encode_pointer([name]),
                    "a header value must be a string (or an array of them)",
                )
                continue
            out[name.lower()] = tuple(str(v) for v in values)
        return out

    def query(self, raw: Any, pointer: str) -> dict[str, tuple[str, ...]]:
        if raw is None:
            return {}
        if isinstance(raw, str):
            out: dict[str, list[str]] = {}
            for name, value in parse_qsl(raw, keep_blank_values=True):
                out.setdefault(name, []).append(value)
            return {k: tuple(v) for k, v in out.items()}
        if isinstance(raw, dict):
            found: dict[str, tuple[str, ...]] = {}
            for name, value in raw.items():
                values = value if isinstance(value, list) else [value]
                if all(_scalar(v) for v in values):
                    found[name] = tuple(str(v) for v in values)
                else:
                    self.problem(
                        pointer + encode_pointer([name]),
                        "a query value must be a string (or an array of them)",
                    )
            return found
        self.problem(pointer, "`query` must be a string (V2) or an object of arrays (V3+)")
        return {}

    def body(
        self, raw: dict[str, Any], pointer: str, headers: dict[str, tuple[str, ...]], version: str
    ) -> Body:
        ctype = headers.get("content-type", (None,))[0]
        if "body" not in raw and "contents" not in raw:
            return Body()
        key = "body" if "body" in raw else "contents"  # a message's is ``contents``
        value = raw[key]
        if version.startswith("4") and isinstance(value, dict) and "content" in value:
            ctype = value.get("contentType") or ctype
            content = value.get("content")
            encoded = value.get("encoded", False)
            if encoded == "base64" and isinstance(content, str):
                try:
                    content = base64.b64decode(content, validate=True)
                except (binascii.Error, ValueError):
                    self.problem(f"{pointer}/{key}/content", "body is marked base64 but is not")
            elif encoded == "json" and isinstance(content, str):
                try:
                    content = json.loads(content)
                except ValueError:
                    self.problem(
                        f"{pointer}/{key}/content", "body is marked JSON but does not parse"
                    )
            return Body(True, content, ctype)
        return Body(True, value, ctype)

    def rules(
        self, raw: dict[str, Any], pointer: str, version: str
    ) -> tuple[MatchingRules, Mapping[str, Any]]:
        rules = raw.get("matchingRules") or {}
        generators = raw.get("generators") or {}
        if not isinstance(rules, dict):
            self.problem(pointer + "/matchingRules", "`matchingRules` must be an object")
            return {}, {}
        if rules and all(k.startswith("$") for k in rules):  # V2 flat form
            out: MatchingRules = {}
            for path, rule in rules.items():
                category, _, rest = path[2:].partition(".")
                if "[" in category:
                    category, bracket, tail = category.partition("[")
                    rest = bracket + tail + ("." + rest if rest else "")
                category = {"headers": "header", "": "body"}.get(category, category)
                if category in ("header", "query"):
                    key = rest  # V3+ key these by name, not by JSON path
                elif category in ("path", "method", "status"):
                    key = ""  # a single value: V3+ rules for it have no sub-path
                else:
                    key = "$" + ("." + rest if rest and not rest.startswith("[") else rest)
                entry = out.setdefault(category, {}).setdefault(
                    key, {"combine": "AND", "matchers": []}
                )
                entry["matchers"].append(rule)
            return out, generators if isinstance(generators, dict) else {}
        normalised: MatchingRules = {}
        for category, entries in rules.items():
            if not isinstance(entries, dict):
                self.problem(f"{pointer}/matchingRules/{category}", "must be an object")
                continue
            if category in ("path", "method", "status") and "matchers" in entries:
                normalised[category] = {"": entries}  # V3 path rules have no sub-path
                continue
            normalised[category] = {}
            for path, entry in entries.items():
                if isinstance(entry, dict) and isinstance(entry.get("matchers"), list):
                    normalised[category][path] = entry
                else:
                    self.problem(
                        f"{pointer}/matchingRules/{category}",
                        f"rule for {path!r} needs a `matchers` array",
                    )
        return normalised, generators if isinstance(generators, dict) else {}


#: where pact writers put the specification version (pact-js once used the dashed form)
_VERSION_KEYS = ("pactSpecification", "pact-specification", "pactSpecificationVersion")
_KNOWN_MAJORS = frozenset({"1", "2", "3", "4"})


def _scalar(value: Any) -> bool:
    """A value a header or query parameter can have: a string (numbers are read as text)."""
    return isinstance(value, str | int | float) and not isinstance(value, bool)
