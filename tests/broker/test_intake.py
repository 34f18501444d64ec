"""What ``accord broker`` refuses on the way in, on SQLite and PostgreSQL: malformed pacts
(by ``PactFile``'s own checks, each problem's JSON pointer in the answer), names that
disagree with the pact, malformed verification results, bodies that are not JSON, too
large, too deep or not Unicode. Every refusal is a 4xx problem and stores nothing."""

from __future__ import annotations

import base64
import contextlib
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from accord.broker import open_database
from tests.broker.conftest import (
    accord,
    pact_cli,
    postgres_cluster,
    reader_pact,
    running_broker,
    write_pact,
)

PUT = "/pacts/provider/shelf/consumer/reader/version/1.0.0"
RESULTS = "/pacts/provider/shelf/consumer/reader/pact-version/abc/verification-results"
LIMIT_MIB = "0.0625"  # the brokers here refuse bodies over 64 KiB


def pact(**changes: Any) -> dict[str, Any]:
    return {**reader_pact(), **changes}


def bad_request() -> dict[str, Any]:
    """A pact whose one interaction has an unknown method and a string status (the Pact
    CLI sends it as it is)."""
    broken = reader_pact()
    broken["interactions"][0]["request"]["method"] = "FETCH"
    broken["interactions"][0]["response"]["status"] = "200"
    return broken


def publish(*pacts: dict[str, Any], **fields: Any) -> bytes:
    contracts = [
        {
            "consumerName": "reader",
            "providerName": p["provider"]["name"] if isinstance(p.get("provider"), dict) else "x",
            "specification": "pact",
            "contentType": "application/json",
            "content": base64.b64encode(json.dumps(p).encode()).decode(),
        }
        for p in pacts
    ]
    body = {"pacticipantName": "reader", "pacticipantVersionNumber": "1.0.0", "branch": "main",
            "contracts": contracts, **fields}  # fmt: skip
    return json.dumps(body).encode()


def publish_edited(*edits: dict[str, Any]) -> bytes:
    """A publication of one good pact per edit, each entry's fields changed by its edit
    (a field whose new value is ``None`` is left out)."""
    body = json.loads(publish(*(reader_pact() for _ in edits)))
    for contract, edit in zip(body["contracts"], edits, strict=True):
        contract.update(edit)
        for key in [k for k, v in edit.items() if v is None]:
            del contract[key]
    return json.dumps(body).encode()


def deep(levels: int) -> bytes:
    return b'{"consumer": {"name": "reader"}, "x": ' + b"[" * levels + b"]" * levels + b"}"


# (method, path, body, status, pointers the problem's errors must name, text in its detail)
CASES: list[tuple[str, str, bytes, int, list[str], str]] = [
    ("PUT", PUT, b"{not json", 400, [], "not JSON"),
    ("PUT", PUT, b"\xff\xfe{}", 400, [], "not JSON"),
    ("PUT", PUT, b"[]", 400, [""], "a pact file is a JSON object"),
    ("PUT", PUT, json.dumps(bad_request()).encode(), 400,
     ["/interactions/0/request/method", "/interactions/0/response/status"], "HTTP method"),
    ("PUT", PUT, json.dumps(pact(interactions={"a": 1})).encode(), 400, ["/interactions"],
     "must be an array"),
    ("PUT", PUT, json.dumps(pact(metadata={"pactSpecification": {"version": "9.0.0"}})).encode(),
     400, ["/metadata/pactSpecification/version"], "unknown pact specification version"),
    ("PUT", PUT, json.dumps(pact(provider={"name": "ledger"})).encode(), 400, ["/provider/name"],
     "published as 'shelf'"),
    ("PUT", PUT, json.dumps(pact(consumer={"name": ""})).encode(), 400, ["/consumer"],
     "non-empty string"),
    ("PUT", PUT, deep(5000), 400, [], "nests deeper"),
    ("PUT", PUT, json.dumps(pact(x="a" * 70_000)).encode(), 413, [], "larger than the limit"),
    ("PUT", PUT, json.dumps(pact()).replace('"Dune"', '"\\ud800"').encode(), 400,
     ["/interactions/0/response/body/title"], "lone surrogate"),
    ("POST", "/contracts/publish", publish(bad_request()), 400, ["/contracts/0/content"],
     "the publication is malformed: /contracts/0/content: /interactions/0/request/method"),
    ("POST", "/contracts/publish", publish(reader_pact(), bad_request()), 400,
     ["/contracts/1/content"], "/contracts/1/content"),
    ("POST", "/contracts/publish", publish(pact(consumer={"name": "writer"})), 400,
     ["/contracts/0/consumerName"], "the pact's consumer is 'writer', but consumerName is"),
    ("POST", "/contracts/publish", publish(reader_pact(), pacticipantName="writer"), 400,
     ["/contracts/0/consumerName"], "'reader' does not match the pacticipantName 'writer'"),
    # the Pact Broker's PublishContractsContract: both names required, onConflict known
    ("POST", "/contracts/publish",
     publish_edited({"consumerName": None, "providerName": " "}, {"onConflict": "replace"}), 400,
     ["/contracts/0/consumerName", "/contracts/0/providerName", "/contracts/1/onConflict"],
     "/contracts/0/consumerName: required: a non-blank string, got None (and 2 more)"),
    ("POST", "/contracts/publish", publish_edited({"providerName": "ledger"}), 400,
     ["/contracts/0/providerName"], "the pact's provider is 'shelf', but providerName is 'ledger'"),
    ("POST", "/contracts/publish", publish_edited({"content": base64.b64encode(b"consumer: x")
                                                   .decode()}), 400,
     ["/contracts/0/content"], "not base64-encoded JSON"),
    ("POST", "/contracts/publish", publish(reader_pact(), tags="prod"), 400, [], "/tags"),
    ("POST", "/contracts/publish", publish(reader_pact(), branch=7), 400, [], "/branch"),
    ("POST", "/contracts/publish", publish(reader_pact()).replace(b'"pact"', b'"oas"'), 400, [],
     "/specification"),
    ("POST", "/contracts/publish",
     publish_edited({"contentType": None},
                    {"specification": None, "contentType": "application/hal+json",
                     "content": "not base64!"}), 400,
     ["/contracts/0/contentType", "/contracts/1/specification", "/contracts/1/contentType",
      "/contracts/1/content"], "the publication is malformed: /contracts/0/contentType"),
    ("POST", "/contracts/publish", publish_edited({"specification": "Pact", "content": ""}), 400,
     ["/contracts/0/specification", "/contracts/0/content"], "must be 'pact'"),
    ("POST", "/contracts/publish",
     publish(reader_pact(), branch=" ", tags=["ok", 3], buildUrl=7), 400,
     ["/branch", "/tags/1", "/buildUrl"], "must be a non-blank string"),
    ("PUT", "/pacticipants/reader/versions/1", b'{"branch": 7, "buildUrl": ["https://ci/1"]}', 400,
     ["/branch", "/buildUrl"], "the version is malformed: /branch"),
    # a version's build URL is any text, as the Pact Broker takes it (a CI build id)
    ("PUT", "/pacticipants/reader/versions/1", b'{"branch": "", "buildUrl": "ci-42"}', 400,
     ["/branch"], "/branch: must be a non-blank string, got ''"),
    ("PUT", "/pacticipants/reader/versions/1", b'["main"]', 400, [""], "a JSON object"),
    ("POST", RESULTS, b"{}", 400, ["/success", "/providerApplicationVersion"], "required"),
    ("POST", RESULTS,
     json.dumps({"success": "yes", "providerApplicationVersion": " ", "buildUrl": "ftp:x",
                 "providerVersionTags": ["ok", 3], "testResults": "passed"}).encode(), 400,
     ["/success", "/providerApplicationVersion", "/providerVersionTags/1", "/buildUrl",
      "/testResults"], "must be a boolean"),
    ("POST", RESULTS, b"[true]", 400, [""], "a JSON object"),
    ("POST", "/pacticipants", b'{"name": "read\\u0000er"}', 400, [], "NUL character"),
    ("POST", "/contracts/publish", b"pacticipantName=reader", 415, [], "must be application/json"),
    ("PUT", "/pacts/provider/shelf/consumer/read%00er/version/1", json.dumps(pact()).encode(), 400,
     [], "NUL character"),
]  # fmt: skip


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)]
)
def refusing_broker(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One broker per database that is only ever sent requests it must refuse."""
    folder = tmp_path_factory.mktemp("intake")
    with contextlib.ExitStack() as stack:
        db = stack.enter_context(postgres_cluster()) if request.param == "postgresql" else None
        url = stack.enter_context(running_broker(folder, "--max-body", LIMIT_MIB, db=db))
        DATABASES[url] = db or str(folder / "broker.sqlite3")
        yield url


#: each refusing broker's database, read directly to see that nothing was stored
DATABASES: dict[str, str] = {}
TABLES = ("pacticipants", "versions", "branch_versions", "tags", "pact_contents",
          "publications", "verifications", "environments", "deployments")  # fmt: skip


def assert_nothing_stored(broker: str) -> None:
    assert httpx.get(f"{broker}/pacticipants").json()["pacticipants"] == []
    assert httpx.get(f"{broker}/pacts/latest").json()["pacts"] == []
    if broker in DATABASES:
        database = open_database(DATABASES[broker])
        try:
            with database.transaction(write=False) as tx:
                counts = {t: tx.one(f"SELECT COUNT(*) FROM {t}")[0] for t in TABLES}
        finally:
            database.close()
        assert counts == dict.fromkeys(TABLES, 0)


@pytest.mark.parametrize(("method", "path", "body", "status", "pointers", "detail"), CASES)
def test_a_hostile_body_is_refused_with_a_problem_and_nothing_is_stored(
    refusing_broker: str,
    method: str,
    path: str,
    body: bytes,
    status: int,
    pointers: list[str],
    detail: str,
) -> None:
    media = "application/x-www-form-urlencoded" if status == 415 else "application/json"
    answer = httpx.request(method, refusing_broker + path, content=body,
                           headers={"Content-Type": media})  # fmt: skip
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert detail in problem["detail"]
    assert [e["pointer"] for e in problem.get("errors", [])][: len(pointers)] == pointers
    assert_nothing_stored(refusing_broker)


def test_a_build_url_is_any_text_except_on_a_verification_result(broker: str) -> None:
    # the Pact Broker checks the URL of a verification result only; CI systems publish
    # build ids such as "ci-42" with their pacts and versions
    body = publish(reader_pact(), buildUrl="ci-42")
    json_type = {"Content-Type": "application/json"}
    answer = httpx.post(broker + "/contracts/publish", content=body, headers=json_type)
    assert answer.status_code in (200, 201), answer.text
    answer = httpx.put(broker + "/pacticipants/reader/versions/2", json={"buildUrl": "ci-43"})
    assert answer.status_code in (200, 201), answer.text


def test_each_problem_names_its_place_in_the_pact_as_sent(refusing_broker: str) -> None:
    text = json.dumps(bad_request(), indent=2).encode()
    answer = httpx.put(refusing_broker + PUT, content=text)
    errors = answer.json()["errors"]
    method = next(e for e in errors if e["pointer"] == "/interactions/0/request/method")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if b'"method": "FETCH"' in row)
    assert (method["line"], method["title"], method["status"]) == (line, "Validation error", 400)
    published = httpx.post(f"{refusing_broker}/contracts/publish", content=publish(bad_request()))
    inner = {e["pactPointer"] for e in published.json()["errors"]}
    assert inner == {"/interactions/0/request/method", "/interactions/0/response/status"}
    assert_nothing_stored(refusing_broker)


def test_an_oversized_body_is_refused_before_it_is_read(refusing_broker: str) -> None:
    host, port = refusing_broker.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"PUT {PUT} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {1 << 30}\r\n\r\n{{".encode())  # fmt: skip
        head = sock.recv(65536).decode("latin-1")  # answered with 1 GiB still to come
    assert head.startswith("HTTP/1.1 413 "), head
    assert httpx.put(refusing_broker + PUT, content=b"x" * 70_000).status_code == 413
    chunks = (b"x" * 8192 for _ in range(9))  # chunked: no Content-Length to refuse up front
    assert httpx.put(refusing_broker + PUT, content=chunks).status_code == 413
    assert_nothing_stored(refusing_broker)


def test_a_pact_with_hundreds_of_problems_gets_the_first_fifty(refusing_broker: str) -> None:
    many = reader_pact()
    many["interactions"] = [{"description": f"d{i}"} for i in range(200)]
    problem = httpx.put(refusing_broker + PUT, json=many).json()
    assert len(problem["errors"]) == 50
    assert problem["detail"].endswith("(and 399 more)")  # no request, no response
    assert problem["errors"][49]["pointer"] == "/interactions/24/response"
    assert_nothing_stored(refusing_broker)


def test_a_result_is_for_a_pact_between_the_parties_the_path_names(broker: str) -> None:
    assert httpx.put(broker + PUT, json=reader_pact()).status_code == 201
    sha = httpx.get(broker + PUT).json()["_links"]["self"]["href"].rsplit("/", 1)[1]
    result = {"success": True, "providerApplicationVersion": "s1", "buildUrl": "https://ci/1"}
    other = f"{broker}/pacts/provider/ledger/consumer/reader/pact-version/{sha}"
    assert httpx.post(other + "/verification-results", json=result).status_code == 404
    assert httpx.get(f"{broker}/pacticipants/ledger").status_code == 404  # not even a version
    right = f"{broker}/pacts/provider/shelf/consumer/reader/pact-version/{sha}"
    assert httpx.post(right + "/verification-results", json=result).status_code == 201


def test_the_official_cli_and_accord_publish_meet_the_same_checks(
    broker: str, tmp_path: Path
) -> None:
    """The Pact CLI sends a malformed pact (it reads the file into its own model and would
    panic on a string status, so the method is the flaw here) and logs the broker's problem;
    Accord's client refuses it before sending; both publish a good pact."""
    flawed = reader_pact()
    flawed["interactions"][0]["request"]["method"] = "FETCH"
    broken = write_pact(tmp_path, flawed, "broken.json")
    official = pact_cli("publish", str(broken), "-b", broker, "--consumer-app-version", "1",
                        "--log-level", "error")  # fmt: skip
    assert official.returncode != 0
    # it asks for application/hal+json, so the errors come keyed by path, which it prints
    assert "failed validation" in official.stdout, official.stdout + official.stderr
    assert (
        "contracts: content /interactions/0/request/method: `method` must be an HTTP"
        in official.stdout
    )
    ours = accord("publish", str(broken), "--broker", broker, "--version", "1")
    assert ours.returncode == 2, ours.stdout + ours.stderr
    assert "broken.json" in ours.stderr and "/interactions/0/request/method" in ours.stderr
    assert_nothing_stored(broker)
    good = write_pact(tmp_path, reader_pact())
    sent = pact_cli("publish", str(good), "-b", broker, "--consumer-app-version", "1")
    assert sent.returncode == 0, sent.stdout + sent.stderr
    again = accord("publish", str(good), "--broker", broker, "--version", "2")
    assert again.returncode == 0, again.stdout + again.stderr
    versions = httpx.get(f"{broker}/pacticipants/reader/versions").json()["_embedded"]["versions"]
    assert {v["number"] for v in versions} == {"1", "2"}


def test_a_client_that_does_not_accept_problems_gets_errors_keyed_by_path(
    refusing_broker: str,
) -> None:
    """As the Pact Broker negotiates it: ``errors`` listed with pointers for a client that
    accepts ``application/problem+json`` (or anything), keyed by path for one that names
    only other types, as the Pact CLI does."""
    body = publish_edited({"consumerName": None, "onConflict": "replace"})
    url = refusing_broker + "/contracts/publish"
    keyed = httpx.post(url, content=body, headers={"Accept": "application/hal+json"})
    assert keyed.status_code == 400
    assert keyed.headers["content-type"] == "application/json;charset=utf-8"
    assert keyed.json()["errors"] == {
        "contracts": [
            "consumerName required: a non-blank string, got None (at index 0)",
            "onConflict must be 'overwrite' or 'merge', got 'replace' (at index 0)",
        ]
    }
    for accept in ("application/hal+json, application/problem+json", "*/*"):
        listed = httpx.post(url, content=body, headers={"Accept": accept})
        assert listed.headers["content-type"] == "application/problem+json"
        assert [e["pointer"] for e in listed.json()["errors"]] == [
            "/contracts/0/consumerName",
            "/contracts/0/onConflict",
        ]
    assert_nothing_stored(refusing_broker)
