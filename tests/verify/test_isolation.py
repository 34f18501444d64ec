"""What a verification run keeps to itself: the Pact FFI's output stays out of the caller's
standard output, a failure's reproduce command re-runs just that interaction, and the
provider never sees the developer's own infrastructure settings."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from accord._process import Process, free_port
from accord.verify import Progress, VerifyOptions, verify_workspace
from accord.workspace import load_workspace, nats_server
from tests.verify.conftest import COMMAND, accord, shelf_workspace
from tests.verify.conftest import pact as _pact
from tests.verify.test_verify import workspace_copy

REPO = Path(__file__).resolve().parents[2]


def _run(
    root: Path, *args: str, cwd: Path | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    return accord(
        *args, cwd=cwd or root, CI="true", EXPECTED_KEY="k-123", SHELF_KEY="k-123",
        STATE_LOG=str(root / "states.jsonl"), **env,
    )  # fmt: skip


@pytest.mark.slow
def test_an_in_process_caller_keeps_its_stdout(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = shelf_workspace(tmp_path, COMMAND)
    for key, value in {"EXPECTED_KEY": "k-123", "SHELF_KEY": "k-123",
                       "STATE_LOG": str(root / "states.jsonl")}.items():  # fmt: skip
        monkeypatch.setenv(key, value)

    def progress(event: Progress) -> None:  # printed from verify's worker threads
        print(f"caller saw: {event.provider} {event.phase} {event.status}", flush=True)

    options = VerifyOptions(
        properties=False, report_dir=root / "reports", results_db=root / ".accord" / "r.db"
    )
    print("caller before", flush=True)
    results = verify_workspace(load_workspace(root), options, progress)
    print("caller after", flush=True)
    out = capfd.readouterr().out
    assert results[0].passed, results[0].cases
    for line in ("caller before", "caller saw: shelf pact running",
                 "caller saw: shelf pact passed", "caller saw: shelf done passed",
                 "caller after"):  # fmt: skip
        assert line in out, out
    assert "Verifying a pact between" not in out  # the FFI's own lines ...
    ffi_log = (root / "reports" / "pact-ffi-output.log").read_text()
    assert "Verifying a pact between reader and shelf" in ffi_log  # ... are in its log
    assert "caller saw" not in ffi_log
    evidence = (root / "reports" / "shelf" / "pacts" / "pact-reader.txt").read_text()
    assert "a request for the books" in evidence


@pytest.mark.slow
def test_a_pact_failure_reproduces_just_its_interaction(tmp_path: Path) -> None:
    root = shelf_workspace(tmp_path, COMMAND)
    pact = _pact("there are books")
    planted = {  # the provider answers [{"title": "Dune"}] whatever the state
        "description": "a request for the reader's books (sorted)",
        "providerStates": [{"name": "the shelf is dusty"}],
        "request": {"method": "GET", "path": "/books"},
        "response": {"status": 200, "body": [{"title": "Emma"}]},
    }
    pact["interactions"].append(planted)  # type: ignore[attr-defined]
    (root / "contracts" / "pacts" / "reader-shelf.json").write_text(json.dumps(pact))
    done = _run(root, "verify", "--skip-gates", "--no-properties")
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert "1/2" in done.stderr  # the pact phase: one of two passed
    commands = [
        line.split("reproduce: ", 1)[1]
        for line in done.stdout.splitlines()
        if "reproduce: " in line
    ]
    assert commands == [
        "accord verify shelf --skip-gates --no-properties --pact "
        "contracts/pacts/reader-shelf.json --interaction "
        "'a request for the reader'\"'\"'s books (sorted)' --given 'the shelf is dusty'"
    ], done.stdout
    (root / "states.jsonl").unlink()
    again = _run(root, *shlex.split(commands[0])[1:])
    assert again.returncode == 1, again.stdout[-3000:] + again.stderr[-3000:]
    assert "shelf pact: failed (0/1" in again.stderr  # just that interaction, and it fails
    assert "reader: a request for the reader's books (sorted) (given the shelf is dusty)" in (
        again.stdout
    )
    changes = (root / "states.jsonl").read_text().splitlines()
    assert {json.loads(line)["state"] for line in changes} == {"the shelf is dusty"}
    # one interaction passing is no pact's verdict: nothing is recorded for can-i-deploy
    one = _run(root, "verify", "shelf", "--skip-gates", "--no-properties",
               "--interaction", "a request for the books")  # fmt: skip
    assert one.returncode == 0 and "shelf pact: passed (1/1" in one.stderr, one.stderr[-2000:]
    assert _run(root, "can-i-deploy", "shelf").returncode == 1  # the full run failed
    # run from elsewhere, the command names the workspace it verified (and works from there)
    away = _run(root, "verify", "--skip-gates", "--no-properties", "--workspace", str(root),
                "--report", str(root / "reports"), cwd=root.parent)  # fmt: skip
    found = [line.split("reproduce: ", 1)[1] for line in away.stdout.splitlines()
             if "reproduce: " in line]  # fmt: skip
    assert f"--workspace {root.name}/contracts/accord.yaml" in found[0], found
    again = _run(root, *shlex.split(found[0])[1:], cwd=root.parent)
    assert again.returncode == 1 and "shelf pact: failed (0/1" in again.stderr, again.stderr
    # an interaction no pact has is a clear error, not an empty pass
    none = _run(root, "verify", "--skip-gates", "--no-properties", "--interaction", "nope")
    assert none.returncode == 1 and "Traceback" not in none.stderr
    assert "no interaction described 'nope' in the pacts that name 'shelf'" in none.stdout


@pytest.mark.slow
def test_the_provider_gets_none_of_the_developers_infrastructure(tmp_path: Path) -> None:
    root = shelf_workspace(tmp_path, COMMAND)
    # the provider writes down the environment it was given (in states.jsonl.env)
    dev = {"SHELF_NATS_URL": "nats://dev:4222", "ACCORD_NATS_URL": "nats://dev:4222",
           "SHELF_DB": "/srv/dev.db", "DATABASE_URL": "postgresql://dev/shop"}  # fmt: skip
    done = _run(root, "verify", "--skip-gates", "--no-properties", **dev)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    seen = json.loads((root / "states.jsonl.env").read_text())
    assert not set(dev) & set(seen), {k: seen[k] for k in set(dev) & set(seen)}
    assert seen["EXPECTED_KEY"] == "k-123" and seen["ACCORD_PROVIDER_STATES"] == "1"


@pytest.mark.slow
def test_the_shop_launcher_gives_services_the_environment_verify_gives(tmp_path: Path) -> None:
    """``python -m services`` (``accord up`` for the shop) passed the whole shell on; it
    now starts each service with the same clean environment as verify, and waits for its
    declared health path to answer 2xx (shelf's /ready answers 404 three times first)."""
    root = shelf_workspace(tmp_path, COMMAND, port=free_port())
    dev = {"SHELF_NATS_URL": "nats://dev:4222", "ACCORD_NATS_URL": "nats://dev:4222",
           "SHELF_DB": "/srv/dev.db", "DATABASE_URL": "postgresql://dev/shop",
           "ACCORD_VERBOSE": "1"}  # fmt: skip
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{REPO}:{REPO / 'src'}", "HOME": str(root),
           "EXPECTED_KEY": "k-123", "STATE_LOG": str(root / "states.jsonl"),
           "WARMUP_PROBES": "3", "ACCORD_JWT_SECRET": "s3cret", **dev}  # fmt: skip
    up = subprocess.Popen(
        [sys.executable, "-m", "services"], cwd=root, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        assert up.stdout is not None
        lines: list[str] = []
        while not lines or not lines[-1].startswith("the shop is up"):
            lines.append(up.stdout.readline())
            assert lines[-1] and len(lines) < 20, lines  # the children's output is here too
        where = next(w for line in lines for w in line.split()[1:2] if w.startswith("http:"))
        ready = httpx.get(where + "/books", headers={"X-Api-Key": "k-123"})
        assert ready.status_code == 200, ready.text  # not asked before it was ready
    finally:
        up.terminate()
        up.wait(timeout=30)
        if up.stdout is not None:
            up.stdout.close()
    seen = json.loads((root / "states.jsonl.env").read_text())
    assert not set(dev) & set(seen), {k: seen[k] for k in set(dev) & set(seen)}
    assert seen["EXPECTED_KEY"] == "k-123" and seen["ACCORD_JWT_SECRET"] == "s3cret"


@pytest.mark.slow
def test_nothing_is_published_on_the_developers_broker(tmp_path: Path) -> None:
    root = workspace_copy(tmp_path / "shop")
    broker = nats_server(tmp_path / "dev-jetstream")
    assert broker is not None, "nats-server is not installed (make setup)"
    with Process("dev nats", broker.argv, broker.health, log=tmp_path / "nats.log"):
        dev = {"ORDERS_NATS_URL": broker.url, "ACCORD_NATS_URL": broker.url}
        done = _run(root, "verify", "orders", "--skip-gates", "--max-examples", "3", **dev)
        varz = httpx.get(broker.health.split("/healthz")[0] + "/varz", timeout=5).json()
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert varz["in_msgs"] == 0 and varz["total_connections"] == 0, varz
    # orders published on verify's own broker instead, where its messages were checked
    assert "orders messages: passed" in done.stderr, done.stderr[-3000:]


def test_pact_and_interaction_flags_refuse_what_they_cannot_do(tiny: Path) -> None:
    other = tiny / "other.json"
    other.write_text(json.dumps({**_pact("x"), "provider": {"name": "elsewhere"}}))
    done = accord("verify", "--skip-gates", "--pact", other, cwd=tiny)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "its provider 'elsewhere', which is not a service verified here (shelf)" in (done.stderr)
    done = accord("verify", "--skip-gates", "--no-pacts", "--interaction", "x", cwd=tiny)
    assert done.returncode == 2 and "drop --no-pacts" in done.stderr
    done = accord("verify", "--skip-gates", "--given", "x", cwd=tiny)
    assert done.returncode == 2 and "--given chooses among --interaction" in done.stderr
    # schemathesis needs one example at least: refused before anything starts
    done = accord("verify", "--skip-gates", "--max-examples", "0", cwd=tiny)
    assert done.returncode == 2 and "--max-examples" in done.stderr


@pytest.mark.slow
def test_a_message_pact_for_a_provider_that_builds_no_messages_says_so(tmp_path: Path) -> None:
    """A static file server (Python's http.server, by ``command``) and a V4 message pact."""
    (tmp_path / "contracts" / "pacts").mkdir(parents=True)
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "hello.json").write_text('{"hello": "world"}')
    (tmp_path / "contracts" / "files.yaml").write_text(
        'openapi: 3.0.3\ninfo: {title: files, version: "1"}\npaths: {}\n'
    )
    (tmp_path / "contracts" / "accord.yaml").write_text(
        "version: 1\nservices:\n  files:\n    contract: files.yaml\n    port: 8301\n"
        "    command: [sh, -c, 'exec python3 -m http.server {port} --bind 127.0.0.1']\n"
        "    cwd: ../www\n    health: /hello.json\n"
    )
    message = {
        "type": "Asynchronous/Messages", "description": "a file changed", "pending": False,
        "contents": {"content": {"name": "hello.json"}, "contentType": "application/json",
                     "encoded": False},
    }  # fmt: skip
    pact = {
        "consumer": {"name": "worker"}, "provider": {"name": "files"},
        "interactions": [message], "metadata": {"pactSpecification": {"version": "4.0"}},
    }  # fmt: skip
    (tmp_path / "contracts" / "pacts" / "worker-files.json").write_text(json.dumps(pact))
    done = _run(tmp_path, "verify", "--skip-gates", "--no-properties")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "files: pact: worker: a file changed" in done.stdout
    assert "the provider does not build messages: POST /_accord/messages answered 501" in (
        done.stdout
    )
