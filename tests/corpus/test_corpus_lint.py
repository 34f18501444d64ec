"""`accord lint` over every real-world OpenAPI document in the corpus (../shared/corpus)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from accord import Contract
from accord.lint import lint_paths
from tests.conftest import CORPUS

DOCUMENTS = sorted(
    p for p in (CORPUS / "openapi").rglob("*") if p.suffix in (".yaml", ".yml", ".json")
)
#: inputs Accord refuses on purpose, and the words of the refusal
REFUSED = {
    "kubernetes-v1.28.0.swagger2.json": "Swagger 2.0 is not supported",
    "3.2-tags-example.yaml": "OpenAPI 3.2.0 is not supported",
}

pytestmark = pytest.mark.slow


def test_the_corpus_is_there() -> None:
    assert len(DOCUMENTS) >= 30, f"expected the corpus at {CORPUS}"


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_lint_never_crashes_and_every_finding_is_located(path: Path) -> None:
    result = lint_paths([path])
    for finding in result.findings:
        assert finding.location.file.endswith(path.name), finding
        assert finding.location.line >= 1 and finding.location.column >= 1, finding
        assert finding.message, finding
    refused = REFUSED.get(path.name)
    if refused:
        assert [f.rule for f in result.findings] == ["unusable-input"]
        assert refused in result.findings[0].message
    else:
        assert not result.unusable, [str(f) for f in result.unusable]


@pytest.mark.parametrize(
    "path", [p for p in DOCUMENTS if p.name not in REFUSED], ids=lambda p: p.name
)
def test_every_operation_is_indexed_and_its_validators_compile(path: Path) -> None:
    contract = Contract.from_path(path)
    raw_ops = sum(
        1
        for item in (contract.data.get("paths") or {}).values()
        if isinstance(item, dict)
        for method in ("get", "put", "post", "delete", "options", "head", "patch", "trace")
        if method in item
    )
    assert len(contract.operations) >= raw_ops - sum(
        1 for item in (contract.data.get("paths") or {}).values() if "$ref" in item
    )
    if path.stat().st_size < 1_000_000:  # the big ones are compiled in benchmarks
        assert contract.compile_all() == sum(1 for _ in contract.schemas())


@pytest.mark.parametrize(
    "name", ["stripe/spec3-2023-08-09.yaml", "apis-guru-3.1/openai.com__2.3.0.json"]
)
def test_cli_on_the_largest_documents(name: str) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "accord",
            "lint",
            "--format",
            "json",
            str(CORPUS / "openapi" / name),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout.startswith('{\n  "findings"')
