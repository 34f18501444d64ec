"""``python -m services``: run catalog, payments and orders together until Ctrl-C.

Each service is its own process (as in production); this only starts them on
their ports from contracts/accord.yaml, waits until each answers /healthz, prints
where they are, and stops all of them when interrupted or when one dies.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import httpx

from accord.workspace import Workspace

ORDER = ("catalog", "payments", "orders")


def main() -> int:
    workspace = Workspace.discover()
    if workspace is None:
        print("no contracts/accord.yaml found from here", file=sys.stderr)
        return 2
    running: dict[str, subprocess.Popen[bytes]] = {}

    def stop(*_: object) -> None:
        for proc in running.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in running.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        for name in ORDER:
            port = workspace.services[name].port
            running[name] = subprocess.Popen(
                [sys.executable, "-m", f"services.{name}", "--port", str(port)]
            )
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                if running[name].poll() is not None:
                    print(f"{name} exited with {running[name].returncode}", file=sys.stderr)
                    return 1
                try:
                    if httpx.get(url + "/healthz", timeout=0.5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    print(f"{name} did not answer on {url}", file=sys.stderr)
                    return 1
                time.sleep(0.1)
            print(f"{name:9} {url}", flush=True)
        print("the shop is up; Ctrl-C stops it", flush=True)
        while all(proc.poll() is None for proc in running.values()):
            time.sleep(0.5)
        dead = [name for name, proc in running.items() if proc.poll() is not None]
        print(f"stopping: {', '.join(dead)} exited", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main())
