"""Accord's pytest plugin, run inside pytest: pacts written only on success, and the fixtures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import services.catalog.app

import accord.pytest_plugin

#: imported here, so the in-process runs share these modules instead of importing (and then
#: forgetting) their own copies: libyaml's C extension keeps the classes of the first copy
PRELOADED = (accord.pytest_plugin.__name__, services.catalog.app.__name__)
REPO = Path(__file__).resolve().parents[2]

PACT_TEST = """
import httpx
from pact import match

def expect(pact, description, product_id="prd_7Hx2Kq9LmN4p"):
    (
        pact.upon_receiving(description)
        .given(f"product {product_id} exists")
        .with_request("GET", f"/products/{product_id}")
        .will_respond_with(200)
        .with_body({"id": match.regex(product_id, regex="^prd_[A-Za-z0-9]{8,32}$")})
    )

def call(server, product_id="prd_7Hx2Kq9LmN4p"):
    return httpx.get(f"{server.url}/products/{product_id}").json()["id"]
"""


@pytest.fixture
def out(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder the inner runs write pacts to; plugins load only when named."""
    folder = pytester.path / "pacts-out"
    monkeypatch.setenv("ACCORD_PACTS_DIR", str(folder))
    monkeypatch.setenv("ACCORD_WORKSPACE", str(REPO))
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(pact_helpers=PACT_TEST)
    return folder


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", PRELOADED[0], "-p", "no:cacheprovider", *args)


def interactions(path: Path) -> list[str]:
    return [i["description"] for i in json.loads(path.read_text())["interactions"]]


TWO_PASSING = """
from pact_helpers import call, expect

def test_b(accord_pact):
    pact = accord_pact("shopper", "catalog")
    expect(pact, "b request")
    with pact.serve() as server:
        assert call(server) == "prd_7Hx2Kq9LmN4p"

def test_a(accord_pact):
    pact = accord_pact("shopper", "catalog")
    expect(pact, "a request")
    with pact.serve() as server:
        assert call(server) == "prd_7Hx2Kq9LmN4p"
"""


def test_a_passing_run_writes_one_sorted_file_per_pair(
    pytester: pytest.Pytester, out: Path
) -> None:
    pytester.makepyfile(test_pacts=TWO_PASSING)
    run(pytester).assert_outcomes(passed=2)
    written = out / "shopper-catalog.json"
    assert sorted(p.name for p in out.iterdir()) == ["shopper-catalog.json"]
    assert interactions(written) == ["a request", "b request"]
    first = written.read_bytes()
    run(pytester).assert_outcomes(passed=2)
    assert written.read_bytes() == first  # deterministic: nothing changes on a re-run
    assert json.loads(first)["metadata"]["pactSpecification"]["version"] == "4.0"


def test_a_failing_test_writes_nothing(pytester: pytest.Pytester, out: Path) -> None:
    pytester.makepyfile(
        test_pacts=TWO_PASSING
        + """
def test_c(accord_pact):
    pact = accord_pact("shopper", "catalog")
    expect(pact, "c request")
    with pact.serve() as server:
        assert call(server) == "prd_somethingElse"
"""
    )
    result = run(pytester)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["accord: pacts not written: 1 test(s) failed"])
    assert not out.exists()


def test_removed_interactions_and_stale_files_disappear(
    pytester: pytest.Pytester, out: Path
) -> None:
    pytester.makepyfile(test_pacts=TWO_PASSING)
    run(pytester).assert_outcomes(passed=2)
    stale = out / "someone-catalog.json"
    stale.write_text('{"consumer": {"name": "someone"}, "provider": {"name": "catalog"}}')
    (out / "notes.json").write_text('{"not": "a pact"}')
    pytester.makepyfile(test_pacts=TWO_PASSING.split("def test_a", maxsplit=1)[0])
    run(pytester).assert_outcomes(passed=1)
    assert interactions(out / "shopper-catalog.json") == ["b request"]
    assert sorted(p.name for p in out.iterdir()) == ["notes.json", "shopper-catalog.json"]


def test_a_pact_never_served_is_an_error(pytester: pytest.Pytester, out: Path) -> None:
    pytester.makepyfile(
        test_pacts="""
from pact_helpers import expect

def test_forgets_to_serve(accord_pact):
    expect(accord_pact("shopper", "catalog"), "a request")
"""
    )
    result = run(pytester)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*was never served*"])
    assert not out.exists()


def test_an_interaction_never_called_fails(pytester: pytest.Pytester, out: Path) -> None:
    pytester.makepyfile(
        test_pacts="""
from pact_helpers import expect

def test_serves_but_never_calls(accord_pact):
    pact = accord_pact("shopper", "catalog")
    expect(pact, "a request")
    with pact.serve():
        pass
"""
    )
    run(pytester).assert_outcomes(failed=1)
    assert not out.exists()


def test_deselected_pact_tests_write_nothing(pytester: pytest.Pytester, out: Path) -> None:
    pytester.makepyfile(test_pacts=TWO_PASSING)
    result = run(pytester, "-k", "test_a")
    result.assert_outcomes(passed=1, deselected=1)
    result.stdout.fnmatch_lines(["accord: pacts not written: 1 pact test(s) were deselected"])
    assert not out.exists()


def test_without_a_folder_pacts_go_to_the_workspace(
    pytester: pytest.Pytester, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ACCORD_PACTS_DIR")
    monkeypatch.delenv("ACCORD_WORKSPACE")
    contracts = pytester.path / "contracts"
    (contracts / "openapi").mkdir(parents=True)
    shutil.copy(REPO / "contracts/openapi/catalog.yaml", contracts / "openapi/catalog.yaml")
    (contracts / "accord.yaml").write_text(
        "version: 1\nservices:\n  catalog:\n    contract: openapi/catalog.yaml\n    port: 8101\n"
        "consumers:\n  shopper:\n    consumes: [catalog]\n"
    )
    other = contracts / "pacts" / "other-catalog.json"
    other.parent.mkdir()
    other.write_text('{"consumer": {"name": "other"}, "provider": {"name": "catalog"}}')
    pytester.makepyfile(test_pacts=TWO_PASSING)
    run(pytester).assert_outcomes(passed=2)
    assert interactions(contracts / "pacts/shopper-catalog.json") == ["a request", "b request"]
    assert other.exists()  # only an explicit folder is owned by the run


def test_the_workspace_fixture(pytester: pytest.Pytester, out: Path) -> None:
    pytester.makepyfile(
        """
def test_workspace(accord_workspace):
    assert sorted(accord_workspace.services) == ["catalog", "orders", "payments", "reviews"]
    assert "storefront" in accord_workspace.consumers
"""
    )
    run(pytester).assert_outcomes(passed=1)


def test_clients_bound_to_an_app(pytester: pytest.Pytester, out: Path) -> None:
    pytester.makepyfile(
        """
import asyncio
from accord.runtime import mint_token
from services.catalog.app import create



def _token() -> str:
    return mint_token({"sub": "t", "scope": "catalog:read"}, "s")

def test_sync(accord_client, tmp_path):
    catalog = accord_client("catalog", app=create(tmp_path / "c.sqlite3"), token=_token())
    assert type(catalog).__name__ == "CatalogClient"
    assert catalog.list_products().items == []

def test_async(accord_client, tmp_path):
    catalog = accord_client(
        "catalog", app=create(tmp_path / "c.sqlite3"), asynchronous=True, token=_token()
    )
    assert type(catalog).__name__ == "AsyncCatalogClient"
    assert asyncio.run(catalog.list_products()).items == []

def test_unknown_service(accord_client):
    accord_client("shipping")
"""
    )
    result = run(pytester)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*accord_client: no service 'shipping' (services: catalog*"])


def test_a_mock_on_a_free_port(pytester: pytest.Pytester, out: Path) -> None:
    pytester.makepyfile(
        """
import httpx

def test_mock(accord_mock, accord_client):
    mock = accord_mock("catalog", seed=3)
    assert mock.url.startswith("http://127.0.0.1:")
    catalog = accord_client("catalog", mock.url, token="anything")
    product = catalog.get_product("prd_7Hx2Kq9LmN4p")
    assert product.id.root.startswith("prd_")
    refused = httpx.get(mock.url + "/products?limit=1000", headers={"Authorization": "Bearer x"})
    assert refused.status_code == 400
    mock.reset()
"""
    )
    run(pytester).assert_outcomes(passed=1)
