"""A real NATS server with JetStream for the event tests: a free port, its own store folder."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accord._process import Process, free_port

NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"


@dataclass
class Nats:
    url: str
    process: Process


@contextmanager
def nats_server(folder: Path) -> Iterator[Nats]:
    """``nats-server -js`` on free ports of 127.0.0.1, ready when its /healthz says so."""
    port, monitor = free_port(), free_port()
    store = folder / "jetstream"
    argv = [NATS_SERVER, "-js", "-a", "127.0.0.1", "-p", str(port), "-m", str(monitor),
            "-sd", str(store)]  # fmt: skip
    health = f"http://127.0.0.1:{monitor}/healthz?js-enabled-only=true"
    process = Process("nats", argv, health=health, log=folder / "nats.log", ready_timeout=10)
    with process:
        yield Nats(f"nats://127.0.0.1:{port}", process)


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
