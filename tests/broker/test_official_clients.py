"""Clients nobody here wrote against ``accord broker``: the official Pact CLI (Rust,
PyPI pact-python-cli) and the Pact FFI verifier (pact-python), with Accord's own
client asking the same questions in the same test. Every verdict must agree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.broker.conftest import accord, ffi_verify, pact_cli, reader_pact, write_pact

pytestmark = pytest.mark.slow


def verdicts(broker: str, pacticipant: str, version: str, env: str | None) -> tuple[bool, bool]:
    """(the Pact CLI's answer, Accord's answer) to can-i-deploy."""
    where = ["--to-environment", env] if env else []
    official = pact_cli(
        "can-i-deploy", "-b", broker, "--pacticipant", pacticipant, "--version", version, *where
    )
    ours = accord("can-i-deploy", pacticipant, "--broker", broker, "--version", version, *where)
    assert official.returncode in (0, 1), official.stdout + official.stderr
    assert ours.returncode in (0, 1), ours.stdout + ours.stderr
    return official.returncode == 0, ours.returncode == 0


def test_pact_cli_and_ffi_verifier_work_against_accord_broker(broker: str, tmp_path: Path) -> None:
    made = pact_cli(
        "create-or-update-pacticipant", "-b", broker, "--name", "reader", "--main-branch", "main"
    )
    assert made.returncode == 0, made.stdout + made.stderr
    pact = write_pact(tmp_path, reader_pact("Dune"))
    published = pact_cli(
        "publish", str(pact), "-b", broker, "--consumer-app-version", "r1", "--branch", "main"
    )
    assert published.returncode == 0, published.stdout + published.stderr
    assert "Created reader version r1 pact with shelf" in published.stdout
    # the same again is idempotent; a different pact for r1 is refused
    again = pact_cli("publish", str(pact), "-b", broker, "--consumer-app-version", "r1")
    assert again.returncode == 0 and "unchanged" in again.stdout
    changed = write_pact(tmp_path, reader_pact("Dune", "another book"), "changed.json")
    refused = pact_cli("publish", str(changed), "-b", broker, "--consumer-app-version", "r1")
    assert refused.returncode != 0
    assert "409" in refused.stdout + refused.stderr or "already has" in refused.stdout

    assert (
        pact_cli("create-environment", "-b", broker, "--name", "prod", "--production").returncode
        == 0
    )
    assert accord("create-environment", "test", "--broker", broker).returncode == 0
    listed = pact_cli("list-environments", "-b", broker, "-o", "json")
    names = {e["name"] for e in json.loads(listed.stdout)["_embedded"]["environments"]}
    assert names == {"prod", "test"}

    # the FFI fetches the pact for verification and publishes each result
    good = ffi_verify(broker, "Dune", "s1")
    assert good["result"] is True, good
    assert [r["result"] for r in good["interactionResults"]] == ["OK"]
    bad = ffi_verify(broker, "Dune II", "s2")
    assert bad["result"] is False, bad  # verified on main already: no longer pending
    version = pact_cli(
        "describe-version", "-b", broker, "--pacticipant", "shelf", "--version", "s1", "-o", "json"
    )
    assert version.returncode == 0, version.stdout + version.stderr
    assert json.loads(version.stdout)["branch"] == "main"  # the FFI put s1 on its branch

    # against the latest versions
    assert verdicts(broker, "shelf", "s1", None) == (True, True)
    assert verdicts(broker, "shelf", "s2", None) == (False, False)
    # against environments: reader r1 is in prod; shelf nowhere yet
    assert (
        pact_cli(
            "record-deployment",
            "-b",
            broker,
            "--pacticipant",
            "reader",
            "--version",
            "r1",
            "--environment",
            "prod",
        ).returncode
        == 0
    )
    assert verdicts(broker, "shelf", "s1", "prod") == (True, True)
    assert verdicts(broker, "shelf", "s2", "prod") == (False, False)
    assert verdicts(broker, "shelf", "s2", "test") == (True, True)  # nobody consumes it there
    assert verdicts(broker, "reader", "r1", "prod") == (False, False)  # no shelf in prod
    recorded = accord(
        "record-deployment", "shelf", "--environment", "prod", "--version", "s1", "--broker", broker
    )
    assert recorded.returncode == 0, recorded.stdout + recorded.stderr
    assert verdicts(broker, "reader", "r1", "prod") == (True, True)
    # deploying s2 over s1 replaces it: reader's pact now meets a failed verification
    assert (
        accord(
            "record-deployment",
            "shelf",
            "--environment",
            "prod",
            "--version",
            "s2",
            "--broker",
            broker,
        ).returncode
        == 0
    )
    assert verdicts(broker, "reader", "r1", "prod") == (False, False)
