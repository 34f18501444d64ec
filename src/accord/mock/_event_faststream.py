"""``accord mock``'s link to Redis pub/sub or RabbitMQ, through FastStream (as the generated
stubs): each reads the other's messages, headers included.

Redis: a channel parameter becomes a channel pattern (``*``); messages travel in
FastStream's envelope. RabbitMQ follows each channel's ``amqp`` binding
(``core.amqp_binding``) as the stubs do: a ``routingKey`` channel is published to its
exchange (declared first) and read through an exclusive queue of the mock's, bound with
``*`` for parameters; a ``queue`` channel is published to and read from the binding's
queue (declared first as it says, unless exclusive: that one is its consumer's, and a
message it does not take comes back and is logged), and cannot be read when its address
has a parameter and the binding names no queue (queues have no wildcard), which is said
at start. Neither broker
can skip a client's own messages, so what the mock published is remembered and its echo
not counted.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import urllib.parse
import uuid
from typing import Any

from accord.core import AsyncChannel, AsyncContract, amqp_binding
from accord.mock._event_broker import PARAM, OnMessage, say_once

__all__ = ["FastStreamLink"]

log = logging.getLogger("accord.mock.events")
#: FastStream's own log (a line per message received) only for its warnings and errors
_QUIET = logging.getLogger("accord.mock.events.faststream")
_QUIET.setLevel(logging.WARNING)


def _amqp(channel: AsyncChannel | None) -> dict[str, Any]:
    return dict(amqp_binding(channel.bindings.get("amqp"))) if channel is not None else {}


def _exchange(amqp: dict[str, Any]) -> Any:
    """The binding's exchange (``topic`` unless it says), or None for the default one."""
    from faststream.rabbit import ExchangeType, RabbitExchange  # noqa: PLC0415

    kind = str(amqp.get("exchange_type", "topic"))
    if not amqp.get("exchange") or kind == "default":
        return None
    return RabbitExchange(
        str(amqp["exchange"]),
        type=ExchangeType(kind),
        durable=bool(amqp.get("exchange_durable", True)),
        auto_delete=bool(amqp.get("exchange_auto_delete", False)),
    )


def _queue(amqp: dict[str, Any], name: str) -> Any:
    """A ``queue`` channel's queue as its binding declares it (its name, else ``name``)."""
    from faststream.rabbit import RabbitQueue  # noqa: PLC0415

    return RabbitQueue(
        str(amqp.get("queue") or name),
        durable=bool(amqp.get("durable", False)),
        exclusive=bool(amqp.get("exclusive", False)),
        auto_delete=bool(amqp.get("auto_delete", False)),
    )


def destination(amqp: dict[str, Any], address: str) -> tuple[Any, dict[str, Any]]:
    """What publishing to ``address`` declares first (an exchange, a queue, or None) and
    ``RabbitBroker.publish``'s keywords, as the generated runtime's ``route``: a
    ``routingKey`` channel to its exchange (nobody bound: dropped, so not mandatory), a
    ``queue`` channel to its queue, which an exclusive one's consumer declares itself."""
    if amqp.get("is") == "routingKey":
        exchange = _exchange(amqp)
        return exchange, {"exchange": exchange, "routing_key": address, "mandatory": False}
    queue = _queue(amqp, address)
    return (None if queue.exclusive else queue), {"queue": queue.name}


def elsewhere(amqp: dict[str, Any], url: str) -> str | None:
    """Why publishing by ``url`` cannot reach the channel: its binding puts the exchange (or
    queue) in another virtual host (None: the same one), as the generated ``route`` says."""
    connected = urllib.parse.unquote(urllib.parse.urlsplit(url).path)[1:] or "/"
    keyed = amqp.get("is") == "routingKey"
    wanted = str(amqp.get("exchange_vhost" if keyed else "queue_vhost") or connected)
    if wanted == connected:
        return None
    return (
        f"the channel's AMQP binding is in vhost {wanted!r}; "
        f"the broker is connected to {connected!r}"
    )


def reading(amqp: dict[str, Any], address: str) -> tuple[Any, Any] | None:
    """The queue (and exchange) the mock reads a channel at ``address`` from; None when it
    cannot (a parameter in a queue's name: queues have no wildcard). A ``routingKey``
    channel: an exclusive queue of the mock's bound with ``*`` for each parameter (on the
    default exchange, which routes a key only to the queue of its name: that queue)."""
    from faststream.rabbit import RabbitQueue  # noqa: PLC0415

    if amqp.get("is") == "routingKey":
        exchange = _exchange(amqp)
        if exchange is not None:
            queue = RabbitQueue(f"accord-mock.{uuid.uuid4().hex[:12]}", exclusive=True,
                                auto_delete=True, routing_key=PARAM.sub("*", address))  # fmt: skip
            return queue, exchange
        amqp = {**amqp, "queue": None}
    if PARAM.search(address) and not amqp.get("queue"):
        return None
    return _queue(amqp, address), None


class FastStreamLink:
    """A :class:`~accord.mock._event_broker.Link` to Redis or RabbitMQ."""

    def __init__(self, kind: str, url: str, contract: AsyncContract) -> None:
        self.kind, self.url, self.contract = kind, url, contract
        self.connected = False
        self._broker: Any = None
        self._sent: collections.Counter[tuple[str, bytes]] = collections.Counter()

    def _make(self) -> Any:
        if self.kind == "redis":
            from faststream.redis import RedisBroker  # noqa: PLC0415

            return RedisBroker(self.url, logger=_QUIET)
        from faststream.rabbit import RabbitBroker  # noqa: PLC0415

        return RabbitBroker(self.url, logger=_QUIET)

    def _subscribe(self, broker: Any, channel: AsyncChannel, on_message: OnMessage) -> None:
        # FastStream hands the handler its message through a Context default (an annotation
        # would have to resolve in this module's globals, where FastStream is not imported)
        from faststream import Context  # noqa: PLC0415

        the_message = Context("message")
        address = channel.address or ""
        if self.kind == "redis":
            from faststream.redis import PubSub  # noqa: PLC0415

            target = PubSub(PARAM.sub("*", address), pattern=PARAM.search(address) is not None)

            async def on_redis(body: Any, message: Any = the_message) -> None:
                name = message.raw_message["channel"]
                name = name.decode() if isinstance(name, bytes) else str(name)
                # FastStream's envelope always carries its own correlation_id: not the sender's
                headers = {k: v for k, v in message.headers.items() if k != "correlation_id"}
                self._deliver(name, message.body, headers, on_message)

            broker.subscriber(channel=target)(on_redis)
            return
        amqp = _amqp(channel)
        found = reading(amqp, address)
        if found is None:
            log.warning("mock: cannot receive on %s: RabbitMQ queues have no wildcard", address)
            return
        queue, exchange = found
        by_key = exchange is not None

        async def on_rabbit(body: Any, message: Any = the_message) -> None:
            name = str(message.raw_message.routing_key) if by_key else address
            self._deliver(name, message.body, message.headers, on_message)

        broker.subscriber(queue, exchange)(on_rabbit)

    def _deliver(self, address: str, body: bytes, headers: Any, on_message: OnMessage) -> None:
        if self._sent[(address, body)] > 0:  # the mock's own message, back
            self._sent[(address, body)] -= 1
            return
        on_message(address, body, {str(k): str(v) for k, v in dict(headers or {}).items()})

    async def start(self, receive: list[AsyncChannel], on_message: OnMessage) -> None:
        say = say_once(self.url)
        while True:
            broker = self._make()
            for channel in receive:
                self._subscribe(broker, channel, on_message)
            try:
                await broker.start()
            except Exception as exc:  # refused, or the client library's own error
                await say(exc)
                await _stop(broker)
                await asyncio.sleep(1.0)
                continue
            self._broker, self.connected = broker, True
            return

    async def publish(self, address: str, body: bytes, headers: dict[str, str]) -> None:
        self._sent[(address, body)] += 1
        if self.kind == "redis":
            await self._broker.publish(body, channel=address, headers=headers or None)
            return
        from faststream.rabbit import RabbitQueue  # noqa: PLC0415
        from pamqp.commands import Basic  # noqa: PLC0415

        found = self.contract.match_channel(address)
        amqp = _amqp(found.channel if found is not None else None)
        why = elsewhere(amqp, self.url)
        if why is not None:
            self._sent[(address, body)] -= 1
            log.warning("mock: %s: not published: %s", address, why)
            return
        declare, where = destination(amqp, address)
        if isinstance(declare, RabbitQueue):  # FastStream remembers what it declared
            await self._broker.declare_queue(declare)
        elif declare is not None:
            await self._broker.declare_exchange(declare)  # publishing does not declare it
        answer = await self._broker.publish(body, headers=headers or None, **where)
        if isinstance(getattr(answer, "delivery", None), Basic.Return):
            self._sent[(address, body)] -= 1
            log.warning("mock: %s: the broker returned the message (no queue took it)", address)

    async def flush(self) -> None:
        return None

    async def close(self) -> None:
        if self._broker is not None:
            await _stop(self._broker)


async def _stop(broker: Any) -> None:
    try:
        await broker.stop()
    except Exception:  # a broker that never started may not stop cleanly
        log.debug("mock: broker stop failed", exc_info=True)
