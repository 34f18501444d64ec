"""``accord.pacts`` (merge, write, compare) and ``accord pacts [--check]`` on a small workspace."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from accord.cli import main
from accord.pacts import (
    PactMergeError,
    compare_pacts,
    dump_pact,
    merge_pacts,
    read_pact_dir,
    write_pacts,
)

REPO = Path(__file__).resolve().parents[2]


def pact(*descriptions: str, status: int = 200, rust: str = "0.5.12") -> dict[str, Any]:
    return {
        "consumer": {"name": "shopper"},
        "provider": {"name": "catalog"},
        "interactions": [
            {
                "description": d,
                "providerStates": [{"name": "product prd_7Hx2Kq9LmN4p exists"}],
                "request": {"method": "GET", "path": "/products/prd_7Hx2Kq9LmN4p"},
                "response": {"status": status},
                "type": "Synchronous/HTTP",
            }
            for d in descriptions
        ],
        "metadata": {"pactRust": {"ffi": rust}, "pactSpecification": {"version": "4.0"}},
    }


def test_merge_sorts_and_dedupes_per_pair() -> None:
    merged = merge_pacts([pact("b", "a"), pact("a"), pact("c")])
    assert list(merged) == ["shopper-catalog.json"]
    assert [i["description"] for i in merged["shopper-catalog.json"]["interactions"]] == [
        "a",
        "b",
        "c",
    ]


def test_merge_refuses_one_interaction_described_twice() -> None:
    with pytest.raises(PactMergeError, match="interaction 'a' is described twice"):
        merge_pacts([pact("a"), pact("a", status=404)])


def test_written_files_are_deterministic(tmp_path: Path) -> None:
    assert dump_pact(pact("b", "a")) == dump_pact(pact("a", "b"))
    docs = merge_pacts([pact("a")])
    assert write_pacts(tmp_path, docs, clean=True) == [tmp_path / "shopper-catalog.json"]
    assert write_pacts(tmp_path, docs, clean=True) == []  # unchanged files are not rewritten
    assert (tmp_path / "shopper-catalog.json").read_text() == dump_pact(
        docs["shopper-catalog.json"]
    )
    assert read_pact_dir(tmp_path)["shopper-catalog.json"]["interactions"][0]["description"] == "a"


def test_compare_ignores_library_versions_only(tmp_path: Path) -> None:
    produced, committed = tmp_path / "produced", tmp_path / "committed"
    write_pacts(produced, merge_pacts([pact("a", "b")]), clean=True)
    write_pacts(committed, merge_pacts([pact("b", "a", rust="0.4.0")]), clean=True)
    assert compare_pacts(produced, committed).clean
    write_pacts(committed, merge_pacts([pact("a", "b", status=201)]), clean=True)
    drift = compare_pacts(produced, committed)
    assert drift.lines("pacts") == [
        "pacts/shopper-catalog.json: differs: at /interactions/0/response/status:"
        " committed 201, the tests write 200"
    ]
    write_pacts(committed, merge_pacts([pact("a", "gone")]), clean=True)
    assert compare_pacts(produced, committed).changed == (
        (
            "shopper-catalog.json",
            "interaction 'gone' is no longer produced; interaction 'b' is new",
        ),
    )
    (committed / "shopper-catalog.json").rename(committed / "old-catalog.json")
    drift = compare_pacts(produced, committed)
    assert (drift.missing, drift.extra) == (("shopper-catalog.json",), ("old-catalog.json",))


CONSUMER_TEST = """
import httpx

def test_product(accord_pact):
    pact = accord_pact("shopper", "catalog")
    (
        pact.upon_receiving("a request for a product")
        .given("product prd_7Hx2Kq9LmN4p exists")
        .with_request("GET", "/products/prd_7Hx2Kq9LmN4p")
        .will_respond_with(200)
        .with_body({"id": "prd_7Hx2Kq9LmN4p"}, "application/json")
    )
    with pact.serve() as server:
        assert httpx.get(f"{server.url}/products/prd_7Hx2Kq9LmN4p").json()["id"] == ID
"""
CONFTEST = """
import accord.pytest_plugin

def pytest_configure(config):
    if not config.pluginmanager.is_registered(accord.pytest_plugin):
        config.pluginmanager.register(accord.pytest_plugin, "accord")
"""


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A one-service workspace with one consumer test, as the current directory."""
    contracts = tmp_path / "contracts"
    (contracts / "openapi").mkdir(parents=True)
    shutil.copy(REPO / "contracts/openapi/catalog.yaml", contracts / "openapi/catalog.yaml")
    (contracts / "accord.yaml").write_text(
        "version: 1\nservices:\n  catalog:\n    contract: openapi/catalog.yaml\n    port: 8101\n"
    )
    tests = tmp_path / "tests" / "consumers"
    tests.mkdir(parents=True)
    (tests / "conftest.py").write_text(CONFTEST)
    (tests / "test_shopper.py").write_text('ID = "prd_7Hx2Kq9LmN4p"\n' + CONSUMER_TEST)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ACCORD_PACTS_DIR", raising=False)
    return tmp_path


def test_check_names_drift_and_the_fix(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pacts", "--check"]) == 1
    out, err = capsys.readouterr()
    assert "contracts/pacts/shopper-catalog.json: missing" in out
    assert "run `make pacts` (or `accord pacts`)" in err
    assert main(["pacts"]) == 0
    written = workspace / "contracts/pacts/shopper-catalog.json"
    assert json.loads(written.read_text())["interactions"][0]["description"] == (
        "a request for a product"
    )
    assert main(["pacts", "--check"]) == 0
    written.write_text(written.read_text().replace('"status": 200', '"status": 203'))
    assert main(["pacts", "--check"]) == 1
    out, _ = capsys.readouterr()
    assert "differs: at /interactions/0/response/status: committed 203, the tests write 200" in out


def test_failing_consumer_tests_write_nothing(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    test = workspace / "tests/consumers/test_shopper.py"
    test.write_text('ID = "prd_other"\n' + CONSUMER_TEST)
    assert main(["pacts"]) == 1
    _, err = capsys.readouterr()
    assert "the consumer tests failed (exit 1); no pact was written" in err
    assert "accord: pacts not written: 1 test(s) failed" in err
    assert not (workspace / "contracts/pacts").exists()


# pacts from anywhere: only the tested consumers' pacts are managed -------------------------


def test_clean_writes_remove_only_the_owners_pacts(tmp_path: Path) -> None:
    foreign = {**pact("x"), "consumer": {"name": "partner"}}
    write_pacts(tmp_path, merge_pacts([pact("a"), foreign]), clean=False)
    stale = {**pact("y"), "provider": {"name": "payments"}}
    write_pacts(tmp_path, merge_pacts([stale]), clean=False)
    changed = write_pacts(tmp_path, merge_pacts([pact("b")]), clean=True, owners={"shopper"})
    assert sorted(p.name for p in tmp_path.glob("*.json")) == [
        "partner-catalog.json",
        "shopper-catalog.json",
    ]
    assert tmp_path / "shopper-payments.json" in changed


def test_compare_with_owners_keeps_other_consumers_pacts(tmp_path: Path) -> None:
    produced, committed = tmp_path / "produced", tmp_path / "committed"
    write_pacts(produced, merge_pacts([pact("a")]), clean=False)
    foreign = {**pact("x"), "consumer": {"name": "partner"}}
    stale = {**pact("y"), "provider": {"name": "payments"}}
    write_pacts(committed, merge_pacts([pact("a"), foreign, stale]), clean=False)
    drift = compare_pacts(produced, committed, owners={"shopper"})
    assert drift.foreign == ("partner-catalog.json",)
    assert drift.extra == ("shopper-payments.json",)  # a tested consumer's pact nobody writes
    assert compare_pacts(produced, committed).extra == (
        "partner-catalog.json",
        "shopper-payments.json",
    )


@pytest.mark.slow
def test_pacts_keeps_a_pact_js_pact_it_did_not_write(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pacts = workspace / "contracts/pacts"
    pacts.mkdir()
    written_elsewhere = {**pact("from pact-js"), "consumer": {"name": "partner"}}
    (pacts / "partner-catalog.json").write_text(json.dumps(written_elsewhere))
    assert main(["pacts", "--check"]) == 1
    out, err = capsys.readouterr()
    assert "shopper-catalog.json: missing" in out and "partner" not in out
    assert "partner-catalog.json: kept (consumer 'partner' has no test suite here" in err
    assert main(["pacts"]) == 0
    assert json.loads((pacts / "partner-catalog.json").read_text()) == written_elsewhere
    assert main(["pacts", "--check"]) == 0


SUITE = """\
import json, os, pathlib, sys
doc = {"consumer": {"name": "web"}, "provider": {"name": "catalog"}, "interactions": [
    {"description": sys.argv[1], "request": {"method": "GET", "path": "/products"},
     "response": {"status": 200}, "type": "Synchronous/HTTP"}],
    "metadata": {"pactSpecification": {"version": "4.0"}, "pact-js": {"version": "1"}}}
if sys.argv[1] != "nothing":
    pathlib.Path(os.environ["ACCORD_PACTS_DIR"], "web-catalog.json").write_text(json.dumps(doc))
sys.exit(1 if sys.argv[1] == "fail" else 0)
"""


def _declare_suite(workspace: Path, what: str) -> None:
    (workspace / "web").mkdir(exist_ok=True)
    (workspace / "web" / "suite.py").write_text(SUITE)
    manifest = workspace / "contracts/accord.yaml"
    text = manifest.read_text().split("consumers:")[0]
    manifest.write_text(
        text + "consumers:\n  web:\n    consumes: [catalog]\n    tests:\n"
        f"      command: ['{{python}}', suite.py, '{what}']\n      cwd: ../web\n"
    )


def test_pacts_runs_the_declared_suites_of_any_language(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(workspace / "tests")  # no Python consumer tests: the declared suite alone
    _declare_suite(workspace, "a request from the web front end")
    assert main(["pacts"]) == 0
    pacts = workspace / "contracts/pacts"
    assert sorted(p.name for p in pacts.glob("*.json")) == ["web-catalog.json"]
    assert main(["pacts", "--check"]) == 0
    _declare_suite(workspace, "another request")
    assert main(["pacts", "--check"]) == 1
    out, _ = capsys.readouterr()
    assert "web-catalog.json: differs: interaction 'a request from the web front end'" in out
    before = (pacts / "web-catalog.json").read_text()
    _declare_suite(workspace, "fail")
    assert main(["pacts"]) == 1
    _, err = capsys.readouterr()
    assert "web's consumer tests failed (exit 1); no pact was written" in err
    assert (pacts / "web-catalog.json").read_text() == before
    _declare_suite(workspace, "nothing")
    assert main(["pacts", "--check"]) == 1
    _, err = capsys.readouterr()
    assert "passed but wrote no pact into $ACCORD_PACTS_DIR" in err
