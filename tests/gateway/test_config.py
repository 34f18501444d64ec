"""Settings from the real ``accord.yaml``, the gateway over the shop's own contracts, the CLI."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest

from accord._errors import AccordError
from accord.cli import main
from accord.gateway import GatewayApp, GatewayConfig, RateLimit, hash_password
from accord.workspace import Workspace
from tests.gateway.conftest import Echo, gateway, one

REPO = Path(__file__).resolve().parents[2]
ENV = {"ACCORD_JWT_SECRET": "s" * 40}


def _workspace() -> Workspace:
    return Workspace.from_path(REPO / "contracts" / "accord.yaml")


def test_settings_come_from_accord_yaml() -> None:
    cfg = GatewayConfig.from_workspace(
        _workspace(), upstreams={"orders": "http://10.1.2.3:9000/"}, environ=ENV
    )
    assert cfg.upstreams == {
        "catalog": "http://127.0.0.1:8101",
        "orders": "http://10.1.2.3:9000",
        "payments": "http://127.0.0.1:8103",
        "reviews": "http://127.0.0.1:8104",  # the Node service, by its port
    }
    assert cfg.validate_requests is True and cfg.validate_responses == "log"
    assert cfg.rate_limit == RateLimit(50.0, 100)
    assert (cfg.connect_timeout, cfg.read_timeout) == (1.0, 5.0)
    assert cfg.auth.issuer == "https://auth.shop.invalid" and cfg.auth.audience == "shop"
    assert cfg.auth.secret == ENV["ACCORD_JWT_SECRET"]


def test_missing_secret_and_unknown_upstream_are_clear_errors() -> None:
    with pytest.raises(AccordError, match=r"\$ACCORD_JWT_SECRET is not set"):
        GatewayConfig.from_workspace(_workspace(), environ={})
    with pytest.raises(AccordError, match="no such service"):
        GatewayConfig.from_workspace(_workspace(), upstreams={"nope": "http://x"}, environ=ENV)


def test_the_shop_contracts_route_and_require_their_scopes() -> None:
    workspace = _workspace()
    cfg = GatewayConfig.from_workspace(workspace, environ=ENV)

    echoes = {name: Echo(name) for name in workspace.services}
    transports = {n: httpx.ASGITransport(app=e) for n, e in echoes.items()}
    app = GatewayApp.from_workspace(workspace, cfg, transports=transports)
    assert app.warm() > 0
    response = one(app, "GET", "/orders/ord_Q4m8TzR2vW6y")
    assert response.status_code == 401
    assert not echoes["orders"].seen


def test_gateway_app_needs_an_upstream_per_contract() -> None:
    app, _ = gateway()
    with pytest.raises(ValueError, match="no upstream URL for beta"):
        GatewayApp(app.contracts, GatewayConfig(upstreams={"alpha": "http://a"}))


@pytest.mark.parametrize(
    "argv",
    [
        ["gateway", "--upstream", "catalog"],
        ["gateway", "--upstream", "catalog=ftp://x"],
        ["up", "--mock", "nosuch"],
    ],
)
def test_cli_refuses_bad_arguments(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("ACCORD_JWT_SECRET", ENV["ACCORD_JWT_SECRET"])
    assert main(argv) == 2


def _tmp_workspace(tmp_path: Path, gateway_yaml: str) -> Workspace:
    (tmp_path / "svc.yaml").write_text(
        "openapi: 3.1.0\ninfo: {title: svc, version: '1'}\npaths: {}\n"
    )
    (tmp_path / "accord.yaml").write_text(
        "version: 1\nname: t\nservices:\n  svc: {contract: svc.yaml, port: 9001, module: m}\n"
        f"gateway:\n  port: 9000\n{gateway_yaml}"
    )
    return Workspace.from_path(tmp_path / "accord.yaml")


def test_api_keys_basic_users_and_the_unauthenticated_limit_come_from_accord_yaml(
    tmp_path: Path,
) -> None:
    hashed = hash_password("pw", salt=b"0123456789abcdef")
    workspace = _tmp_workspace(
        tmp_path,
        "  auth:\n    api_keys_env: SHOP_API_KEYS\n"
        f"    basic_users: {{bob: '{hashed}'}}\n"
        "  rate_limit:\n    unauthenticated: {requests_per_second: 2, burst: 5}\n",
    )
    env = {**ENV, "SHOP_API_KEYS": "ci=key-one, key-two"}
    cfg = GatewayConfig.from_workspace(workspace, environ=env)
    digest = hashlib.sha256(b"key-one").hexdigest()
    assert cfg.auth.api_keys == {digest: "ci", hashlib.sha256(b"key-two").hexdigest(): "key2"}
    assert cfg.auth.basic_users == {"bob": hashed}
    assert cfg.unauthenticated_limit == RateLimit(2.0, 5)
    with pytest.raises(AccordError, match=r"\$SHOP_API_KEYS is not set"):
        GatewayConfig.from_workspace(workspace, environ=ENV)


def test_a_plain_text_password_is_refused_by_the_schema(tmp_path: Path) -> None:
    with pytest.raises(AccordError, match="basic_users"):
        _tmp_workspace(tmp_path, "  auth:\n    basic_users: {bob: hunter2}\n")


def test_a_service_declared_by_url_is_the_gateway_s_upstream(tmp_path: Path) -> None:
    (tmp_path / "contracts" / "openapi").mkdir(parents=True)
    (tmp_path / "contracts" / "openapi" / "a.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: a, version: '1'}\npaths: {}\n"
    )
    (tmp_path / "contracts" / "accord.yaml").write_text(
        "version: 1\nservices:\n  a:\n    contract: openapi/a.yaml\n    port: 9001\n"
        "    url: https://a.staging.example/\n"
    )
    cfg = GatewayConfig.from_workspace(Workspace.from_path(tmp_path), environ=ENV)
    assert cfg.upstreams == {"a": "https://a.staging.example"}
