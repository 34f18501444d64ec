"""``accord crosscheck`` run as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

SPEC = """\
openapi: 3.0.3
info: {title: users, version: "1"}
paths:
  /users/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: {type: integer}
"""


def _pact(body: Any, path: str = "/users/1") -> dict[str, Any]:
    return {
        "consumer": {"name": "web"},
        "provider": {"name": "users"},
        "interactions": [
            {
                "description": "get a user",
                "request": {"method": "GET", "path": path},
                "response": {"status": 200, "body": body},
            }
        ],
        "metadata": {"pactSpecification": {"version": "2.0.0"}},
    }


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "accord", "crosscheck", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
        timeout=60,
    )


def _files(tmp_path: Path, body: Any) -> tuple[Path, Path]:
    spec = tmp_path / "users.yaml"
    spec.write_text(SPEC)
    pact = tmp_path / "web-users.json"
    pact.write_text(json.dumps(_pact(body), indent=2))
    return spec, pact


def test_a_compatible_pact_exits_0(tmp_path: Path) -> None:
    spec, pact = _files(tmp_path, {"id": 1})
    done = _run(str(spec), str(pact), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "0 error(s)" in done.stderr


def test_text_output_is_compiler_style(tmp_path: Path) -> None:
    spec, pact = _files(tmp_path, {"id": "one"})
    done = _run(str(spec), str(pact), cwd=tmp_path)
    assert done.returncode == 1
    line = done.stdout.strip()
    assert line.startswith("web-users.json:18:17: ")
    assert "error response.body.incompatible:" in line
    assert line.endswith("(spec: users.yaml:13:15)")


def test_json_output_and_strictness_flags(tmp_path: Path) -> None:
    spec, pact = _files(tmp_path, {"id": 1, "extra": True})
    done = _run(str(spec), str(pact), "--format", "json", cwd=tmp_path)
    assert done.returncode == 1
    [finding] = json.loads(done.stdout)["findings"]
    assert finding["code"] == "response.body.incompatible"
    assert finding["severity"] == "error"
    assert finding["pact_location"] == "[root].interactions[0].response.body"
    assert finding["spec_location"].startswith("[root].paths./users/{id}.get.responses.200")
    assert (finding["pact_file"], finding["pact_line"]) == ("web-users.json", 17)
    assert (finding["spec_file"], finding["spec_line"]) == ("users.yaml", 13)
    relaxed = _run(str(spec), str(pact), "--additional-properties-in-response", cwd=tmp_path)
    assert relaxed.returncode == 0, relaxed.stdout


def test_unusable_input_exits_2_without_traceback(tmp_path: Path) -> None:
    spec, _ = _files(tmp_path, {})
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    done = _run(str(spec), str(broken), cwd=tmp_path)
    assert done.returncode == 2
    assert "broken.json:1:" in done.stderr
    assert "Traceback" not in done.stderr
    swagger = tmp_path / "old.yaml"
    swagger.write_text("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n")
    assert _run(str(swagger), str(broken), cwd=tmp_path).returncode == 2


def test_workspace_mode_checks_every_pact(tmp_path: Path) -> None:
    contracts = tmp_path / "contracts"
    (contracts / "openapi").mkdir(parents=True)
    (contracts / "pacts").mkdir()
    (contracts / "openapi" / "users.yaml").write_text(SPEC)
    (contracts / "accord.yaml").write_text(
        "version: 1\nname: t\npacts: pacts\n"
        "services:\n  users:\n    contract: openapi/users.yaml\n    port: 8101\n"
        "consumers:\n  web:\n    consumes: [users]\n"
    )
    pact = _pact({"id": 1}, path="/orders/1")
    (contracts / "pacts" / "web-users.json").write_text(json.dumps(pact, indent=2))
    done = _run("--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    [finding] = json.loads(done.stdout)["findings"]
    assert finding["code"] == "request.path-or-method.unknown"
    assert finding["pact_location"] == "[root].interactions[0].request.path"


def test_pyproject_sets_the_default_and_the_flag_wins(tmp_path: Path) -> None:
    spec, pact = _files(tmp_path, {"id": 1, "extra": True})
    (tmp_path / "pyproject.toml").write_text(
        "[tool.accord.crosscheck]\nadditional-properties-in-response = true\n"
    )
    assert _run(str(spec), str(pact), cwd=tmp_path).returncode == 0
    strict = _run(str(spec), str(pact), "--no-additional-properties-in-response", cwd=tmp_path)
    assert strict.returncode == 1


def test_wrong_number_of_files_is_a_usage_error(tmp_path: Path) -> None:
    spec, _ = _files(tmp_path, {})
    done = _run(str(spec), cwd=tmp_path)
    assert done.returncode == 2
    assert "OPENAPI_FILE PACT_FILE" in done.stderr
