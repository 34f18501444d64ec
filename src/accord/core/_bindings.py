"""A channel's broker bindings as the plain options a client needs.

:func:`amqp_binding` flattens AsyncAPI's AMQP channel binding (``is``, ``exchange``,
``queue``) into ``(key, value)`` pairs of strings and booleans. The RabbitMQ stubs of
``accord generate`` carry them in their ``AMQP`` table and ``accord mock`` reads them, so
both declare and route alike.
"""

from __future__ import annotations

from typing import Any

__all__ = ["amqp_binding"]

#: (binding path) -> its flat key
_AMQP_KEYS = {
    ("is",): "is",
    ("exchange", "name"): "exchange",
    ("exchange", "type"): "exchange_type",
    ("exchange", "durable"): "exchange_durable",
    ("exchange", "autoDelete"): "exchange_auto_delete",
    ("exchange", "vhost"): "exchange_vhost",
    ("queue", "name"): "queue",
    ("queue", "durable"): "durable",
    ("queue", "exclusive"): "exclusive",
    ("queue", "autoDelete"): "auto_delete",
    ("queue", "vhost"): "queue_vhost",
}

#: the values AMQP bindings 0.2.0-0.3.0 allow; another (a typo lint reports) is left out
_AMQP_CHOICES = {
    "is": {"routingKey", "queue"},
    "exchange_type": {"topic", "direct", "fanout", "default", "headers"},
}


def amqp_binding(binding: Any) -> tuple[tuple[str, str | bool], ...]:
    """A channel's AMQP binding (``is``, ``exchange``, ``queue``) as the flat pairs the
    RabbitMQ runtime reads; strings and booleans only, whatever else the binding says, and
    for ``is`` and the exchange's ``type`` only the values the binding's schema allows."""
    if not isinstance(binding, dict):
        return ()
    found: list[tuple[str, str | bool]] = []
    for path, key in _AMQP_KEYS.items():
        value: Any = binding
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, str | bool) and value in _AMQP_CHOICES.get(key, (value,)):
            found.append((key, value))
    return tuple(found)
