"""Small workspaces on disk, and the real CLI run against them.

- ``tiny``: one provider (``shelf``: a module, a contract), one pact.
- :func:`shelf_workspace`: the same provider in "another language" (a plain Python HTTP
  server that uses nothing of Accord's), started by ``command`` or reached by ``url``,
  with its own provider-state endpoint and credentials.
- :func:`accord`: ``python -m accord`` of this checkout as a process, with a clean
  environment (the tests' variables only).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

MANIFEST = """\
version: 1
name: tiny
services:
  shelf:
    contract: openapi/shelf.yaml
    port: 8201
    module: shelfsvc
consumers:
  reader:
    consumes: [shelf]
"""
CONTRACT = """\
openapi: 3.0.3
info: {title: shelf, version: "1"}
paths:
  /books:
    get:
      operationId: listBooks
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: array
                items: {type: object, properties: {title: {type: string}}}
"""


def pact(state: str | None = None) -> dict[str, object]:
    """reader's pact with shelf: the books, in ``state`` (with a title) when one is named."""
    interaction: dict[str, object] = {
        "description": "a request for the books",
        "request": {"method": "GET", "path": "/books"},
        "response": {"status": 200},
    }
    if state is not None:
        interaction["providerStates"] = [{"name": state, "params": {"title": "Dune"}}]
        interaction["response"] = {
            "status": 200,
            "headers": {"Content-Type": "application/json"},
            "body": [{"title": "Dune"}],
        }
    return {
        "consumer": {"name": "reader"},
        "provider": {"name": "shelf"},
        "interactions": [interaction],
        "metadata": {"pactSpecification": {"version": "3.0.0"}, "pact-js": {"version": "16"}},
    }


PACT = pact()

# a provider in "another language": it uses nothing of Accord's. It writes the environment
# it was given to $STATE_LOG.env; with $WARMUP_PROBES=N its /ready answers 404 N times
# first (a framework whose routes are not mounted yet), and /books fails until it is ready.
SHELF = r"""
import json, os, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, db = int(sys.argv[sys.argv.index("--port") + 1]), sys.argv[sys.argv.index("--db") + 1]
json.dump(dict(os.environ), open(os.environ["STATE_LOG"] + ".env", "w"))
BOOKS = []
WARMUP = [int(os.environ.get("WARMUP_PROBES", "0"))]

class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/ready":
            WARMUP[0] -= 1
            return self.send(404, {}) if WARMUP[0] >= 0 else self.send(200, {"db": db})
        if WARMUP[0] >= 0:
            return self.send(500, {"detail": "asked before it was ready"})
        if self.headers.get("X-Api-Key") != os.environ["EXPECTED_KEY"]:
            return self.send(401, {"title": "no key"})
        self.send(200, BOOKS)

    def do_POST(self):
        change = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with open(os.environ["STATE_LOG"], "a") as log:
            log.write(json.dumps(change) + "\n")
        if change["state"] == "there are books" and change["action"] == "setup":
            BOOKS[:] = [{"title": change["params"]["title"]}]
        if change["state"] == "the shelf is on fire":
            return self.send(500, {"detail": "cannot"})
        self.send(200, {})

print("shelf serving on", port, flush=True)
ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""

#: how shelf_workspace's provider runs: its own command, in its folder, ready on /ready
COMMAND = (
    "    command: ['{python}', shelf.py, --port, '{port}', --db, '{db}']\n"
    "    cwd: ../shelf\n    health: /ready\n"
)


def shelf_workspace(root: Path, how: str, state: str = "there are books", port: int = 8201) -> Path:
    """A workspace in ``root`` whose provider ``shelf`` runs as ``how`` says (manifest
    lines: ``COMMAND``, a ``url:``, ...), with reader's pact given ``state``."""
    (root / "contracts" / "openapi").mkdir(parents=True, exist_ok=True)
    (root / "contracts" / "pacts").mkdir(exist_ok=True)
    (root / "shelf").mkdir(exist_ok=True)
    (root / "shelf" / "shelf.py").write_text(SHELF)
    (root / "contracts" / "openapi" / "shelf.yaml").write_text(CONTRACT)
    (root / "contracts" / "pacts" / "reader-shelf.json").write_text(json.dumps(pact(state)))
    (root / "contracts" / "accord.yaml").write_text(
        f"version: 1\nservices:\n  shelf:\n    contract: openapi/shelf.yaml\n    port: {port}\n"
        + how
        + "    states: /set-state\n"
        + "    credentials:\n      headers: {X-Api-Key: '${SHELF_KEY}'}\n"
        + "consumers:\n  reader:\n    consumes: [shelf]\n"
    )
    return root


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip


def accord(
    *args: str | Path, cwd: Path, timeout: float = 300, **env: str
) -> subprocess.CompletedProcess[str]:
    """The real CLI of this checkout, as a process, with only ``env`` besides the basics."""
    return subprocess.run(
        [sys.executable, "-m", "accord", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, timeout=timeout, check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{REPO / 'src'}:{cwd}", "HOME": str(cwd),
             **env},
    )  # fmt: skip


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """The tiny workspace, outside git."""
    root = tmp_path / "tiny"
    (root / "contracts" / "openapi").mkdir(parents=True)
    (root / "contracts" / "pacts").mkdir()
    (root / "contracts" / "accord.yaml").write_text(MANIFEST)
    (root / "contracts" / "openapi" / "shelf.yaml").write_text(CONTRACT)
    (root / "contracts" / "pacts" / "reader-shelf.json").write_text(json.dumps(PACT))
    (root / "shelfsvc").mkdir()
    (root / "shelfsvc" / "__init__.py").write_text("BOOKS = []\n")
    return root


@pytest.fixture
def tiny_git(tiny: Path) -> Path:
    """The tiny workspace as a git repository with one commit."""
    git(tiny, "init", "-q")
    (tiny / ".gitignore").write_text("/.accord/\n/reports/\n__pycache__/\n")
    git(tiny, "add", ".")
    git(tiny, "commit", "-q", "-m", "first")
    return tiny
