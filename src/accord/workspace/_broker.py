"""The message broker a workspace's event contracts name, as a command to run it locally.

An AsyncAPI document of the workspace (``events:`` of a service) that lists a ``nats``
server on the loopback interface asks for a NATS server there; ``accord up`` and the shop's
``python -m services`` start Debian's ``nats-server`` with JetStream for it (a file store in
``var/jetstream``), and tell the services where it is in ``$ACCORD_NATS_URL``.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from accord._process import free_port
from accord.workspace._manifest import Workspace

__all__ = ["BROKER_ENV", "Broker", "local_broker", "nats_server"]

#: the variable the services read the broker's URL from
BROKER_ENV = "ACCORD_NATS_URL"
_LOOPBACK = ("127.0.0.1", "localhost")


@dataclass(slots=True, frozen=True)
class Broker:
    url: str
    argv: list[str]
    health: str


def nats_server(
    store: Path, port: int | None = None, monitor_port: int | None = None
) -> Broker | None:
    """``nats-server`` with JetStream on 127.0.0.1 (free ports unless given), its file store
    in ``store``; None when no ``nats-server`` is installed. Ready when ``health`` answers."""
    binary = shutil.which("nats-server") or (
        "/usr/sbin/nats-server" if Path("/usr/sbin/nats-server").exists() else None
    )
    if binary is None:
        return None
    port = port or free_port()
    monitor_port = monitor_port or free_port()
    argv = [binary, "-js", "-a", "127.0.0.1", "-p", str(port), "-m", str(monitor_port),
            "-sd", str(store)]  # fmt: skip
    health = f"http://127.0.0.1:{monitor_port}/healthz?js-enabled-only=true"
    return Broker(f"nats://127.0.0.1:{port}", argv, health)


def local_broker(workspace: Workspace, monitor_port: int | None = None) -> Broker | None:
    """The NATS server the event contracts name on this machine, or None (none named, or
    no ``nats-server`` installed). Its monitoring port (for the health check) is
    ``monitor_port``, else a free one."""
    for name, spec in workspace.services.items():
        if spec.events is None:
            continue
        contract = workspace.events(name)
        servers = contract.data.get("servers") if contract is not None else None
        if not isinstance(servers, dict):  # none, or not a mapping (lint says so)
            continue
        for server in servers.values():
            if not isinstance(server, dict) or server.get("protocol") != "nats":
                continue
            host = str(server.get("host") or server.get("url") or "").removeprefix("nats://")
            address, _, port = host.partition(":")
            if address in _LOOPBACK:
                store = workspace.root / "var" / "jetstream"
                return nats_server(store, int(port) if port.isdigit() else 4222, monitor_port)
    return None
