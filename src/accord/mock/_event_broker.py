"""Which broker ``accord mock`` serves an AsyncAPI document on, and how it talks to it.

:func:`choose_broker` decides from the document's servers, per protocol: the first server
whose ``protocol`` the mock speaks (NATS, Redis, AMQP: RabbitMQ) gives the broker. The mock
is a stand-in on this machine, so it connects to the server's own address only when that
is a loopback one, else to the protocol's usual local port. A document whose servers are
all of other protocols (Kafka, MQTT...) is refused at the ``file:line`` of the first
server's ``protocol``, unless ``--broker`` names a broker to publish on anyway. A document
without servers is served where its bindings point, else on NATS.

:class:`NatsLink` talks to NATS with nats-py directly (the fast path, ``no_echo``);
``_event_faststream.FastStreamLink`` talks to Redis pub/sub and RabbitMQ through
FastStream, as the generated stubs do, so each reads the other's messages.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from accord._errors import ContractError
from accord.core import AsyncChannel, AsyncContract

__all__ = [
    "PARAM",
    "BrokerChoice",
    "Link",
    "NatsLink",
    "OnMessage",
    "choose_broker",
    "open_link",
    "say_once",
]

log = logging.getLogger("accord.mock.events")

#: an AsyncAPI protocol (or binding key) -> the broker the mock uses for it
PROTOCOLS = {"nats": "nats", "redis": "redis", "amqp": "rabbit", "amqps": "rabbit"}
#: a ``--broker`` URL's scheme -> broker
SCHEMES = {"nats": "nats", "tls": "nats", "redis": "redis", "rediss": "redis"} | {
    "amqp": "rabbit",
    "amqps": "rabbit",
}
#: each broker's URL prefix and usual port
_LOCAL = {
    "nats": ("nats://", 4222),
    "redis": ("redis://", 6379),
    "rabbit": ("amqp://guest:guest@", 5672),
}
LOCAL = {kind: f"{prefix}127.0.0.1:{port}" for kind, (prefix, port) in _LOCAL.items()}
_LOOPBACK = re.compile(r"(127\.0\.0\.1|localhost|\[::1\])(?::(\d+))?")
PARAM = re.compile(r"\{[^{}]+\}")

#: what a link calls for each message it receives: (address, body, headers)
OnMessage = Callable[[str, bytes, dict[str, str]], None]


@dataclass(slots=True, frozen=True)
class BrokerChoice:
    kind: str  # nats, redis, rabbit
    url: str
    why: str  # for the start-up line: which server (or flag) chose it


def choose_broker(contract: AsyncContract, override: str | None = None) -> BrokerChoice:
    """The broker to serve ``contract`` on (``override``: the ``--broker`` URL).

    Raises :class:`ValueError` for an override of a scheme the mock does not speak, and
    :class:`ContractError` (at the first server's ``protocol``) when no server names one.
    """
    if override:
        scheme = override.partition("://")[0].lower()
        if "://" not in override or scheme not in SCHEMES:
            raise ValueError(
                f"{override}: expected nats://, redis:// or amqp:// followed by host:port"
            )
        return BrokerChoice(SCHEMES[scheme], override, "--broker")
    servers = contract.data.get("servers")
    if not isinstance(servers, dict) or not servers:
        kind = _bound(contract)
        return BrokerChoice(kind, LOCAL[kind], "no servers in the document")
    other: list[tuple[str, str]] = []
    for key, server in servers.items():
        protocol = server.get("protocol") if isinstance(server, dict) else None
        if not isinstance(protocol, str):
            continue
        speaks = PROTOCOLS.get(protocol.lower())
        if speaks is not None:
            return BrokerChoice(speaks, _url(speaks, server), f"server {key!r} ({protocol})")
        other.append((str(key), protocol))
    if not other:
        return BrokerChoice("nats", LOCAL["nats"], "no server names a protocol")
    key, protocol = other[0]
    names = ", ".join(f"{k!r} ({p})" for k, p in other)
    pointer = "/servers/" + key.replace("~", "~0").replace("/", "~1") + "/protocol"
    raise ContractError(
        f"accord mock cannot serve server {names}: it publishes on NATS, Redis or RabbitMQ "
        "(amqp); give --broker nats://HOST:PORT (or redis://, amqp://) to publish there anyway",
        contract.root.locate(pointer),
    )


def _bound(contract: AsyncContract) -> str:
    """The broker the bindings name (the first the mock speaks), else NATS."""
    for op in contract.operations:
        for bindings in (op.bindings, op.channel.bindings, *(m.bindings for m in op.messages)):
            for key in bindings:
                if str(key).lower() in PROTOCOLS:
                    return PROTOCOLS[str(key).lower()]
    return "nats"


def _url(kind: str, server: dict[str, Any]) -> str:
    """The server's address when it is this machine's, else the protocol's local default."""
    raw = str(server.get("host") or server.get("url") or "")
    address = raw.split("://", 1)[-1].split("/", 1)[0].rpartition("@")[2]
    found = _LOOPBACK.fullmatch(address)
    if found is None:
        return LOCAL[kind]
    prefix, port = _LOCAL[kind]
    return f"{prefix}{found.group(1)}:{found.group(2) or port}"


class Link(Protocol):
    """A connection to one broker, as the mock uses it."""

    connected: bool

    async def start(self, receive: list[AsyncChannel], on_message: OnMessage) -> None:
        """Connect (waiting for the broker, one log line per kind of failure) and subscribe
        to each channel of ``receive``."""

    async def publish(self, address: str, body: bytes, headers: dict[str, str]) -> None: ...

    async def flush(self) -> None: ...

    async def close(self) -> None: ...


def say_once(url: str) -> Callable[[BaseException], Awaitable[None]]:
    said: set[str] = set()

    async def say(exc: BaseException) -> None:  # one line per kind, not a traceback
        text = f"{type(exc).__name__}: {exc}"
        if text not in said:
            said.add(text)
            log.warning("mock: broker %s: %s (retrying every second)", url, text)

    return say


class NatsLink:
    """NATS through nats-py: ``no_echo``, so a channel the service both sends and receives
    on is not checked against the mock's own messages."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.connected = False
        self._conn: Any = None

    async def start(self, receive: list[AsyncChannel], on_message: OnMessage) -> None:
        import nats  # noqa: PLC0415  (only a running mock connects)

        async def on_disconnected() -> None:
            self.connected = False

        async def on_reconnected() -> None:
            self.connected = True

        # a broker that is not up yet is waited for (/healthz answers 503 meanwhile)
        self._conn = await nats.connect(
            self.url, connect_timeout=2, max_reconnect_attempts=-1, reconnect_time_wait=1,
            error_cb=say_once(self.url), disconnected_cb=on_disconnected,
            reconnected_cb=on_reconnected, no_echo=True,
        )  # fmt: skip
        self.connected = True
        for channel in receive:

            async def deliver(msg: Any) -> None:
                on_message(msg.subject, msg.data, dict(msg.headers or {}))

            await self._conn.subscribe(PARAM.sub("*", channel.address or ""), cb=deliver)

    async def publish(self, address: str, body: bytes, headers: dict[str, str]) -> None:
        await self._conn.publish(address, body, headers=headers or None)

    async def flush(self) -> None:
        await self._conn.flush()

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.drain()


def open_link(url: str, contract: AsyncContract) -> Link:
    """The link for the broker at ``url`` (by its scheme; not connected yet)."""
    from accord.mock._event_faststream import FastStreamLink  # noqa: PLC0415  (it imports this)

    kind = SCHEMES.get(url.partition("://")[0].lower(), "nats")
    return NatsLink(url) if kind == "nats" else FastStreamLink(kind, url, contract)
