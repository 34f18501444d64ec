"""``python -m services``: run catalog, payments and orders together until Ctrl-C (and,
when ``nats-server`` is installed, NATS with JetStream and shipping, for orders' events).

Each service is its own process (as in production); this starts them on their ports
from contracts/accord.yaml, waits until each answers /healthz, prints where they are,
and keeps them running (``accord._process.Supervisor``): one that dies is reported and
restarted with backoff while the others keep serving. Ctrl-C or SIGTERM stops them all.
"""

from __future__ import annotations

import os
import signal
import sys

from accord._errors import AccordError
from accord._process import Process, Supervisor
from accord.workspace import BROKER_ENV, Workspace, local_broker

ORDER = ("catalog", "payments", "orders")


def main() -> int:
    workspace = Workspace.discover()
    if workspace is None:
        print("no contracts/accord.yaml found from here", file=sys.stderr)
        return 2
    children = []
    env = dict(os.environ)
    broker = local_broker(workspace)
    if broker is not None:  # orders publishes its events there, shipping consumes them
        env.setdefault(BROKER_ENV, broker.url)
        children.append(Process("nats", broker.argv, health=broker.health))
    for name in ORDER:
        url = f"http://127.0.0.1:{workspace.services[name].port}"
        argv = [sys.executable, "-m", f"services.{name}", "--port", url.rsplit(":", 1)[1]]
        children.append(Process(name, argv, health=url + "/healthz", env=env, ready_timeout=30))
    if broker is not None:
        argv = [sys.executable, "-m", "services.shipping", "--port", "8104"]
        children.append(Process("shipping", argv, "http://127.0.0.1:8104/healthz", env=env))
    supervisor = Supervisor(children, report=lambda line: print(line, file=sys.stderr))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        supervisor.start()
        for child in children:
            print(f"{child.name:9} {(child.health or '').removesuffix('/healthz')}", flush=True)
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
