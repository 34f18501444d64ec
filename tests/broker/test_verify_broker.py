"""``accord verify --broker``: pending pacts do not fail the run until verified once,
results are published with the provider's version and branch, ``--no-publish`` keeps
them local."""

from __future__ import annotations

import contextlib
import json
import shlex
import sqlite3
from pathlib import Path

import httpx
import pytest

from tests.broker.conftest import accord, reader_pact, shelf_provider, write_pact
from tests.verify.conftest import CONTRACT, MANIFEST

pytestmark = pytest.mark.slow


def tiny_workspace(root: Path) -> Path:
    (root / "contracts" / "openapi").mkdir(parents=True)
    (root / "contracts" / "accord.yaml").write_text(MANIFEST)
    (root / "contracts" / "openapi" / "shelf.yaml").write_text(CONTRACT)
    return root


def test_pending_pacts_and_published_results(broker: str, tmp_path: Path) -> None:
    root = tiny_workspace(tmp_path / "ws")
    pact = write_pact(tmp_path, reader_pact("Dune"))
    published = accord("publish", str(pact), "--version", "r1", "--branch", "main",
                       "--broker", broker)  # fmt: skip
    assert published.returncode == 0, published.stderr

    def verify(title: str, version: str, *extra: str) -> tuple[int, str]:
        with shelf_provider(title) as provider:
            flags = ["--skip-gates", "--no-properties", "--provider-branch", "main", *extra]
            run = accord("verify", "shelf", "--base-url", provider, "--broker", broker,
                         "--provider-version", version, *flags, cwd=root)  # fmt: skip
        return run.returncode, run.stdout + run.stderr

    # never verified: pending, so its failure is reported but does not fail the build
    code, out = verify("Emma", "s1")
    assert code == 0, out
    assert "(pending)" in out and "published failure for reader's pact as version s1" in out
    code, out = verify("Dune", "s2")
    assert code == 0, out
    assert "published success for reader's pact as version s2 on branch main" in out
    # verified on main: no longer pending, a failure fails
    code, out = verify("Emma", "s3")
    assert code == 1, out
    assert "(pending)" not in out
    code, out = verify("Emma", "s4", "--no-publish")
    assert code == 1 and "published" not in out, out

    def deployable(version: str) -> bool | None:
        answer = httpx.get(f"{broker}/can-i-deploy", params={"pacticipant": "shelf",
                                                           "version": version})  # fmt: skip
        if answer.status_code == 400:  # the broker never heard of that version
            return None
        return bool(answer.json()["summary"]["deployable"])

    assert [deployable(v) for v in ("s1", "s2", "s3", "s4")] == [False, True, False, None]
    s2 = httpx.get(f"{broker}/pacticipants/shelf/versions/s2").json()
    assert s2["branch"] == "main"


def test_pacts_from_the_broker_are_kept_and_named_by_the_reproduce_command(
    broker: str, tmp_path: Path
) -> None:
    """A fetched pact was deleted after the run, so a failure's reproduce command could not
    name it; it is kept in reports/<provider>/pacts/ (the run's record), and the command
    verifies that copy again, without the broker (and the re-run keeps it)."""
    root = tiny_workspace(tmp_path / "ws")
    pact = write_pact(tmp_path, reader_pact("Dune"))
    published = accord("publish", str(pact), "--version", "r1", "--branch", "main",
                       "--broker", broker)  # fmt: skip
    assert published.returncode == 0, published.stderr
    with shelf_provider("Emma") as provider:
        run = accord("verify", "shelf", "--base-url", provider, "--broker", broker,
                     "--provider-version", "s1", "--skip-gates", "--no-properties",
                     "--no-pending", "--no-publish", cwd=root)  # fmt: skip
        assert run.returncode == 1, run.stdout + run.stderr
        kept = root / "reports" / "shelf" / "pacts" / "reader-shelf-0.json"
        assert json.loads(kept.read_text())["provider"] == {"name": "shelf"}
        commands = [line.split("reproduce: ", 1)[1] for line in run.stdout.splitlines()
                    if "reproduce: " in line]  # fmt: skip
        assert commands == [
            f"accord verify shelf --skip-gates --base-url {provider} --no-properties "
            "--pact reports/shelf/pacts/reader-shelf-0.json --interaction 'a book'"
        ], run.stdout
        again = accord(*shlex.split(commands[0])[1:], cwd=root)
        assert again.returncode == 1, again.stdout + again.stderr
        assert "reader: a book" in again.stdout and "Expected 'Emma'" in again.stdout, again.stdout
        assert kept.is_file()  # kept through the re-run that emptied reports/shelf/


def test_a_malformed_pact_from_the_broker_is_refused_by_its_url(
    broker: str, tmp_path: Path
) -> None:
    """Another broker may hold a pact no Pact library wrote (``accord broker`` refuses one
    on publication, so it is planted in its database here): verify refuses it by its
    broker URL and JSON pointer, in one line, before anything starts."""
    root = tiny_workspace(tmp_path / "ws")
    put = httpx.put(f"{broker}/pacts/provider/shelf/consumer/reader/version/r1",
                    json=reader_pact("Dune"))  # fmt: skip
    assert put.status_code == 201, put.text
    bad = reader_pact("Dune")
    bad["interactions"][0]["response"]["status"] = "200"
    with contextlib.closing(sqlite3.connect(tmp_path / "broker.sqlite3")) as db, db:
        db.execute("UPDATE pact_contents SET content = ?", (json.dumps(bad),))
    run = accord("verify", "shelf", "--base-url", "http://127.0.0.1:9", "--broker", broker,
                 "--skip-gates", "--no-properties", "--no-publish", cwd=root)  # fmt: skip
    assert run.returncode == 2, run.stdout + run.stderr
    (line,) = [line for line in run.stderr.splitlines() if line.startswith("accord: error:")]
    assert line.startswith(f"accord: error: {broker}/pacts/provider/shelf/consumer/reader/")
    assert line.endswith("`status` must be an integer 100-599, got '200' (at "
                         "/interactions/0/response/status)")  # fmt: skip
    assert "Traceback" not in run.stderr
