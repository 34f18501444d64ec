"""``oas-valid``: the official OpenAPI JSON Schemas via jsonschema-rs, errors at line:column.

The verdicts are compared with openapi-spec-validator in tests/corpus/test_oas_valid_oracle.py;
here each kind of error is checked for the place it points at and what it says.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from accord.lint import lint_paths

REPO = Path(__file__).resolve().parents[2]

HEAD = {
    "3.0": 'openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths: {}\n',
    "3.1": 'openapi: 3.1.0\ninfo: {title: t, version: "1"}\npaths: {}\n',
}


def oas_valid(tmp_path: Path, text: str) -> list[tuple[int, int, str, str]]:
    """(line, column, the text at that place, message) of every oas-valid finding."""
    path = tmp_path / "api.yaml"
    path.write_text(text)
    lines = text.splitlines()
    return [
        (
            f.location.line,
            f.location.column,
            lines[f.location.line - 1][f.location.column - 1 :],
            f.message,
        )
        for f in lint_paths([path]).findings
        if f.rule == "oas-valid"
    ]


@pytest.mark.parametrize("version", ["3.0", "3.1"])
def test_a_bad_keyword_deep_in_a_schema_is_pointed_at(tmp_path: Path, version: str) -> None:
    text = HEAD[version] + (
        "components:\n  schemas:\n    Order:\n      type: object\n      properties:\n"
        "        qty:\n          type: integer\n          minimum: one\n"
    )
    [(line, _col, at, message)] = oas_valid(tmp_path, text)
    assert line == 11 and at == "one", (line, at, message)
    assert "not of type" in message and "number" in message


@pytest.mark.parametrize("version", ["3.0", "3.1"])
def test_an_unknown_type_names_the_value(tmp_path: Path, version: str) -> None:
    text = HEAD[version] + "components:\n  schemas:\n    Order: {type: objekt}\n"
    [(line, _col, at, message)] = oas_valid(tmp_path, text)
    assert line == 6 and at.startswith("objekt"), (line, at)
    assert '"objekt"' in message, message


def test_an_unexpected_field_is_pointed_at_by_its_key(tmp_path: Path) -> None:
    text = HEAD["3.0"].replace("paths: {}\n", "") + (
        "paths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\n"
        "      summery: typo\n"
    )
    found = oas_valid(tmp_path, text)
    assert any(at.startswith("summery") for _line, _col, at, _m in found), found


def test_a_default_that_its_schema_refuses(tmp_path: Path) -> None:
    text = HEAD["3.0"] + (
        "components:\n  schemas:\n    Page:\n      type: object\n      properties:\n"
        "        size: {type: integer, default: ten}\n"
        "        next: {type: string, nullable: true, default: null}\n"
    )
    [(line, _col, at, message)] = oas_valid(tmp_path, text)
    assert line == 9 and "default does not match its schema" in message, (line, at, message)


def test_required_names_that_allof_does_not_define(tmp_path: Path) -> None:
    text = HEAD["3.1"] + (
        "components:\n  schemas:\n    Both:\n      allOf:\n"
        "        - {type: object, properties: {a: {type: string}}}\n"
        "      required: [a, ghost]\n"
    )
    [(line, _col, at, message)] = oas_valid(tmp_path, text)
    assert line == 9 and at.startswith("[a, ghost]") and "'ghost'" in message


def test_duplicate_tags_and_parameters(tmp_path: Path) -> None:
    text = HEAD["3.0"].replace("paths: {}\n", "") + (
        "tags: [{name: a}, {name: a}]\n"
        "paths:\n  /a:\n    get:\n      parameters:\n"
        "        - {name: q, in: query, schema: {type: string}}\n"
        "        - {name: q, in: query, schema: {type: string}}\n"
        "      responses: {'200': {description: ok}}\n"
    )
    found = sorted(oas_valid(tmp_path, text))
    assert [(line, m) for line, _c, _a, m in found] == [
        (3, "duplicate tag name 'a'"),
        (9, "duplicate parameter 'q' (in: query)"),
    ]


def test_a_bad_regular_expression(tmp_path: Path) -> None:
    text = HEAD["3.0"] + "components:\n  schemas:\n    Code: {type: string, pattern: '(a'}\n"
    [(line, _col, _at, message)] = oas_valid(tmp_path, text)
    assert line == 6 and "regex" in message, message


def test_lint_does_not_load_openapi_spec_validator() -> None:
    code = (
        "import sys; from accord.lint import lint_paths; "
        "lint_paths(['contracts/catalog.openapi.yaml']); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('openapi_spec_validator', 'openapi_schema_validator', 'jsonschema')))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert proc.stdout.strip() == "[]", proc.stdout
