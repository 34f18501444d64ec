"""A private RabbitMQ node for the event tests: Debian's ``rabbitmq-server`` on free ports.

Everything the node would share with a system RabbitMQ is its own: the AMQP port, the
Erlang distribution port, an ``epmd`` on a port of its own (``ERL_EPMD_PORT``, started
here in the foreground so it stops with the test), the node name, the data and log
folders, the config and plugins files (so ``/etc/rabbitmq`` is never read) and ``HOME``
(the Erlang cookie). It is ready when it answers the AMQP 0-9-1 protocol header with a
``Connection.Start`` frame, which it does once its boot is complete. Each
:meth:`RabbitNode.fresh_url` is a new virtual host (``rabbitmqctl add_vhost``, under a
second), as empty as a new broker: no exchange or queue a test declared before.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from accord._process import Process, free_port

#: Debian's entry point (``/usr/sbin/rabbitmq-server`` is a wrapper that switches to the
#: rabbitmq user and writes to /var/log)
SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
CTL = SERVER.with_name("rabbitmqctl")
READY_TIMEOUT = 30.0


def _answers_amqp(port: int) -> bool:
    """Whether 127.0.0.1:``port`` answers AMQP 0-9-1's header with a method frame."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"AMQP\x00\x00\x09\x01")
            return sock.recv(1) == b"\x01"  # frame type 1: Connection.Start
    except OSError:
        return False


@dataclass(slots=True, frozen=True)
class RabbitNode:
    url: str  # the default virtual host's
    env: dict[str, str]  # the node's environment, which rabbitmqctl needs to reach it

    def fresh_url(self) -> str:
        """The ``amqp://`` URL of a new, empty virtual host that guest may use."""
        name = f"fresh-{uuid.uuid4().hex[:8]}"
        for command in (["add_vhost", name], ["set_permissions", "-p", name, "guest"] + [".*"] * 3):
            done = subprocess.run([str(CTL), *command], env=self.env, capture_output=True,
                                  text=True, timeout=60, check=False)  # fmt: skip
            if done.returncode != 0:
                pytest.fail(f"rabbitmqctl {' '.join(command)}: {done.stderr or done.stdout}")
        return self.url + name


@contextmanager
def rabbitmq_server(folder: Path) -> Iterator[RabbitNode]:
    """A running RabbitMQ node whose data is under ``folder``.
    Fails when Debian's ``rabbitmq-server`` is not installed (``make setup``)."""
    epmd_binary = shutil.which("epmd")
    if not SERVER.exists() or epmd_binary is None:
        pytest.fail("rabbitmq-server is not installed: run `make setup` (Debian's rabbitmq-server)")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rabbitmq.conf").write_text("loopback_users = none\n")
    (folder / "enabled_plugins").write_text("[].\n")
    epmd_port, amqp_port, dist_port = free_port(), free_port(), free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder),
        "ERL_EPMD_PORT": str(epmd_port),
        "RABBITMQ_NODENAME": f"accord{amqp_port}@localhost",
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        "RABBITMQ_NODE_PORT": str(amqp_port),
        "RABBITMQ_DIST_PORT": str(dist_port),
        "RABBITMQ_MNESIA_BASE": str(folder / "mnesia"),
        "RABBITMQ_LOG_BASE": str(folder / "log"),
        "RABBITMQ_LOGS": "-",  # to the process's output, our log file
        "RABBITMQ_CONFIG_FILE": str(folder / "rabbitmq.conf"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(folder / "enabled_plugins"),
        "RABBITMQ_CONF_ENV_FILE": os.devnull,
        "RABBITMQ_PID_FILE": str(folder / "rabbitmq.pid"),
    }
    epmd = Process("epmd", [epmd_binary, "-port", str(epmd_port), "-address", "127.0.0.1"],
                   log=folder / "epmd.log")  # fmt: skip
    node = Process("rabbitmq", [str(SERVER)], env=env, cwd=folder, log=folder / "rabbitmq.log")
    with ExitStack() as stack:
        stack.callback(epmd.stop)
        epmd.start()
        stack.callback(node.stop)
        node.start()
        deadline = time.monotonic() + READY_TIMEOUT
        while not _answers_amqp(amqp_port):
            if not node.running:
                pytest.fail(f"rabbitmq-server exited:\n{node.log_tail(2000)}")
            if time.monotonic() > deadline:
                pytest.fail(f"rabbitmq-server not ready in {READY_TIMEOUT:g} s:\n{node.log_tail()}")
            time.sleep(0.1)
        yield RabbitNode(f"amqp://guest:guest@127.0.0.1:{amqp_port}/", env)
