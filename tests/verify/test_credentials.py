"""The credentials verify sends: ``--token`` wins; a shared token command runs once."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord._errors import AccordError
from accord.verify import VerifyOptions
from accord.verify._run import _Credentials
from accord.workspace import Workspace

CONTRACT = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
# appends to ./calls, prints tok-<number of calls so far>
COUNT = (
    "import pathlib; p = pathlib.Path('calls'); "
    "p.write_text(p.read_text() + 'x' if p.exists() else 'x'); "
    "print('tok-' + str(len(p.read_text())))"
)
TOKEN = f"{{token_command: ['{{python}}', -c, \"{COUNT}\"]}}"


def _workspace(tmp_path: Path, second: str) -> Workspace:
    (tmp_path / "contracts" / "openapi").mkdir(parents=True)
    (tmp_path / "contracts" / "openapi" / "a.yaml").write_text(CONTRACT)
    (tmp_path / "contracts" / "accord.yaml").write_text(
        "version: 1\nservices:\n"
        f"  a: {{contract: openapi/a.yaml, port: 9001, credentials: &t {TOKEN}}}\n"
        "  b: {contract: openapi/a.yaml, port: 9002, credentials: *t}\n"
        f"  c: {{contract: openapi/a.yaml, port: 9003{second}}}\n"
    )
    return Workspace.from_path(tmp_path)


def test_a_token_command_shared_by_services_runs_once(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, "")
    creds = _Credentials(ws, VerifyOptions())
    assert creds.headers("a") == {"Authorization": "Bearer tok-1"}
    assert creds.headers("b") == {"Authorization": "Bearer tok-1"}
    assert creds.headers("c") == {}  # no credentials named: none sent
    assert (tmp_path / "calls").read_text() == "x"
    assert _Credentials(ws, VerifyOptions(token="given")).headers("c") == {
        "Authorization": "Bearer given"
    }


def test_a_failing_resolution_fails_each_service_that_needs_it(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, ", credentials: {headers: {X-Key: '${NOT_SET_ANYWHERE}'}}")
    creds = _Credentials(ws, VerifyOptions())
    for _ in range(2):
        with pytest.raises(AccordError, match=r"needs \$NOT_SET_ANYWHERE"):
            creds.headers("c")
