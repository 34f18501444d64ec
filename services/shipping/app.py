"""shipping as an ASGI app: ``create(db_path)``; ``python -m services.shipping`` serves it.

Served (with an ASGI lifespan) it consumes orders' events from NATS JetStream at
``SHIPPING_NATS_URL`` (default ``nats://127.0.0.1:4222``) through FastStream, with the
durable consumer ``shipping`` on the stream ``ORDERS``: events published while it is down
wait in the stream and are delivered when it comes back. HTTP: ``GET /healthz`` and
``GET /shipments/{order_id}``.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from accord.runtime import Database
from services._broker import ensure_stream
from services.shipping.handler import SCHEMA, BadEvent, Shipping

__all__ = ["DURABLE", "create"]

log = logging.getLogger("services.shipping")
DEFAULT_DB = Path(os.environ.get("SHIPPING_DB", "var/shipping.sqlite3"))
DURABLE = "shipping"
STREAM = "ORDERS"


def create(db_path: str | Path = DEFAULT_DB, *, with_states: bool = False) -> Any:
    """The shipping app on the SQLite file at ``db_path``."""
    shipping = Shipping(Database(db_path, SCHEMA))
    nats_url = os.environ.get("SHIPPING_NATS_URL") or os.environ.get(
        "ACCORD_NATS_URL", "nats://127.0.0.1:4222"
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        from faststream import AckPolicy  # noqa: PLC0415
        from faststream.nats import JStream, NatsBroker  # noqa: PLC0415
        from faststream.nats.annotations import NatsMessage  # noqa: PLC0415

        await ensure_stream(nats_url, STREAM, ["orders.>"])
        broker = NatsBroker(nats_url, max_reconnect_attempts=-1)

        @broker.subscriber(
            "orders.>",
            stream=JStream(STREAM, declare=False),
            durable=DURABLE,
            ack_policy=AckPolicy.NACK_ON_ERROR,
        )
        async def on_event(message: NatsMessage) -> None:  # the raw message, not parsed
            try:
                metadata = {**message.headers, "subject": message.raw_message.subject}
                handled = shipping.handle(message.body, metadata)
            except BadEvent as exc:  # acknowledged and logged: redelivery cannot fix it
                log.warning("shipping: dropped %s: %s", message.raw_message.subject, exc)
                return
            log.info("shipping: %s %s", "handled" if handled else "repeat", message.message_id)

        await broker.start()
        try:
            yield
        finally:
            await broker.stop()

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def shipment(request: Request) -> JSONResponse:
        found = shipping.shipment(request.path_params["order_id"])
        if found is None:
            return JSONResponse(
                {"title": "Not Found", "status": 404}, 404, media_type="application/problem+json"
            )
        return JSONResponse(found)

    routes = [Route("/healthz", healthz), Route("/shipments/{order_id}", shipment)]
    return Starlette(routes=routes, lifespan=lifespan)
