"""What ``accord broker`` refuses and what it never loses: idempotent publishing, 409 for
a changed pact, the token for writes, problem+json for bad input, concurrent writers."""

from __future__ import annotations

import base64
import contextlib
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from accord.broker import BrokerClient, BrokerSettings
from tests.broker.conftest import accord_env, pact_cli, reader_pact, running_broker, write_pact


def publish_body(version: str, pact: dict[str, object]) -> dict[str, object]:
    content = base64.b64encode(json.dumps(pact).encode()).decode()
    return {
        "pacticipantName": "reader",
        "pacticipantVersionNumber": version,
        "branch": "main",
        "contracts": [{"consumerName": "reader", "providerName": "shelf",
                       "specification": "pact", "contentType": "application/json",
                       "content": content}],
    }  # fmt: skip


def test_same_version_twice_is_idempotent_and_a_changed_pact_is_refused(
    broker: str, tmp_path: Path
) -> None:
    first = httpx.post(f"{broker}/contracts/publish", json=publish_body("1.0.0", reader_pact()))
    again = httpx.post(f"{broker}/contracts/publish", json=publish_body("1.0.0", reader_pact()))
    assert first.status_code == again.status_code == 200
    assert "unchanged" in again.json()["notices"][0]["text"]
    changed = httpx.post(
        f"{broker}/contracts/publish", json=publish_body("1.0.0", reader_pact("Emma"))
    )
    assert changed.status_code == 409
    assert changed.headers["content-type"] == "application/problem+json"
    assert "already has a different pact" in changed.json()["detail"]
    # the pact of 1.0.0 is still the first one
    kept = httpx.get(f"{broker}/pacts/provider/shelf/consumer/reader/version/1.0.0").json()
    assert kept["interactions"][0]["response"]["body"]["title"] == "Dune"
    # a new version may carry the new pact
    assert (
        httpx.post(
            f"{broker}/contracts/publish", json=publish_body("1.0.1", reader_pact("Emma"))
        ).status_code
        == 200
    )
    # the single-pact PUT follows the same rule
    url = f"{broker}/pacts/provider/shelf/consumer/reader/version/1.0.1"
    assert httpx.put(url, json=reader_pact("Emma")).status_code == 200
    assert httpx.put(url, json=reader_pact("Dune")).status_code == 409


def test_a_broker_that_allows_modification_replaces_the_pact(tmp_path: Path) -> None:
    with running_broker(tmp_path, "--allow-contract-modification") as url:
        assert httpx.post(f"{url}/contracts/publish", json=publish_body("1", reader_pact()))
        replaced = httpx.post(f"{url}/contracts/publish", json=publish_body("1", reader_pact("X")))
        assert replaced.status_code == 200
        pact = httpx.get(f"{url}/pacts/provider/shelf/consumer/reader/version/1").json()
        assert pact["interactions"][0]["response"]["body"]["title"] == "X"


def test_writes_need_the_token_when_one_is_configured(tmp_path: Path) -> None:
    with running_broker(tmp_path, "--token", "s3cret") as url:
        refused = httpx.post(f"{url}/contracts/publish", json=publish_body("1", reader_pact()))
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        wrong = httpx.post(
            f"{url}/environments", json={"name": "prod"}, headers={"Authorization": "Bearer no"}
        )
        assert wrong.status_code == 401
        assert httpx.get(f"{url}/pacticipants").status_code == 200  # reads stay open
        # the official CLI with PACT_BROKER_TOKEN, and accord's client with the same
        pact = write_pact(tmp_path, reader_pact())
        assert pact_cli("publish", str(pact), "-b", url, "--consumer-app-version", "1",
                        token="s3cret").returncode == 0  # fmt: skip
        denied = pact_cli("publish", str(pact), "-b", url, "--consumer-app-version", "2")
        assert denied.returncode != 0
        with BrokerClient(BrokerSettings(url, token="s3cret")) as client:
            client.create_environment("prod")
            assert client.environment_exists("prod")


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "detail"),
    [
        ("POST", "/contracts/publish", b"{not json", 400, "not JSON"),
        ("POST", "/contracts/publish", b'{"pacticipantName": "reader"}', 400, "required"),
        ("POST", "/contracts/publish",
         json.dumps({"pacticipantName": "reader", "pacticipantVersionNumber": "1",
                     "contracts": [{"content": "%%%", "consumerName": "reader",
                                    "providerName": "shelf", "specification": "pact",
                                    "contentType": "application/json"}]}).encode(),
         400, "/contracts/0/content"),
        ("POST", "/pacts/provider/shelf/for-verification",
         b'{"consumerVersionSelectors": {"mainBranch": true}}', 400, "must be a list"),
        ("POST", "/pacts/provider/shelf/for-verification",
         b'{"consumerVersionSelectors": [{"mainBrunch": true}]}', 400, "mainBrunch"),
        # each field of the wrong JSON type is named (an environment list was a 500)
        ("POST", "/pacts/provider/shelf/for-verification",
         b'{"consumerVersionSelectors": [{"deployed": true, "environment": ["prod"]}]}', 400,
         "/consumerVersionSelectors/0/environment: must be a string"),
        ("POST", "/pacts/provider/shelf/for-verification",
         b'{"consumerVersionSelectors": [{"latest": "yes"}]}', 400, "must be true or false"),
        ("POST", "/pacts/provider/shelf/for-verification",
         b'{"includePendingStatus": true, "includeWipPactsSince": "soon"}', 400,
         "/includeWipPactsSince: must be an ISO 8601 date"),
        ("POST", "/pacts/provider/shelf/for-verification", b'{"providerVersionTags": "main"}',
         400, "/providerVersionTags"),
        # a result id that is no id: a 404, not a 500 (int("²") raises, 10**30 overflows SQL)
        ("GET", "/pacts/provider/shelf/consumer/reader/pact-version/abc/verification-results/"
         + "9" * 30, b"", 404, "no verification result"),
        ("GET", "/pacts/provider/shelf/consumer/reader/pact-version/abc/verification-results/"
         + "%C2%B2", b"", 404, "no verification result"),
        ("POST", "/environments", b'{"name": "has space"}', 400, "/name"),
        ("GET", "/matrix", b"", 400, "q[][pacticipant]"),
        ("GET", "/can-i-deploy?pacticipant=reader", b"", 400, "version"),
        ("GET", "/no/such/thing", b"", 404, "no such resource"),
        ("DELETE", "/pacticipants", b"", 405, "not allowed"),
        ("POST", "/pacts/provider/shelf/consumer/reader/pact-version/abc/verification-results",
         b'{"success": "yes"}', 400, "boolean"),
    ],
)  # fmt: skip
def test_bad_input_gets_problem_json(
    shared_broker: str, method: str, path: str, body: bytes, status: int, detail: str
) -> None:
    answer = httpx.request(method, shared_broker + path, content=body,
                           headers={"Content-Type": "application/json"})  # fmt: skip
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
    assert detail in answer.json()["detail"]


PUBLISHER = """
import sys
from pathlib import Path
from accord.broker import BrokerClient, BrokerSettings
url, version, *files = sys.argv[1:]
with BrokerClient(BrokerSettings(url)) as client:
    client.publish([Path(f) for f in files], version, branch="main", tags=["t" + version])
"""


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_ten_processes_publishing_at_once_lose_nothing(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    from tests.broker.conftest import postgres_cluster  # noqa: PLC0415

    pacts = [write_pact(tmp_path, reader_pact(f"book {i}"), f"p{i}.json") for i in range(10)]
    other = {**reader_pact(), "provider": {"name": "ledger"}}
    ledger = write_pact(tmp_path, other, "ledger.json")
    with contextlib.ExitStack() as stack:
        db = stack.enter_context(postgres_cluster()) if backend == "postgresql" else None
        # two instances on one database, as behind a load balancer
        url = stack.enter_context(running_broker(tmp_path, db=db))
        url2 = stack.enter_context(running_broker(tmp_path, db=db))
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    PUBLISHER,
                    url if i % 2 else url2,
                    f"v{i}",
                    str(pacts[i]),
                    str(ledger),
                ],
                env=accord_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for i in range(10)
        ]
        outputs = [p.communicate(timeout=120)[0] for p in procs]
        assert [p.returncode for p in procs] == [0] * 10, outputs
        versions = httpx.get(f"{url}/pacticipants/reader/versions").json()
        numbers = {v["number"] for v in versions["_embedded"]["versions"]}
        assert numbers == {f"v{i}" for i in range(10)}
        for i in range(10):
            pact = httpx.get(f"{url2}/pacts/provider/shelf/consumer/reader/version/v{i}")
            assert pact.json()["interactions"][0]["response"]["body"]["title"] == f"book {i}"
            tags = httpx.get(f"{url}/pacticipants/reader/versions/v{i}").json()
            assert tags["_embedded"]["tags"] == [{"name": f"tv{i}"}]
            assert tags["branch"] == "main"
        ledger_pacts = httpx.get(f"{url}/pacts/provider/ledger/latest").json()
        assert len(ledger_pacts["_links"]["pb:pacts"]) == 1


def test_a_version_and_the_latest_version_are_read_or_are_a_404(broker: str) -> None:
    base = f"{broker}/pacticipants/reader"
    assert httpx.put(f"{broker}/pacticipants/reader", json={}).status_code == 201
    none_yet = httpx.get(f"{base}/latest-version")
    assert none_yet.status_code == 404
    assert none_yet.json()["detail"] == "reader has no versions"
    for number in ("1.0.0", "1.1.0"):
        assert httpx.put(f"{base}/versions/{number}", json={}).status_code == 201
    assert httpx.get(f"{base}/latest-version").json()["number"] == "1.1.0"
    assert httpx.get(f"{base}/versions/1.0.0").json()["number"] == "1.0.0"
    missing = httpx.get(f"{base}/versions/9.9.9")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "no version 9.9.9 of reader"
    assert httpx.get(f"{broker}/pacticipants/nobody/latest-version").status_code == 404
