"""A provider Accord knows only by its ``command`` (or ``url``): it is started with its
placeholders filled in, its provider states are set at its own ``states`` endpoint with
Pact's ``{state, params, action}``, and it gets the credentials the manifest names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from accord._process import Process, free_port

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

# a provider in "another language": it uses nothing of Accord's
SHELF = r"""
import json, os, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, db = int(sys.argv[sys.argv.index("--port") + 1]), sys.argv[sys.argv.index("--db") + 1]
BOOKS = []

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
            return self.send(200, {"db": db})
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

ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
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


def _pact(state: str) -> dict[str, object]:
    return {
        "consumer": {"name": "reader"},
        "provider": {"name": "shelf"},
        "interactions": [
            {
                "description": "a request for the books",
                "providerStates": [{"name": state, "params": {"title": "Dune"}}],
                "request": {"method": "GET", "path": "/books"},
                "response": {
                    "status": 200,
                    "headers": {"Content-Type": "application/json"},
                    "body": [{"title": "Dune"}],
                },
            }
        ],
        "metadata": {"pactSpecification": {"version": "3.0.0"}, "pact-js": {"version": "16"}},
    }


def _workspace(root: Path, how: str, state: str = "there are books") -> Path:
    (root / "contracts" / "openapi").mkdir(parents=True, exist_ok=True)
    (root / "contracts" / "pacts").mkdir(exist_ok=True)
    (root / "shelf").mkdir(exist_ok=True)
    (root / "shelf" / "shelf.py").write_text(SHELF)
    (root / "contracts" / "openapi" / "shelf.yaml").write_text(CONTRACT)
    (root / "contracts" / "pacts" / "reader-shelf.json").write_text(json.dumps(_pact(state)))
    (root / "contracts" / "accord.yaml").write_text(
        "version: 1\nservices:\n  shelf:\n    contract: openapi/shelf.yaml\n    port: 8201\n"
        + how
        + "    states: /set-state\n"
        + "    credentials:\n      headers: {X-Api-Key: '${SHELF_KEY}'}\n"
        + "consumers:\n  reader:\n    consumes: [shelf]\n"
    )
    return root


COMMAND = (
    "    command: ['{python}', shelf.py, --port, '{port}', --db, '{db}']\n"
    "    cwd: ../shelf\n    health: /ready\n"
)


def _verify(root: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "accord", "verify", "--skip-gates", "--no-properties"],
        capture_output=True, text=True, cwd=root, timeout=300, check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO / "src"), "HOME": str(root),
             "EXPECTED_KEY": "k-123", "STATE_LOG": str(root / "states.jsonl"), **env},
    )  # fmt: skip


def test_a_command_provider_is_verified_with_its_states_and_credentials(tmp_path: Path) -> None:
    root = _workspace(tmp_path, COMMAND)
    done = _verify(root, SHELF_KEY="k-123")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    changes = [json.loads(line) for line in (root / "states.jsonl").read_text().splitlines()]
    assert changes == [
        {"state": "there are books", "params": {"title": "Dune"}, "action": "setup"},
        {"state": "there are books", "params": {"title": "Dune"}, "action": "teardown"},
    ]


def test_wrong_or_missing_credentials_fail_by_name(tmp_path: Path) -> None:
    root = _workspace(tmp_path, COMMAND)
    wrong = _verify(root, SHELF_KEY="not-it")
    assert wrong.returncode == 1
    assert "reader: a request for the books" in wrong.stdout and "401" in wrong.stdout
    missing = _verify(root)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert "needs $SHELF_KEY, which is not set" in missing.stdout
    assert "accord.yaml:10:5" in missing.stdout  # the credentials entry


def test_a_state_the_provider_cannot_set_up_fails_its_interaction(tmp_path: Path) -> None:
    root = _workspace(tmp_path, COMMAND, state="the shelf is on fire")
    done = _verify(root, SHELF_KEY="k-123")
    assert done.returncode == 1
    assert "provider state 'the shelf is on fire' could not be set up (500 from" in done.stdout
    assert "/set-state): cannot" in done.stdout


def test_a_provider_declared_by_url_is_used_where_it_runs(tmp_path: Path) -> None:
    port = free_port()
    root = _workspace(tmp_path, f"    url: http://127.0.0.1:{port}\n")
    argv = [sys.executable, "shelf.py", "--port", str(port), "--db", "x"]
    env = {**os.environ, "EXPECTED_KEY": "k-123", "STATE_LOG": str(root / "states.jsonl")}
    health = f"http://127.0.0.1:{port}/ready"
    with Process("shelf", argv, health, env, root / "shelf", root / "shelf.log"):
        done = _verify(root, SHELF_KEY="k-123")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (root / "states.jsonl").read_text().count('"setup"') == 1


def test_a_provider_accord_cannot_start_says_how_to_reach_it(tmp_path: Path) -> None:
    root = _workspace(tmp_path, "")  # a contract only: no module, command or url
    done = _verify(root, SHELF_KEY="k-123")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "shelf: could not be verified: service 'shelf' cannot be started" in done.stdout
    assert "`command:`" in done.stdout and "`url:`" in done.stdout
    assert "`--base-url`" in done.stdout


def test_an_unknown_provider_names_the_ways_to_verify_one(tmp_path: Path) -> None:
    root = _workspace(tmp_path, COMMAND)
    done = subprocess.run(
        [sys.executable, "-m", "accord", "verify", "tictactoe", "--skip-gates"],
        capture_output=True, text=True, cwd=root, timeout=60, check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO / "src"), "HOME": str(root)},
    )  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "no service named 'tictactoe'" in done.stderr
    assert "`url:`" in done.stderr and "`--base-url`" in done.stderr
