"""The workspace manifest, contracts/accord.yaml (accord.workspace._manifest)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from accord._errors import AccordError, LoadError, ManifestError
from accord.core import Contract
from accord.workspace import ConsumerSpec, ServiceSpec, Workspace, load_workspace

REPO = Path(__file__).resolve().parents[2]
REAL_MANIFEST = REPO / "contracts" / "accord.yaml"

TINY_CONTRACT = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A scratch repository with contracts/openapi/{a,b}.yaml and no manifest yet."""
    openapi = tmp_path / "contracts" / "openapi"
    openapi.mkdir(parents=True)
    for name in ("a", "b"):
        (openapi / f"{name}.yaml").write_text(TINY_CONTRACT, encoding="utf-8")
    return tmp_path


def _manifest(repo: Path, text: str) -> Path:
    path = repo / "contracts" / "accord.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _error(repo: Path, text: str) -> ManifestError:
    path = _manifest(repo, text)
    with pytest.raises(ManifestError) as info:
        Workspace.from_path(path)
    assert info.value.location is not None
    assert info.value.location.file.endswith("accord.yaml")
    return info.value


def _line_of(repo: Path, needle: str) -> int:
    lines = (repo / "contracts" / "accord.yaml").read_text().splitlines()
    [found] = [n for n, line in enumerate(lines, 1) if needle in line]
    return found


# the real manifest ----------------------------------------------------------------------


def test_the_real_manifest_loads() -> None:
    ws = Workspace.from_path(REAL_MANIFEST)
    assert ws.name == "shop"
    assert sorted(ws.services) == ["catalog", "orders", "payments", "reviews"]
    assert list(ws.consumers) == ["storefront", "web", "shipping", "notifications"]
    assert ws.consumers_of("catalog") == ["orders", "storefront", "web"]
    assert ws.consumers_of("reviews") == ["storefront"]
    assert ws.consumers_of("payments") == ["orders"]
    assert ws.consumers_of("orders") == ["notifications", "shipping", "storefront"]
    assert ws.services["orders"].events == REPO / "contracts" / "asyncapi" / "orders.yaml"
    events = ws.events("orders")
    assert events is not None and {op.action for op in events.operations} == {"send"}
    assert ws.events("catalog") is None
    assert ws.root == REPO
    assert ws.pacts_dir == REPO / "contracts" / "pacts"


def test_the_real_manifest_services_and_gateway() -> None:
    ws = Workspace.from_path(REAL_MANIFEST)
    orders = ws.services["orders"]
    assert isinstance(orders, ServiceSpec)
    assert (orders.name, orders.contract, orders.port, orders.module, orders.consumes) == (
        "orders",
        REPO / "contracts" / "openapi" / "orders.yaml",
        8102,
        "services.orders",
        ("catalog", "payments"),
    )
    assert orders.events == REPO / "contracts" / "asyncapi" / "orders.yaml"
    assert orders.credentials is not None
    assert orders.credentials.token_command == ("{python}", "-m", "accord", "token")
    assert ws.consumers["storefront"] == ConsumerSpec(
        "storefront", ("orders", "catalog", "reviews"), "services.storefront"
    )
    reviews = ws.services["reviews"]  # JavaScript on Node, started by its command
    assert reviews.module is None
    assert reviews.command == ("node", "server.js", "--port", "{port}", "--db", "{db}")
    assert reviews.cwd is not None and (reviews.cwd / "server.js").is_file()
    web = ws.consumers["web"].tests
    assert web is not None and web.command[0] == "npm" and (web.cwd / "package.json").is_file()
    assert ws.gateway is not None
    assert ws.gateway.port == 8100
    assert ws.gateway.settings["validate_responses"] == "log"
    ports = {s.port for s in ws.services.values()} | {ws.gateway.port}
    assert len(ports) == 5


def test_the_real_manifest_contracts_load() -> None:
    ws = Workspace.from_path(REPO)  # a directory holding contracts/accord.yaml
    for name in ws.services:
        contract = ws.contract(name)
        assert isinstance(contract, Contract)
        assert contract.operations, f"{name} has no operations"
        assert ws.contract(name) is contract  # loaded once


# a tiny valid workspace -----------------------------------------------------------------


def test_minimal_manifest_with_defaults(repo: Path) -> None:
    path = _manifest(
        repo,
        """\
        version: 1
        services:
          a: {contract: openapi/a.yaml, port: 8001}
          b: {contract: openapi/b.yaml, port: 8002, consumes: [a]}
        """,
    )
    ws = Workspace.from_path(path)
    assert ws.name == repo.name  # defaults to the repository folder
    assert ws.consumers == {}
    assert ws.gateway is None
    assert ws.consumers_of("a") == ["b"]
    assert ws.consumers_of("b") == []
    assert ws.pacts_dir == repo / "contracts" / "pacts"
    assert ws.mocks_dir == repo / "contracts" / ".." / "mocks"
    assert ws.pact_paths() == []
    assert ws.contract("a").operations == ()


def test_discover_from_a_nested_directory(repo: Path) -> None:
    _manifest(repo, "version: 1\nservices:\n  a: {contract: openapi/a.yaml, port: 8001}\n")
    nested = repo / "services" / "a" / "deep"
    nested.mkdir(parents=True)
    ws = Workspace.discover(nested)
    assert ws is not None
    assert ws.manifest == (repo / "contracts" / "accord.yaml").resolve()
    assert ws.root == repo.resolve()
    assert list(ws.services) == ["a"]


def test_discover_without_a_manifest_is_none(tmp_path: Path) -> None:
    assert Workspace.discover(tmp_path) is None


def test_load_workspace_from_cwd_without_manifest_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AccordError, match="no workspace here"):
        load_workspace()


def test_pact_paths_lists_json_files(repo: Path) -> None:
    _manifest(
        repo, "version: 1\npacts: pacts\nservices:\n  a: {contract: openapi/a.yaml, port: 1}\n"
    )
    pacts = repo / "contracts" / "pacts"
    pacts.mkdir()
    (pacts / "web-a.json").write_text("{}")
    (pacts / "notes.txt").write_text("x")
    ws = Workspace.from_path(repo)
    assert [p.name for p in ws.pact_paths()] == ["web-a.json"]


# invalid manifests ----------------------------------------------------------------------


def test_unknown_top_level_key_names_its_line(repo: Path) -> None:
    error = _error(
        repo,
        """\
        version: 1
        services:
          a: {contract: openapi/a.yaml, port: 8001}
        colour: blue
        """,
    )
    assert "colour" in error.message
    assert error.location is not None
    assert error.location.line == _line_of(repo, "colour")


def test_unknown_service_key_is_reported_inside_that_service(repo: Path) -> None:
    error = _error(
        repo,
        """\
        version: 1
        services:
          a:
            contract: openapi/a.yaml
            port: 8001
            colour: blue
        """,
    )
    assert "colour" in error.message
    assert error.location is not None
    assert error.location.pointer.startswith("/services/a")


@pytest.mark.parametrize("port", ['"8001"', "80.5", "0", "70000"])
def test_port_must_be_an_integer_in_range(repo: Path, port: str) -> None:
    error = _error(
        repo,
        f"""\
        version: 1
        services:
          a:
            contract: openapi/a.yaml
            port: {port}
        """,
    )
    assert error.location is not None
    assert error.location.pointer == "/services/a/port"
    assert error.location.line == 5
    assert "invalid manifest" in error.message


def test_version_must_be_1(repo: Path) -> None:
    error = _error(repo, "version: 2\nservices:\n  a: {contract: openapi/a.yaml, port: 1}\n")
    assert error.location is not None
    assert error.location.pointer == "/version"
    assert error.location.line == 1


def test_missing_services_is_an_error(repo: Path) -> None:
    error = _error(repo, "version: 1\n")
    assert "services" in error.message


def test_manifest_that_is_not_a_mapping_is_an_error(repo: Path) -> None:
    error = _error(repo, "- version\n- services\n")
    assert "mapping" in error.message


def test_consumer_of_unknown_service(repo: Path) -> None:
    error = _error(
        repo,
        """\
        version: 1
        services:
          a: {contract: openapi/a.yaml, port: 8001}
        consumers:
          web:
            consumes: [a, billing]
        """,
    )
    assert "'billing'" in error.message
    assert "known: a" in error.message
    assert error.location is not None
    assert error.location.pointer == "/consumers/web/consumes/1"
    assert error.location.line == 6


def test_service_consuming_unknown_service(repo: Path) -> None:
    error = _error(
        repo,
        """\
        version: 1
        services:
          a:
            contract: openapi/a.yaml
            port: 8001
            consumes: [ghost]
        """,
    )
    assert error.location is not None
    assert error.location.pointer == "/services/a/consumes/0"
    assert error.location.line == 6


def test_service_cannot_consume_itself(repo: Path) -> None:
    error = _error(
        repo, "version: 1\nservices:\n  a: {contract: openapi/a.yaml, port: 1, consumes: [a]}\n"
    )
    assert "cannot consume itself" in error.message


def test_duplicate_port(repo: Path) -> None:
    error = _error(
        repo,
        """\
        version: 1
        services:
          a: {contract: openapi/a.yaml, port: 8001}
          b:
            contract: openapi/b.yaml
            port: 8001
        """,
    )
    assert "port 8001 is already used by service 'a'" in error.message
    assert error.location is not None
    assert error.location.pointer == "/services/b/port"
    assert error.location.line == 6


def test_gateway_port_clashing_with_a_service(repo: Path) -> None:
    error = _error(
        repo,
        """\
        version: 1
        services:
          a: {contract: openapi/a.yaml, port: 8001}
        gateway:
          port: 8001
        """,
    )
    assert error.location is not None
    assert error.location.pointer == "/gateway/port"
    assert error.location.line == 5


def test_missing_contract_file(repo: Path) -> None:
    error = _error(
        repo,
        """\
        version: 1
        services:
          a:
            contract: openapi/nope.yaml
            port: 8001
        """,
    )
    assert "'openapi/nope.yaml' does not exist" in error.message
    assert error.location is not None
    assert error.location.pointer == "/services/a/contract"
    assert error.location.line == 4


def test_consumer_that_is_also_a_service(repo: Path) -> None:
    error = _error(
        repo,
        """\
        version: 1
        services:
          a: {contract: openapi/a.yaml, port: 8001}
          b: {contract: openapi/b.yaml, port: 8002}
        consumers:
          b: {consumes: [a]}
        """,
    )
    assert "is a service already" in error.message
    assert error.location is not None
    assert error.location.pointer == "/consumers/b"


def test_malformed_manifest_is_a_load_error(repo: Path) -> None:
    path = _manifest(repo, "version: 1\nservices: [\n")
    with pytest.raises(LoadError):
        Workspace.from_path(path)
