"""``python -m services``: run the shop's services together until Ctrl-C.

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
from accord.workspace import Workspace


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
    for name in _in_order(workspace):
        spec = workspace.services[name]
        suffix = "sqlite3" if spec.module else "db"
        db = workspace.root / "var" / f"{name}.{suffix}"
        launch = spec.launch(workspace.root, port=spec.port, db=db)
        env = {**os.environ, **launch.env}
        children.append(
            Process(name, launch.argv, launch.health, env, launch.cwd, ready_timeout=30)
        )
    supervisor = Supervisor(children, report=lambda line: print(line, file=sys.stderr))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        supervisor.start()
        for child in children:
            port = workspace.services[child.name].port
            print(f"{child.name:9} http://127.0.0.1:{port}", flush=True)
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
