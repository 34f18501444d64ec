"""Message producers: how a service builds the message a pact's message interaction expects.

A service that publishes events declares, by description pattern, a function that builds
the message it would publish (from its own state, set up first by its provider states)::

    producers = MessageProducers()

    @producers.message("an order {kind} event")
    def order_event(kind: str, states: list[ProviderState]) -> ProducedMessage: ...

Served with ``--provider-states``, ``POST /_accord/messages`` (the Pact FFI's message
transport) answers ``{"description", "providerStates"}`` with the message body, its
content type and, base64 JSON in ``Pact-Message-Metadata``, its metadata.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from accord.runtime._service import pattern_regex

__all__ = ["MessageProducers", "ProducedMessage"]


@dataclass(slots=True, frozen=True)
class ProducedMessage:
    body: bytes
    metadata: dict[str, Any] = field(default_factory=dict)
    content_type: str = "application/json"


@dataclass(slots=True, frozen=True)
class _Producer:
    pattern: str
    regex: re.Pattern[str]
    build: Callable[..., ProducedMessage]


@dataclass(slots=True)
class MessageProducers:
    """Message builders, declared by description pattern (``{name}`` captures a word)."""

    _producers: list[_Producer] = field(default_factory=list)

    def message(
        self, pattern: str
    ) -> Callable[[Callable[..., ProducedMessage]], Callable[..., ProducedMessage]]:
        regex = pattern_regex(pattern)

        def register(build: Callable[..., ProducedMessage]) -> Callable[..., ProducedMessage]:
            self._producers.append(_Producer(pattern, regex, build))
            return build

        return register

    @property
    def patterns(self) -> list[str]:
        return [p.pattern for p in self._producers]

    def produce(self, description: str, states: list[dict[str, Any]]) -> ProducedMessage:
        """The message for ``description``; ``states`` are the interaction's provider states
        (``{"name", "params"}``). Raises ``LookupError`` when no pattern matches."""
        for producer in self._producers:
            found = producer.regex.match(description)
            if found:
                return producer.build(**found.groupdict(), states=states)
        known = "; ".join(self.patterns) or "none"
        raise LookupError(f"no message producer matches {description!r} (declared: {known})")
