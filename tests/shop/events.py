"""A real NATS server with JetStream for the event tests: a free port, its own store folder."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from accord._process import Process
from accord.workspace import nats_server as workspace_nats_server


@dataclass
class Nats:
    url: str
    process: Process


@contextmanager
def nats_server(folder: Path) -> Iterator[Nats]:
    """``nats-server -js`` on free ports of 127.0.0.1 (the command ``accord up`` runs), ready
    when its /healthz says so; fails when no ``nats-server`` is installed (``make setup``)."""
    broker = workspace_nats_server(folder / "jetstream")
    if broker is None:
        pytest.fail("nats-server is not installed: run `make setup` (Debian's nats-server)")
    process = Process("nats", broker.argv, health=broker.health, log=folder / "nats.log",
                      ready_timeout=10)  # fmt: skip
    with process:
        yield Nats(broker.url, process)


def stream_messages(url: str, stream: str = "ORDERS") -> list[tuple[str, dict[str, str], Any]]:
    """Every message in ``stream``: (subject, headers, JSON payload), oldest first."""

    async def read() -> list[tuple[str, dict[str, str], Any]]:
        import nats  # noqa: PLC0415
        from nats.js.errors import NotFoundError  # noqa: PLC0415

        conn = await nats.connect(url)
        try:
            js = conn.jetstream()
            try:
                info = await js.stream_info(stream)
            except NotFoundError:  # nobody created it yet
                return []
            out = []
            for seq in range(info.state.first_seq, info.state.last_seq + 1):
                if info.state.messages == 0:
                    break
                msg = await js.get_msg(stream, seq)
                out.append((msg.subject, dict(msg.headers or {}), json.loads(msg.data or b"")))
            return out
        finally:
            await conn.close()

    return asyncio.run(read())


def consumer_state(url: str, durable: str, stream: str = "ORDERS") -> tuple[int, int]:
    """(pending, acknowledged-through stream sequence) of a durable consumer."""

    async def read() -> tuple[int, int]:
        import nats  # noqa: PLC0415

        conn = await nats.connect(url)
        try:
            info = await conn.jetstream().consumer_info(stream, durable)
            return info.num_pending or 0, info.ack_floor.stream_seq if info.ack_floor else 0
        finally:
            await conn.close()

    return asyncio.run(read())
