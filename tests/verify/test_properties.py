"""Schemathesis' outcome is read in full: its exit code, and JUnit's skipped cases."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from accord.verify import CaseResult, ServiceResult, write_junit
from accord.verify._properties import read_junit, run_schemathesis
from tests.verify.conftest import CONTRACT

JUNIT = """\
<?xml version="1.0" encoding="utf-8"?>
<testsuites errors="0" failures="1" skipped="2" tests="4">
  <testsuite name="schemathesis" errors="0" failures="1" skipped="2" tests="4">
    <testcase name="GET /things"/>
    <testcase name="POST /things">
      <failure type="failure" message="ST101">Server error</failure></testcase>
    <testcase name="GET /things/{id}">
      <skipped type="skipped">No examples in schema</skipped></testcase>
    <testcase name="PUT /things/{id}"><skipped type="skipped">Unsatisfiable</skipped>
      <error type="error">Network Error</error></testcase>
  </testsuite>
</testsuites>
"""


def run(tmp_path: Path, contract: str, base_url: str) -> list[CaseResult]:
    path = tmp_path / "contract.yaml"
    path.write_text(contract)
    return run_schemathesis(
        path,
        base_url,
        tmp_path / "work",
        max_examples=1,
        seed=0,
        headers={"Authorization": "Bearer t"},
    )


@pytest.mark.parametrize(
    ("contract", "base_url"),
    [
        ("openapi: 3.0.3\ninfo: [not, a, mapping\n", "http://127.0.0.1:9"),  # cannot be loaded
        (CONTRACT, "not a url"),  # schemathesis rejects the base URL
    ],
    ids=["unloadable-contract", "bad-base-url"],
)
def test_a_schemathesis_run_that_errors_fails(tmp_path: Path, contract: str, base_url: str) -> None:
    results = run(tmp_path, contract, base_url)
    assert results, "a run that errored must not pass with no cases"
    failed = [r for r in results if not r.passed and not r.skipped]
    assert failed, results
    assert any("schemathesis exited with" in r.message for r in failed), results
    assert not ServiceResult("shelf", results).passed


def test_junit_skipped_cases_are_skipped_not_passed(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    path.write_text(JUNIT)
    found = {r.name: r for r in read_junit(path)}
    assert found["GET /things"].passed and not found["GET /things"].skipped
    assert not found["POST /things"].passed and not found["POST /things"].skipped
    skipped = found["GET /things/{id}"]
    assert skipped.skipped and not skipped.passed and skipped.message == "No examples in schema"
    both = found["PUT /things/{id}"]  # an error wins over a skip
    assert not both.passed and not both.skipped and "Network Error" in both.message


def test_skipped_cases_are_reported_as_skipped(tmp_path: Path) -> None:
    result = ServiceResult(
        "shelf",
        [
            CaseResult("schemathesis", "GET /things", True),
            CaseResult("schemathesis", "GET /things/{id}", False, "no examples", skipped=True),
        ],
    )
    assert result.passed and result.failures() == [] and len(result.skipped()) == 1
    suite = ET.parse(write_junit([result], tmp_path / "junit.xml")).getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("2", "0", "1")
    case = suite.findall("testcase")[1]
    skipped = case.find("skipped")
    assert skipped is not None and skipped.get("message") == "no examples"
    assert case.find("failure") is None


def test_a_phase_where_everything_was_skipped_is_not_a_pass() -> None:
    from accord.verify._properties import _phase_failure  # noqa: PLC0415

    skipped = [CaseResult("schemathesis", "GET /things", False, "no examples", skipped=True)]
    phase = _phase_failure("contract.yaml", 0, skipped, "")
    assert phase is not None and "skipped every operation" in phase.message
    assert not ServiceResult("shelf", [*skipped, phase]).passed
    assert _phase_failure("contract.yaml", 0, [], "") is not None  # nothing tested at all
    passed = [CaseResult("schemathesis", "GET /things", True)]
    assert _phase_failure("contract.yaml", 0, passed, "") is None
