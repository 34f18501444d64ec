"""``python -m services``: run the shop's services together until Ctrl-C (and, when
``nats-server`` is installed, NATS with JetStream and shipping, for orders' events).

Each service is its own process (as in production), in Python or not (reviews runs on
Node); this starts them as contracts/accord.yaml says, on their ports, waits until each
is ready (its health path answers 2xx), prints where they are, and keeps them running
(``accord._process.Supervisor``): one that dies is reported and restarted with backoff
while the others keep serving. Ctrl-C or SIGTERM stops them all.

The services get the workspace's clean service environment, the one ``accord verify``
gives its providers (``accord.workspace.service_environment``): none of the shell's
``<SERVICE>_*``, ``ACCORD_*`` or ``DATABASE_URL``-like variables, which would point them at
some other database or broker, only what is started here (the local NATS server, their
own databases under var/, where the services they consume answer: ``ORDERS_CATALOG_URL``)
and the token secret (``$ACCORD_JWT_SECRET``, or the
development one).
"""

from __future__ import annotations

import signal
import sys

from accord._errors import AccordError
from accord._process import Process, Supervisor
from accord.workspace import (
    BROKER_ENV,
    SECRET_ENV,
    Workspace,
    dependency_urls,
    local_broker,
    service_environment,
    service_secret,
)

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


def plan(workspace: Workspace) -> tuple[list[Process], dict[str, str]]:
    """The processes to start, in order, and where each service answers."""
    children = []
    base = {**service_environment(workspace), SECRET_ENV: service_secret()}
    broker = local_broker(workspace)
    if broker is not None:  # orders publishes its events there, shipping consumes them
        base[BROKER_ENV] = broker.url
        children.append(Process("nats", broker.argv, health=broker.health, require_2xx=True))
    urls = {}
    for name in _in_order(workspace):
        spec = workspace.services[name]
        suffix = "sqlite3" if spec.module else "db"
        db = workspace.root / "var" / f"{name}.{suffix}"
        launch = spec.launch(workspace.root, port=spec.port, db=db)
        mine = dependency_urls(workspace, name)  # ORDERS_CATALOG_URL, ...
        children.append(launch.process(name, base, ready_timeout=30, overrides=mine))
        urls[name] = f"http://127.0.0.1:{spec.port}"
    if broker is not None and "shipping" in workspace.consumers:
        argv = [sys.executable, "-m", "services.shipping", "--port", str(SHIPPING_PORT)]
        health = f"http://127.0.0.1:{SHIPPING_PORT}/healthz"
        children.append(
            Process("shipping", argv, health, env=base, cwd=workspace.root, require_2xx=True)
        )
    return children, urls


def main() -> int:
    workspace = Workspace.discover()
    if workspace is None:
        print("no contracts/accord.yaml found from here", file=sys.stderr)
        return 2
    try:
        children, urls = plan(workspace)
    except AccordError as exc:
        print(exc, file=sys.stderr)
        return 2
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
