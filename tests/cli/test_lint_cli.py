"""The real `accord lint` command, run as a process: exit codes, formats and bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.core.helpers import run_accord

GOOD = textwrap.dedent(
    """\
    openapi: 3.0.3
    info: {title: t, version: "1"}
    paths:
      /things:
        get:
          operationId: listThings
          responses:
            "200": {description: ok}
            "400":
              description: bad
              content: {application/problem+json: {schema: {type: object}}}
    """
)


def accord(
    *args: str | Path, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return run_accord(*args, cwd=cwd, timeout=timeout)


def assert_one_line_error(proc: subprocess.CompletedProcess[str], where: str, what: str) -> None:
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert "Traceback" not in output
    errors = [line for line in proc.stdout.splitlines() if "unusable-input" in line]
    assert len(errors) == 1, output
    assert where in errors[0], errors[0]
    assert what in errors[0], errors[0]


def test_workspace_lints_clean(repo: Path) -> None:
    proc = accord("lint", "--fail-on", "warning", cwd=repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert "in 5 contract(s)" in proc.stderr


def test_broken_shop_contract_points_at_the_broken_line(repo: Path, tmp_path: Path) -> None:
    shutil.copytree(repo / "contracts", tmp_path / "contracts")
    path = tmp_path / "contracts" / "openapi" / "orders.yaml"
    lines = path.read_text().splitlines()
    target = next(i for i, line in enumerate(lines) if line.strip().startswith("operationId:"))
    indent = lines[target][: len(lines[target]) - len(lines[target].lstrip())]
    lines[target] = f"{indent}operationId: [not, a, string]"
    path.write_text("\n".join(lines) + "\n")
    proc = accord("lint", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"contracts/openapi/orders.yaml:{target + 1}:" in proc.stdout, proc.stdout


def test_yaml_syntax_error_in_shop_contract(repo: Path, tmp_path: Path) -> None:
    shutil.copytree(repo / "contracts", tmp_path / "contracts")
    path = tmp_path / "contracts" / "openapi" / "payments.yaml"
    lines = path.read_text().splitlines()
    lines.insert(10, "  broken: [unclosed")
    path.write_text("\n".join(lines) + "\n")
    proc = accord("lint", cwd=tmp_path)
    assert_one_line_error(proc, "contracts/openapi/payments.yaml:", "malformed YAML")
    assert "started at line 11:11" in proc.stdout


def test_formats(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(GOOD.replace("      operationId: listThings\n", ""))
    as_json = json.loads(accord("lint", "--format", "json", path).stdout)
    assert [f["rule"] for f in as_json["findings"]] == ["operation-id-missing"]
    assert as_json["findings"][0]["line"] == 5
    sarif = json.loads(accord("lint", "--format", "sarif", path).stdout)
    assert sarif["version"] == "2.1.0"
    result = sarif["runs"][0]["results"][0]
    assert result["ruleId"] == "operation-id-missing"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 5
    text = accord("lint", path)
    assert text.returncode == 1
    assert text.stdout.startswith(f"{path}:5:5: warning operation-id-missing:")


def test_fail_on_error_ignores_warnings(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(GOOD.replace("      operationId: listThings\n", ""))
    assert accord("lint", "--fail-on", "error", path).returncode == 0


def test_default_fails_on_errors_only_unless_pyproject_says_warning(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(GOOD.replace("      operationId: listThings\n", ""))
    plain = accord("lint", path, cwd=tmp_path)  # no pyproject.toml above a temp folder
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert "warning operation-id-missing" in plain.stdout
    (tmp_path / "pyproject.toml").write_text('[tool.accord.lint]\nfail-on = "warning"\n')
    assert accord("lint", path, cwd=tmp_path).returncode == 1
    path.write_text(GOOD.replace("type: object", "type: objekt"))
    assert accord("lint", path, cwd=tmp_path / "..").returncode == 1


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(GOOD)
    proc = accord("lint", "--format", "xml", path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert accord("lint", "--no-such-flag").returncode == 2


def test_no_workspace_here(tmp_path: Path) -> None:
    proc = accord("lint", cwd=tmp_path)
    assert proc.returncode == 2
    assert "no workspace here" in proc.stderr and "Traceback" not in proc.stderr


# -- bad input: each is one clear line with its location, exit 2, no traceback -------------


def test_malformed_yaml(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text("openapi: 3.0.3\ninfo:\n  title: [oops\n")
    assert_one_line_error(accord("lint", path), "api.yaml:4:", "malformed YAML")


def test_malformed_json(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    path.write_text('{\n  "openapi": "3.0.3",\n  "info": {,}\n}\n')
    assert_one_line_error(accord("lint", path), "api.json:3:12", "malformed JSON")


def test_invalid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_bytes(GOOD.encode().replace(b"title: t", b"title: caf\xe9"))
    assert_one_line_error(accord("lint", path), "api.yaml:2:", "invalid UTF-8")


def test_alias_bomb(tmp_path: Path) -> None:
    lines = ["openapi: 3.0.3", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    assert_one_line_error(accord("lint", path, timeout=60), "bomb.yaml:1:1", "alias")


def test_ref_cycle(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(
        GOOD
        + "components:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n"
        + "    B: {$ref: '#/components/schemas/A'}\n"
    )
    assert_one_line_error(accord("lint", path), "api.yaml:", "$ref cycle")


def test_remote_ref_is_refused_without_network(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(
        GOOD + "components:\n  schemas:\n    A: {$ref: 'https://example.com/schemas.yaml#/A'}\n"
    )
    proc = accord("lint", path)
    assert_one_line_error(proc, "api.yaml:14:", "remote $ref")
    assert "never fetches" in proc.stdout


def test_ref_to_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(GOOD + "components:\n  schemas:\n    A: {$ref: 'other.yaml#/A'}\n")
    assert_one_line_error(accord("lint", path), "api.yaml:14:", "does not exist")


def test_missing_file(tmp_path: Path) -> None:
    assert_one_line_error(accord("lint", tmp_path / "nope.yaml"), "nope.yaml", "no such file")


def test_swagger_2(corpus: Path) -> None:
    path = corpus / "openapi" / "kubernetes" / "kubernetes-v1.28.0.swagger2.json"
    assert_one_line_error(accord("lint", path), "swagger2.json:", "Swagger 2.0 is not supported")


def test_openapi_3_2(corpus: Path) -> None:
    path = corpus / "openapi" / "oai-examples" / "v3.2" / "3.2-tags-example.yaml"
    assert_one_line_error(accord("lint", path), "3.2-tags-example.yaml:1:10", "OpenAPI 3.2.0")


def _big_document(path: Path, megabytes: int) -> None:
    paths = {}
    i = size = 0
    while size < megabytes * 1_000_000:
        paths[f"/things{i}/{{id}}"] = {
            "get": {
                "operationId": f"getThing{i}",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {"description": "ok " + "x" * 2000},
                    "404": {
                        "description": "no",
                        "content": {"application/problem+json": {"schema": {"type": "object"}}},
                    },
                },
            }
        }
        size += len(json.dumps(paths[f"/things{i}/{{id}}"]))
        i += 1
    path.write_text(
        json.dumps({"openapi": "3.0.3", "info": {"title": "big", "version": "1"}, "paths": paths})
    )


@pytest.mark.slow
def test_ten_megabyte_document_lints(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    _big_document(path, 10)
    proc = accord("lint", path, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr


def test_document_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    _big_document(path, 2)
    assert_one_line_error(
        accord("lint", "--max-size", "1", path), "big.json", "over the 1 MiB limit"
    )
