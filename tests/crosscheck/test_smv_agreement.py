"""Agreement with swagger-mock-validator on its own recorded outcomes (OpenAPI 3 cases).

Each case of ``smv/expected.json`` is run and the SET of (code, pact location)
is compared with smv's errors and warnings; a case that smv refuses (``throws``)
must be refused by Accord too. Swagger 2.0 cases are left out: Accord reads
OpenAPI 3 only, by design.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from accord._errors import AccordError
from accord.core import Contract, PactFile
from accord.crosscheck import CrosscheckOptions, crosscheck

CORPUS = Path(
    os.environ.get(
        "ACCORD_CORPUS", Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
    )
)
EXPECTED = CORPUS / "smv" / "expected.json"
#: 57/62 since issue 17 (59/62 before): the five differences left are all on purpose
TARGET = 57 / 62

#: case id -> why Accord's answer differs from smv's, and why we keep it
KNOWN: dict[str, str] = {
    "e2e-oas3-keywords-broken": (
        "the pact is not JSON (a trailing comma closes `interactions`, line 80); smv parses it "
        "leniently, Accord refuses malformed input. On a repaired copy Accord reports exactly "
        "smv's finding (test_keywords_case_agrees_once_the_pact_is_valid_json)"
    ),
    **dict.fromkeys(
        [
            "e2e-oas3-provider-vs-broken-pact--additionalPropertiesInResponse=false",
            "e2e-oas3-provider-vs-broken-pact--additionalPropertiesInResponse=true",
        ],
        "interaction 19 sends a JSON body as 'plain/text' to an operation that consumes "
        "application/json; both tools report request.content-type.incompatible, and smv "
        "adds a request.body.unknown warning for the same body. Accord reports the one "
        "problem once (issue 17: no redundant findings)",
    ),
    "u143": (
        "smv skips oauth2 schemes as unsupported; an OAuth 2 access token travels in the "
        "Authorization header (RFC 6750 2.1), so a pact without one would get a 401"
    ),
    "u145": (
        "same as u143: neither alternative (oauth2, http basic) is met by a request with no "
        "Authorization header; smv counts the unsupported oauth2 one as met"
    ),
}

Outcome = frozenset[tuple[str, str]] | str


def _cases() -> list[dict[str, Any]]:
    if not EXPECTED.is_file():
        pytest.fail(f"the smv corpus is missing: expected {EXPECTED} (set ACCORD_CORPUS)")
    data = json.loads(EXPECTED.read_text("utf-8"))
    cases = [c for c in data["file_pairs"] if c["spec_format"] == "openapi3"]
    cases += [c for c in data["unit_cases_oas3"] if c["spec_format"] == "openapi3"]
    return cases


def _options(case: dict[str, Any]) -> CrosscheckOptions:
    raw = case.get("options") or {}
    return CrosscheckOptions(
        additional_properties_in_response=bool(raw.get("additionalPropertiesInResponse", False)),
        required_properties_in_response=bool(raw.get("requiredPropertiesInResponse", False)),
    )


def _expected(case: dict[str, Any]) -> Outcome:
    outcome = case["expected"]
    if "throws" in outcome:
        return "throws"
    found = outcome["errors"] + outcome["warnings"]
    return frozenset((r["code"], r["mock_location"]) for r in found)


def _actual(case: dict[str, Any]) -> Outcome:
    try:
        contract = Contract.from_path(CORPUS / case["spec"])
        pact = PactFile.from_path(CORPUS / case["pact"])
        mismatches = crosscheck(contract, pact, _options(case))
    except AccordError:
        return "throws"
    return frozenset((m.code, m.pact_path) for m in mismatches)


def _describe(case_id: str, expected: Outcome, actual: Outcome) -> str:
    if isinstance(expected, str) or isinstance(actual, str):
        return f"{case_id}: smv {expected!r}, Accord {actual!r}"
    missing = sorted(expected - actual)
    extra = sorted(actual - expected)
    return f"{case_id}: Accord misses {missing}, adds {extra}"


def test_agreement_with_swagger_mock_validator(
    record_property: Callable[[str, object], None],
) -> None:
    cases = _cases()
    assert len(cases) >= 60, f"expected the 62 OpenAPI 3 cases, found {len(cases)}"
    disagreements: dict[str, str] = {}
    for case in cases:
        expected, actual = _expected(case), _actual(case)
        if expected != actual:
            disagreements[case["id"]] = _describe(case["id"], expected, actual)
    agreed = len(cases) - len(disagreements)
    rate = agreed / len(cases)
    report = "\n".join(
        f"  {line}  [known: {KNOWN[cid]}]" if cid in KNOWN else f"  {line}  [NEW]"
        for cid, line in disagreements.items()
    )
    print(f"\nsmv agreement: {agreed}/{len(cases)} = {rate:.1%}\n{report}")
    record_property("smv_agreement", f"{agreed}/{len(cases)}")
    record_property("smv_disagreements", json.dumps(disagreements))
    unexplained = sorted(set(disagreements) - set(KNOWN))
    assert not unexplained, f"disagreements without a reason in KNOWN:\n{report}"
    stale = sorted(set(KNOWN) - set(disagreements))
    assert not stale, f"KNOWN lists cases that now agree; remove them: {stale}"
    assert rate >= TARGET, f"agreement {rate:.1%} is below {TARGET:.0%}:\n{report}"


def test_keywords_case_agrees_once_the_pact_is_valid_json() -> None:
    case = next(c for c in _cases() if c["id"] == "e2e-oas3-keywords-broken")
    text = (CORPUS / case["pact"]).read_text("utf-8")
    repaired = text.replace("},\n\n  ],", "}\n  ],")
    assert repaired != text, "the corpus pact changed; revisit KNOWN"
    pact = PactFile.from_dict(json.loads(repaired))
    contract = Contract.from_path(CORPUS / case["spec"])
    actual = frozenset((m.code, m.pact_path) for m in crosscheck(contract, pact, _options(case)))
    assert actual == _expected(case)
