"""SARIF 2.1.0 from ``accord lint`` and ``accord crosscheck``: valid against the OASIS
schema (as ``@microsoft/jest-sarif`` ships it, ``tests/peers/sarif``), and holding what
GitHub code scanning's upload needs; and every rule id or code any check can emit is
described in its rule list: the registries enumerated, and the codes actually emitted over
the corpus pairs, the crosscheck and lint test cases and the shop's workspace."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema_rs
import pytest

from tests.conftest import CORPUS, REPO

SCHEMA = (
    REPO / "tests/peers/sarif/node_modules/@microsoft/jest-sarif/lib/schemas"
    / "sarif-2.1.0-rtm.5.json"
)  # fmt: skip
LEVELS = {"none", "note", "warning", "error"}


def accord(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])}
    return subprocess.run([sys.executable, "-m", "accord", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=300, check=False)  # fmt: skip


def sarif_problems(log: dict[str, Any]) -> list[str]:
    """What the SARIF 2.1.0 schema or GitHub code scanning's upload would refuse (see
    docs.github.com, "SARIF support for code scanning": the required properties, the
    limits per run and result, and relative URIs resolved against the repository)."""
    if not SCHEMA.is_file():
        pytest.fail(f"the SARIF schema is missing at {SCHEMA}: run `make node`")
    # rtm.5's `language` pattern has a stray "]" (a literal in ECMA-262, refused by the Rust
    # regex engine that checks the schema): escaped, same meaning; Accord never writes it
    text = SCHEMA.read_text("utf-8").replace("{2}]?$", "{2}\\\\]?$")
    schema = json.loads(text)
    validator = jsonschema_rs.Draft4Validator(schema, validate_formats=True)
    problems = [f"schema: {e.instance_path}: {e.message}" for e in validator.iter_errors(log)]
    if log.get("version") != "2.1.0" or not log.get("$schema"):
        problems.append("version 2.1.0 and $schema are required")
    for run in log["runs"]:
        driver = run["tool"]["driver"]
        rules = driver.get("rules", [])
        if not driver.get("name") or len(rules) > 25_000 or len(run["results"]) > 25_000:
            problems.append("a driver name, at most 25,000 rules and 25,000 results a run")
        ids = [r["id"] for r in rules]
        if len(set(ids)) != len(ids):
            problems.append("rule ids are not unique")
        for rule in rules:
            if not rule.get("shortDescription", {}).get("text"):
                problems.append(f"rule {rule['id']}: no shortDescription.text")
            if len(rule.get("properties", {}).get("tags", [])) > 20:
                problems.append(f"rule {rule['id']}: more than 20 tags")
            level = rule.get("defaultConfiguration", {}).get("level", "warning")
            if level not in LEVELS:
                problems.append(f"rule {rule['id']}: level {level}")
        bases = run.get("originalUriBaseIds", {})
        for name, base in bases.items():
            if not base["uri"].endswith("/") or not urlsplit(base["uri"]).scheme:
                problems.append(f"base {name}: an absolute URI ending in / is required")
        for n, result in enumerate(run["results"]):
            where = f"result {n} ({result.get('ruleId')})"
            if result.get("ruleId") not in ids:
                problems.append(f"{where}: its rule is not in the rule list")
            elif ids.index(result["ruleId"]) != result.get("ruleIndex"):
                problems.append(f"{where}: ruleIndex does not point at its rule")
            if not result.get("message", {}).get("text") or result.get("level") not in LEVELS:
                problems.append(f"{where}: message.text and a level are required")
            locations = result.get("locations", [])
            if not 1 <= len(locations) <= 10:
                problems.append(f"{where}: 1 to 10 locations")
            for loc in locations + result.get("relatedLocations", []):
                physical = loc["physicalLocation"]
                artifact = physical["artifactLocation"]
                uri = artifact["uri"]
                if re.search(r"[\s\\]", uri) or (
                    not urlsplit(uri).scheme and artifact.get("uriBaseId") not in bases
                ):
                    problems.append(f"{where}: {uri!r} is not a URI GitHub can resolve")
                if physical["region"]["startLine"] < 1:
                    problems.append(f"{where}: startLine must be 1 or more")
    return problems


def emitted_codes() -> set[str]:
    """Every rule id and code emitted: crosscheck over the 541 pairs of the live comparison
    (the corpus's pact/spec pairs, the shop's, synthesised ones and their mutations), the
    crosscheck and lint test cases (recorded by a plugin, in a process of their own), and
    ``accord lint`` with the cross-check over the shop's workspace."""
    from accord.cli._cmd_lint import lint_with_crosscheck  # noqa: PLC0415
    from accord.workspace import Workspace  # noqa: PLC0415
    from tests.crosscheck.smv_live import build_pairs, run_accord  # noqa: PLC0415

    codes: set[str] = set()
    with tempfile.TemporaryDirectory() as folder:
        for outcome in run_accord(build_pairs(CORPUS, Path(folder))).values():
            codes |= {code for code, _ in outcome.findings}
        record = Path(folder) / "codes.json"
        env = {**os.environ, "ACCORD_RECORD_CODES": str(record),
               "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])}  # fmt: skip
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-m", "not slow", "-p", "no:cacheprovider",
             "-p", "tests.cli._record_codes", "tests/crosscheck", "tests/lint"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-3000:]
        codes |= set(json.loads(record.read_text("utf-8")))
    workspace = Workspace.discover(REPO)
    assert workspace is not None
    codes |= {f.rule for f in lint_with_crosscheck(workspace).findings}
    return codes


@pytest.mark.slow  # the crosscheck and lint tests run again, in a process of their own
def test_every_code_a_check_can_emit_is_described_in_sarif(tmp_path: Path) -> None:
    from accord._findings import UNUSABLE  # noqa: PLC0415
    from accord.crosscheck import CODES, MESSAGE_CODES  # noqa: PLC0415
    from accord.lint import RULES  # noqa: PLC0415

    registry = {*RULES, *CODES, *MESSAGE_CODES, UNUSABLE}
    emitted = emitted_codes()
    assert emitted - registry == set(), "emitted but in no registry"
    assert {c for c in emitted if c.startswith("message.")}, "no message codes were collected"
    # a file with no findings: the rule list is the whole registry, each rule described
    clean = tmp_path / "clean.yaml"
    clean.write_text("openapi: 3.0.3\ninfo: {title: t, version: '1', description: d}\npaths: {}\n")
    done = accord("lint", str(clean), "--format", "sarif", "-q", cwd=tmp_path)
    log = json.loads(done.stdout)
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert registry | emitted <= set(rules), sorted((registry | emitted) - set(rules))
    for code in registry:
        text = rules[code]["shortDescription"]["text"]
        assert text and text != code, f"{code} is not described"
    for code, severity in {**CODES, **MESSAGE_CODES}.items():
        level = {"error": "error", "warning": "warning", "info": "note"}[severity.value]
        assert rules[code]["defaultConfiguration"]["level"] == level, code
    assert sarif_problems(log) == []


def test_lint_and_crosscheck_sarif_of_real_findings_is_valid(tmp_path: Path) -> None:
    """Findings from corpus files, in a folder whose name needs percent-encoding, with
    related locations (crosscheck's contract node): valid, and resolvable by GitHub."""
    folder = tmp_path / "with space"
    folder.mkdir()
    spec = CORPUS / "smv/fixtures/e2e/openapi3-provider.yaml"
    pact = CORPUS / "smv/fixtures/e2e/pact-broken-consumer.json"
    for source in (spec, pact):
        (folder / source.name).write_bytes(source.read_bytes())
    crossed = accord("crosscheck", f"with space/{spec.name}", f"with space/{pact.name}",
                     "--format", "sarif", "-q", cwd=tmp_path)  # fmt: skip
    assert crossed.returncode == 1, crossed.stderr
    log = json.loads(crossed.stdout)
    results = log["runs"][0]["results"]
    assert results and all(r["relatedLocations"] for r in results)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {f"with%20space/{pact.name}"}
    assert sarif_problems(log) == []
    outside = CORPUS / "openapi/oai-examples/v3.0/petstore-expanded.yaml"
    linted = accord("lint", str(outside), str(folder / spec.name), "--format", "sarif", "-q",
                    cwd=tmp_path)  # fmt: skip
    log = json.loads(linted.stdout)
    assert log["runs"][0]["results"], linted.stderr
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in log["runs"][0]["results"]}  # fmt: skip
    # a file outside the folder the command ran in: an absolute file URI
    assert uris == {outside.as_uri(), f"with%20space/{spec.name}"}
    assert sarif_problems(log) == []
