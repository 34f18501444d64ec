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
