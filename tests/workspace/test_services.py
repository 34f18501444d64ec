"""How services run: ``module``/``command``/``url``, provider states, credentials."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from accord._errors import AccordError, ManifestError
from accord.workspace import Workspace

CONTRACT = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"


def _workspace(tmp_path: Path, services: str) -> Workspace:
    (tmp_path / "contracts" / "openapi").mkdir(parents=True, exist_ok=True)
    (tmp_path / "contracts" / "openapi" / "a.yaml").write_text(CONTRACT)
    path = tmp_path / "contracts" / "accord.yaml"
    path.write_text("version: 1\nservices:\n" + textwrap.indent(textwrap.dedent(services), "  "))
    return Workspace.from_path(path)


def test_a_command_service_is_launched_with_its_placeholders(tmp_path: Path) -> None:
    ws = _workspace(
        tmp_path,
        """\
        a:
          contract: openapi/a.yaml
          port: 9001
          command: [node, server.js, --port, '{port}', '--store={db}']
          cwd: ../web
          env: {STORE: '{db}', MODE: test}
          health: /ready
          states: /_states
        """,
    )
    spec = ws.services["a"]
    with pytest.raises(AccordError, match=r"runs its command in .*web, which is not a folder"):
        spec.launch(ws.root, port=4321, db=Path("/tmp/x.json"))
    (tmp_path / "web").mkdir()
    launch = spec.launch(ws.root, port=4321, db=Path("/tmp/x.json"), provider_states=True)
    assert launch.argv == ("node", "server.js", "--port", "4321", "--store=/tmp/x.json")
    assert launch.env == {"STORE": "/tmp/x.json", "MODE": "test", "ACCORD_PROVIDER_STATES": "1"}
    assert launch.cwd == ws.base / "../web"
    assert launch.health == "http://127.0.0.1:4321/ready"
    assert spec.states_url("http://127.0.0.1:4321") == "http://127.0.0.1:4321/_states"
    # a relative storage path is made absolute: the command runs in its own folder
    relative = spec.launch(ws.root, port=4321, db=Path("reports/a/x.json"))
    assert relative.argv[-1] == f"--store={Path.cwd() / 'reports/a/x.json'}"


def test_a_module_service_keeps_the_python_command_line(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, "a: {contract: openapi/a.yaml, port: 9001, module: svc.a}\n")
    spec = ws.services["a"]
    launch = spec.launch(ws.root, port=5, db=Path("d.sqlite3"), provider_states=True)
    db = str(Path.cwd() / "d.sqlite3")  # absolute: whatever folder the service runs in
    assert launch.argv == (sys.executable, "-m", "svc.a", "--port", "5", "--db", db,
                           "--provider-states")  # fmt: skip
    assert spec.states_url("http://h:1") == "http://h:1/_accord/provider-states"


def test_ready_is_a_2xx_from_a_health_path_the_service_has(tmp_path: Path) -> None:
    """A declared ``health:`` (or a module's ``/healthz``) must answer 2xx; a command with
    none is ready on any answer below 500 from its base URL (it may have no /healthz)."""
    (tmp_path / "web").mkdir()
    ws = _workspace(
        tmp_path,
        """\
        declared: {contract: openapi/a.yaml, port: 9001, command: [x], health: /up}
        bare: {contract: openapi/a.yaml, port: 9002, command: [x]}
        module: {contract: openapi/a.yaml, port: 9003, module: svc.a}
        """,
    )
    found = {
        name: ws.services[name].launch(ws.root, port=7, db=Path("d"))
        for name in ("declared", "bare", "module")
    }
    assert [(launch.health, launch.require_2xx) for launch in found.values()] == [
        ("http://127.0.0.1:7/up", True),
        ("http://127.0.0.1:7/", False),
        ("http://127.0.0.1:7/healthz", True),
    ]
    process = found["declared"].process("declared", {"A": "1", "B": "1"}, overrides={"B": "2"})
    assert process.require_2xx and process.health == "http://127.0.0.1:7/up"
    assert process.env == {"A": "1", "B": "2"}
    assert ws.services["bare"].health == "/healthz"  # what the gateway's /readyz still asks


def test_a_url_service_is_not_started_and_says_how_to_reach_it(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, "a: {contract: openapi/a.yaml, port: 9001, url: 'http://x:80/'}\n")
    spec = ws.services["a"]
    assert spec.base_url() == "http://x:80"
    assert spec.states_url(spec.base_url()) is None  # none declared, none assumed
    with pytest.raises(AccordError, match=r"`command:`.*`--base-url`"):
        spec.launch(ws.root, port=1, db=Path("d"))


def test_module_and_command_together_is_an_error_at_the_second(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="both `module` and `command`") as info:
        _workspace(tmp_path, "a: {contract: openapi/a.yaml, port: 9001, module: m, command: [x]}\n")
    assert str(info.value.location).endswith("accord.yaml:3:65")


def test_env_without_a_command_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="`env` applies to a `command`"):
        _workspace(tmp_path, "a: {contract: openapi/a.yaml, port: 9001, env: {A: b}}\n")


def test_a_bad_health_path_names_its_line(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="health") as info:
        _workspace(tmp_path, "a:\n  contract: openapi/a.yaml\n  port: 9001\n  health: healthz\n")
    assert str(info.value.location).endswith("accord.yaml:6:13")


def test_credentials_headers_come_from_the_environment(tmp_path: Path) -> None:
    ws = _workspace(
        tmp_path,
        """\
        a:
          contract: openapi/a.yaml
          port: 9001
          credentials:
            headers: {X-Api-Key: '${A_KEY}', X-Tenant: 'shop-${TENANT}'}
        """,
    )
    creds = ws.services["a"].credentials
    assert creds is not None
    got = creds.resolve(ws.root, {"A_KEY": "k1", "TENANT": "eu"})
    assert got == {"X-Api-Key": "k1", "X-Tenant": "shop-eu"}
    with pytest.raises(AccordError, match=r"needs \$TENANT, which is not set") as info:
        creds.resolve(ws.root, {"A_KEY": "k1"})
    assert str(info.value.location).endswith("accord.yaml:6:5")


def test_a_token_command_gives_a_bearer_token(tmp_path: Path) -> None:
    ws = _workspace(
        tmp_path,
        """\
        a:
          contract: openapi/a.yaml
          port: 9001
          credentials:
            token_command: ['{python}', -c, 'print("tok.en.x")']
        b:
          contract: openapi/a.yaml
          port: 9002
          credentials:
            token_command: ['{python}', -c, 'import sys; sys.exit("no key")']
        """,
    )
    a, b = ws.services["a"].credentials, ws.services["b"].credentials
    assert a is not None and b is not None
    assert a.resolve(ws.root) == {"Authorization": "Bearer tok.en.x"}
    with pytest.raises(AccordError, match="exited with 1 and printed no token: no key"):
        b.resolve(ws.root)
