"""``python -m services``: run the shop's services together until Ctrl-C (and, when
``nats-server`` is installed, NATS with JetStream and shipping, for orders' events).

Each service is its own process (as in production), in Python or not (reviews runs on
Node); this starts them as contracts/accord.yaml says, on their ports, waits until each
answers its health path, prints where they are, and keeps them running
(``accord._process.Supervisor``): one that dies is reported and restarted with backoff
while the others keep serving. Ctrl-C or SIGTERM stops them all.
"""

from __future__ import annotations

import os
import signal
import sys

from accord._errors import AccordError
from accord._process import Process, Supervisor
from accord.workspace import BROKER_ENV, Workspace, local_broker

#: shipping consumes events only; its port serves its health check (reviews has 8104)
SHIPPING_PORT = 8105


def _in_order(workspace: Workspace) -> list[str]:
    """Every service Accord can start, each after the services it consumes."""
    done: list[str] = []

    def visit(name: str) -> None:
        if name not in done:
            for dependency in workspace.services[name].consumes:
                visit(dependency)
            done.append(name)

    for name, spec in workspace.services.items():
        if spec.startable:
            visit(name)
    return done


def main() -> int:
    workspace = Workspace.discover()
    if workspace is None:
        print("no contracts/accord.yaml found from here", file=sys.stderr)
        return 2
    children = []
    base = dict(os.environ)
    broker = local_broker(workspace)
    if broker is not None:  # orders publishes its events there, shipping consumes them
        base.setdefault(BROKER_ENV, broker.url)
        children.append(Process("nats", broker.argv, health=broker.health))
    urls = {}
    for name in _in_order(workspace):
        spec = workspace.services[name]
        suffix = "sqlite3" if spec.module else "db"
        db = workspace.root / "var" / f"{name}.{suffix}"
        launch = spec.launch(workspace.root, port=spec.port, db=db)
        env = {**base, **launch.env}
        children.append(
            Process(name, launch.argv, launch.health, env, launch.cwd, ready_timeout=30)
        )
        urls[name] = f"http://127.0.0.1:{spec.port}"
    if broker is not None:
        argv = [sys.executable, "-m", "services.shipping", "--port", str(SHIPPING_PORT)]
        health = f"http://127.0.0.1:{SHIPPING_PORT}/healthz"
        children.append(Process("shipping", argv, health, env=base))
    supervisor = Supervisor(children, report=lambda line: print(line, file=sys.stderr))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # Ctrl-C stops it even when started in the background (which inherits SIGINT ignored)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        supervisor.start()
        for child in children:
            where = urls.get(child.name) or (child.health or "").removesuffix("/healthz")
            print(f"{child.name:9} {where}", flush=True)
        print("the shop is up; Ctrl-C stops it", flush=True)
        supervisor.run()
    except AccordError as exc:
        print(exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        supervisor.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
