"""Agreement with oasdiff over its own test pairs (``corpus/oasdiff/expected.json``).

Every case is run and counted; none is excused. Two rates are measured and printed:

- *breaking*: oasdiff calls the pair breaking when a change its tests assert for that run
  (same files, same check) has level ERR: ERR is oasdiff's "definite breaking change";
  WARN ("potential", which cannot be confirmed) is not counted, since Accord decides
  those. A ``contains`` test asserts only part of its run's output, so the ERR ids the
  run's other tests assert count too (:func:`asserted_errors`). Accord calls it breaking
  when it reports a breaking change.
- *exact ids*: Accord's changes mapped through ``OASDIFF_IDS`` against the expected ids
  (the full set for ``match: exact``, inclusion for ``contains``, ``must_not_contain``).

Every case where either measure disagrees is explained in ``EXPLAINED``.

A case that runs a single oasdiff check only sees the ids that check can report
(``CHECK_IDS``), and ids below the case's ``min_level`` are left out, as oasdiff does.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from accord.core import Contract
from accord.diff import DiffResult, Level, diff_contracts

CORPUS = Path(
    os.environ.get(
        "ACCORD_CORPUS", Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
    )
)
EXPECTED = CORPUS / "oasdiff" / "expected.json"
_RANK = {"INFO": 0, "WARN": 1, "ERR": 2}
_RQ, _RS = r"^request-(body|property)-", r"^response-(body|property)-"

#: what each single oasdiff check can report (regular expressions over oasdiff ids)
CHECK_IDS = {
    "APIRemovedCheck": r"^api-(path-)?removed-",
    "APISecurityUpdatedCheck": r"^api-(global-)?security-",
    "APISunsetChangedCheck": r"^(api-.*sunset.*|sunset-deleted)$",
    "RequestBodyMediaTypeChangedCheck": r"^request-body-media-type-",
    "RequestBodyRemovedCheck": r"^request-body-removed$",
    "RequestDiscriminatorUpdatedCheck": _RQ + "discriminator-",
    "RequestParameterBecameEnumCheck": r"^request-parameter-became-enum$",
    "RequestParameterDefaultValueChangedCheck": r"^request-parameter-default-value-",
    "RequestParameterDeprecationCheck": r"^request-parameter-(deprecated|reactivated)",
    "RequestParameterEnumValueUpdatedCheck": r"^request-parameter-(property-)?enum-value-",
    "RequestParameterMaxItemsUpdatedCheck": r"^request-parameter-max-items-(in|de)creased$",
    "RequestParameterMaxLengthSetCheck": r"^request-parameter-max-length-set$",
    "RequestParameterMaxLengthUpdatedCheck": r"^request-parameter-max-length-(in|de)creased$",
    "RequestParameterMaxUpdatedCheck": r"^request-parameter-(exclusive-)?max-(in|de)creased$",
    "RequestParameterMinItemsUpdatedCheck": r"^request-parameter-min-items-(in|de)creased$",
    "RequestParameterMinLengthUpdatedCheck": r"^request-parameter-min-length-(in|de)creased$",
    "RequestParameterMinUpdatedCheck": r"^request-parameter-(exclusive-)?min-(in|de)creased$",
    "RequestParameterPatternAddedOrChangedCheck": r"^request-parameter-pattern-",
    "RequestParameterRemovedCheck": r"^request-parameter-removed",
    "RequestParameterSunsetChangedCheck": r"^request-parameter-sunset-",
    "RequestParameterTypeChangedCheck": r"^request-parameter-(property-)?type-",
    "RequestParameterXExtensibleEnumValueRemovedCheck": r"^request-parameter-x-extensible-",
    "RequestPropertyAllOfUpdatedCheck": _RQ + "all-of-",
    "RequestPropertyAnyOfUpdatedCheck": _RQ + "any-of-",
    "RequestPropertyBecameNotNullableCheck": _RQ + "became-(not-)?nullable$",
    "RequestPropertyConstChangedCheck": _RQ + "const-",
    "RequestPropertyContainsUpdatedCheck": _RQ + "(min-|max-)?contains-",
    "RequestPropertyContentUpdatedCheck": _RQ + "content-",
    "RequestPropertyDefaultValueChangedCheck": _RQ + "default-value-",
    "RequestPropertyDependentRequiredChangedCheck": _RQ + "dependent-required-",
    "RequestPropertyDependentSchemasUpdatedCheck": _RQ + "dependent-schema-",
    "RequestPropertyDeprecationCheck": r"^request-property-(deprecated|reactivated|sunset)",
    "RequestPropertyMaxDecreasedCheck": _RQ + "(exclusive-)?max-(in|de)creased$",
    "RequestPropertyMaxLengthSetCheck": _RQ + "max-length-set$",
    "RequestPropertyMaxSetCheck": _RQ + "(exclusive-)?max-set$",
    "RequestPropertyMinItemsIncreasedCheck": _RQ + "min-items-increased$",
    "RequestPropertyOneOfUpdatedCheck": _RQ + "one-of-",
    "RequestPropertyPatternPropertiesUpdatedCheck": _RQ + "pattern-property-",
    "RequestPropertyPatternUpdatedCheck": r"^request-property-pattern-(added|removed|changed|generalized)$",  # noqa: E501
    "RequestPropertyPrefixItemsUpdatedCheck": _RQ + "prefix-items-",
    "RequestPropertyPropertyNamesUpdatedCheck": _RQ + "property-names-",
    "RequestPropertyTypeChangedCheck": _RQ + "type-",
    "RequestPropertyUnevaluatedUpdatedCheck": _RQ + "unevaluated-",
    "RequestPropertyUpdatedCheck": r"^(new-(required|optional)-request-property|request-property-removed)",  # noqa: E501
    "RequestPropertyXExtensibleEnumValueRemovedCheck": _RQ + "x-extensible-",
    "ResponseDiscriminatorUpdatedCheck": _RS + "discriminator-",
    "ResponseMediaTypeUpdatedCheck": r"^response-media-type-",
    "ResponseOptionalPropertyUpdatedCheck": r"^response-optional-(write-only-)?property-",
    "ResponsePropertyAllOfUpdatedCheck": _RS + "all-of-",
    "ResponsePropertyAnyOfUpdatedCheck": _RS + "any-of-",
    "ResponsePropertyBecameNullableCheck": _RS + "became-nullable$",
    "ResponsePropertyBecameOptionalCheck": r"^response-(write-only-)?property-became-optional",
    "ResponsePropertyConstChangedCheck": _RS + "const-",
    "ResponsePropertyContainsUpdatedCheck": _RS + "(min-|max-)?contains-",
    "ResponsePropertyContentUpdatedCheck": _RS + "content-",
    "ResponsePropertyDefaultValueChangedCheck": _RS + "default-value-",
    "ResponsePropertyDependentRequiredChangedCheck": _RS + "dependent-required-",
    "ResponsePropertyDependentSchemasUpdatedCheck": _RS + "dependent-schema-",
    "ResponsePropertyDeprecationCheck": r"^response-property-(deprecated|reactivated|sunset)",
    "ResponsePropertyMinDecreasedCheck": _RS + "(exclusive-)?min-decreased$",
    "ResponsePropertyOneOfUpdated": _RS + "one-of-",
    "ResponsePropertyPatternPropertiesUpdatedCheck": _RS + "pattern-property-",
    "ResponsePropertyPrefixItemsUpdatedCheck": _RS + "prefix-items-",
    "ResponsePropertyPropertyNamesUpdatedCheck": _RS + "property-names-",
    "ResponsePropertyTypeChangedCheck": _RS + "type-",
    "ResponsePropertyUnevaluatedUpdatedCheck": _RS + "unevaluated-",
    "ResponseRequiredPropertyUpdatedCheck": r"^response-required-(write-only-)?property-",
    "WebhookUpdatedCheck": r"^webhook-",
}

_PARTIAL = (
    "data: the pair changes two keywords at once ({}) and the Go test only asserts that the "
    "one INFO id is among the results; the check (checker/check_{}.go) also emits the other "
    "change, which rules.go rates ERR and Accord rates breaking, but no test of this run "
    "asserts it, so the expected verdict cannot say 'breaking'"
)
_SAME_FILE = (
    "data: base and revision are the same file; the Go test sets the body's type on both "
    "loaded documents in code (setRequestBodyType/setResponseBodyType), so no file pair "
    "carries the change and Accord rightly finds none.{}"
)
_MAX_SET = (
    "Accord: a bound set where there was none narrows what a request may carry, exactly as a "
    "lowered one does (which oasdiff rates ERR); rules.go at this commit rates the 'set' ids "
    "WARN (later oasdiff rates them ERR too: 'setting a constraint on a request parameter is "
    "an error for every constraint keyword')"
)
#: every case where Accord and oasdiff disagree, on the verdict or on the ids: why.
#: "Accord:" marks a judgement Accord makes on purpose, "data:" a case whose expectation
#: the files alone cannot meet, "naming:" the same finding under another id. Each was
#: re-read against the Go test that produced it and the checker source.
EXPLAINED: dict[str, str] = {
    **{
        case: _PARTIAL.format(what, check)
        for case, what, check in [
            (
                "TestResponseBodyMaxContainsDecreased",
                "minContains 2->1, maxContains 6->5",
                "response_property_contains_updated",
            ),
            (
                "TestResponsePropertyMinContainsIncreased",
                "minContains 1->2, maxContains 5->6",
                "response_property_contains_updated",
            ),
            (
                "TestRequestBodyContentSchemaRemoved",
                "contentSchema removed, contentMediaType and contentEncoding changed",
                "request_property_content_updated",
            ),
            (
                "TestResponseBodyContentSchemaAdded",
                "contentSchema added, contentMediaType and contentEncoding changed",
                "response_property_content_updated",
            ),
        ]
    },
    "TestRequestBodyTypeWideningMultiTypeNotBreaking": _SAME_FILE.format(
        " The test asserts require.False(containsId(...)): the id recorded as expected is one "
        "it must NOT report"
    ),
    "TestRequestBodyTypeRemovedNotBreaking": _SAME_FILE.format(
        " The test asserts require.False(containsId(...)): the id recorded as expected is one "
        "it must NOT report"
    ),
    "TestResponseBodyTypeRemovedStillBreaking": _SAME_FILE.format(""),
    **dict.fromkeys(
        [
            "TestRequestParameterMaxLengthSetCheck",
            "TestRequestBodyMaxLengthSetCheck",
            "TestRequestBodyMaxSetCheck",
            "TestRequestPropertyMaxSetCheck",
        ],
        _MAX_SET,
    ),
    "TestBreaking_RequestParameterMaxItemsWithoutFlatten": (
        "data: the parameter is declared on the path item; the test loads the files without "
        "load.WithFlattenParams(), so oasdiff never applies it to the operation. OpenAPI says "
        "path-item parameters apply to every operation, Accord always merges them, and "
        "oasdiff's sibling test on the same files with flattening "
        "(TestBreaking_RequestParameterMaxItemsWithFlatten, not extracted: it loads through "
        "load.NewSpecInfo) asserts request-parameter-max-items-decreased ERR, as Accord reports"
    ),
    "TestBreaking_ModifyParameterPattern": (
        "Accord: pattern [0-9a-f]+ became [0-9]+; 'abc' matched before and no longer does, so "
        "the parameter accepts less (breaking). oasdiff does not compare the two patterns: "
        "any change that is not to '.*' is request-parameter-pattern-changed, WARN"
    ),
    "TestBreaking_RequiredPropertyWriteOnlyEnabled": (
        "Accord: a required response property (GroupView.test) became writeOnly, so responses "
        "stop carrying it (OpenAPI: SHOULD NOT be sent in a response), as if it were removed, "
        "which oasdiff rates ERR (response-required-property-removed); oasdiff rates "
        "response-required-property-became-write-only INFO and the test expects no finding"
    ),
    "TestAPISecurityAdded": (
        "Accord: POST /pets had no security requirement (none global either) and now needs "
        "petstore_auth, so every call without a token is refused "
        "(security-became-required, breaking); oasdiff rates api-security-added INFO"
    ),
    "TestRequestPropertyAllOfAdded": (
        "Accord: the allOf member added (Rabbit: an object with a string name) repeats what "
        "Dog already says, so the request accepts exactly what it did "
        "(request-body-all-of-added-redundant, info); oasdiff rates every request allOf "
        "member added ERR unless the member is annotation-only"
    ),
    "TestRequestPropertyAnyOfInlineEnumRefactorToRef": (
        "data: the Go test asserts that neither id is reported (require.False(containsId(...)) "
        "for both, require.Empty of the check's output and of CheckBackwardCompatibility): the "
        "inline anyOf member moved into an equal component (UserRole) changes nothing. The "
        "extractor recorded the two ids as expected; Accord, like the test, reports none"
    ),
    "TestResponsePropertyAnyOfModified": (
        "naming: the changed anyOf members sit at the body's root, so Accord names their type "
        "change response-body-type-changed; oasdiff counts it among property changes"
    ),
    **dict.fromkeys(
        [
            "TestRequestPropertyOneOfWrappingIsBreaking",
            "TestResponsePropertyOneOfWrappingIsBreaking",
        ],
        "data: the Go test asserts the wrapping is reported (wrapped-in-one-of, ERR) and that "
        "the properties moved into the branches (removed, became-optional), the oneOf members "
        "added and the type change are NOT (require.False, #702); the extractor recorded "
        "those ids as expected. Both call the pair breaking. Accord reports the wrapping and "
        "also the properties no longer in the object (which consumers they concern), the "
        "members added and the type generalized to any",
    ),
}
#: floors for the rates measured over every case, nothing excused
BREAKING_FLOOR = 0.90
IDS_FLOOR = 0.95


def _load() -> dict[str, Any]:
    if not EXPECTED.is_file():
        pytest.fail(f"the oasdiff corpus is missing: expected {EXPECTED} (set ACCORD_CORPUS)")
    data: dict[str, Any] = json.loads(EXPECTED.read_text("utf-8"))
    return data


def _relevant(case: dict[str, Any], result: DiffResult) -> Iterator[tuple[str | None, Level]]:
    """(oasdiff id, Accord level) of the changes the case's check can see."""
    pattern = None if case["checks"] == "all" else re.compile(CHECK_IDS[case["checks"]])
    for change in result.changes:
        if pattern is None or (change.oasdiff_id and pattern.search(change.oasdiff_id)):
            yield change.oasdiff_id, change.level


def _run(case: dict[str, Any]) -> tuple[str, str, str]:
    """What one oasdiff run is: the two files and the check(s) it runs."""
    return case["base"], case["revision"], case["checks"]


def asserted_errors(cases: list[dict[str, Any]]) -> dict[tuple[str, str, str], set[str]]:
    """The ERR ids oasdiff's tests assert for each run, pooled over every test of that run.

    Several Go tests often run the very same comparison (same files, same check, no edit
    in code) and each asserts one id of its output. A test that only checks that its id is
    *contained* says nothing about the rest, so its run's verdict comes from every id any
    test asserts for that run. Runs of one file against itself are left out: such a test
    edits the loaded documents in Go, so the files do not describe what it compares.
    """
    pooled: dict[tuple[str, str, str], set[str]] = {}
    for case in cases:
        if case["base"] == case["revision"]:
            continue
        errors = {
            i
            for i, level in zip(
                case["expected_change_ids"], case["expected_change_levels"], strict=True
            )
            if level == "ERR"
        }
        pooled.setdefault(_run(case), set()).update(errors)
    return pooled


def oasdiff_breaking(case: dict[str, Any], pooled: dict[tuple[str, str, str], set[str]]) -> bool:
    """oasdiff's verdict: an ERR among the ids its tests assert for this case's run.

    A case that asserts its full output (``exact``) is its own evidence; a ``contains`` case
    also takes the ERR ids its run's other tests assert.
    """
    if "ERR" in case["expected_change_levels"]:
        return True
    return case["match"] == "contains" and bool(pooled.get(_run(case)))


def evaluate(
    case: dict[str, Any],
    levels: dict[str, str],
    pooled: dict[tuple[str, str, str], set[str]],
) -> tuple[bool, bool, str]:
    """(breaking verdicts agree, ids agree, explanation) for one case."""
    old = Contract.from_path(CORPUS / case["base"])
    new = Contract.from_path(CORPUS / case["revision"])
    seen = list(_relevant(case, diff_contracts(old, new)))
    theirs_breaking = oasdiff_breaking(case, pooled)
    ours_breaking = any(level is Level.BREAKING for _, level in seen)
    floor = _RANK[case["min_level"]]
    ours = {i for i, _ in seen if i and _RANK.get(levels.get(i, "INFO"), 0) >= floor}
    expected = set(case["expected_change_ids"])
    ids_agree = ours == expected if case["match"] == "exact" else expected <= ours
    ids_agree = ids_agree and not (ours & set(case["must_not_contain"]))
    why = f"expected {sorted(expected)} ({case['match']}), Accord {sorted(ours)}"
    return theirs_breaking == ours_breaking, ids_agree, why


def test_oasdiff_agreement(record_property: Callable[[str, object], None]) -> None:
    data = _load()
    cases = data["cases"]
    levels = data["default_levels"]
    unknown = {c["checks"] for c in cases} - {"all", *CHECK_IDS}
    assert not unknown, f"map these oasdiff checks in CHECK_IDS: {sorted(unknown)}"
    pooled = asserted_errors(cases)
    breaking_ok = ids_ok = 0
    misses: dict[str, str] = {}
    for case in cases:
        same_verdict, same_ids, why = evaluate(case, levels, pooled)
        breaking_ok += same_verdict
        ids_ok += same_ids
        if not (same_verdict and same_ids):
            what = (
                "verdict and ids"
                if not (same_verdict or same_ids)
                else ("ids" if same_verdict else "verdict")
            )
            misses[case["id"]] = f"{what:15} {case['id']}: {why}"
    total = len(cases)
    report = (
        f"oasdiff agreement over {total} cases, nothing excused: breaking verdict "
        f"{breaking_ok}/{total} ({breaking_ok / total:.1%}); exact ids {ids_ok}/{total} "
        f"({ids_ok / total:.1%})"
    )
    detail = "\n".join(
        f"  {line}  [{EXPLAINED.get(cid, 'NEW: explain it in EXPLAINED')}]"
        for cid, line in misses.items()
    )
    print(f"{report}\n{detail}")  # the rates, for the run's log
    record_property("oasdiff_agreement", report)
    unexplained = sorted(set(misses) - set(EXPLAINED))
    assert not unexplained, f"disagreements without a reason in EXPLAINED:\n{detail}"
    stale = sorted(set(EXPLAINED) - set(misses))
    assert not stale, f"EXPLAINED lists cases that agree now; remove them: {stale}"
    assert breaking_ok / total >= BREAKING_FLOOR, report + "\n" + detail
    assert ids_ok / total >= IDS_FLOOR, report + "\n" + detail


def _case(cid: str, ids: dict[str, str], match: str = "contains", **kw: str) -> dict[str, Any]:
    case = {"id": cid, "base": "a.yaml", "revision": "b.yaml", "checks": "C", "match": match}
    case |= {"expected_change_ids": list(ids), "expected_change_levels": list(ids.values())}
    return case | kw


def test_a_partial_case_takes_the_errors_its_run_s_other_tests_assert() -> None:
    info = _case("min", {"x-min-decreased": "INFO"})
    err = _case("max", {"x-max-decreased": "ERR"})
    exact = _case("all", {"x-min-decreased": "INFO"}, match="exact")
    other_check = _case("other", {"x-min-decreased": "INFO"}, checks="D")
    pooled = asserted_errors([info, err, exact, other_check])
    assert oasdiff_breaking(info, pooled) and oasdiff_breaking(err, pooled)
    assert not oasdiff_breaking(exact, pooled)  # asserts its whole output: no ERR in it
    assert not oasdiff_breaking(other_check, pooled)  # another check is another run
    # one file against itself: the test edits the documents in code; nothing is pooled
    edited = _case("edited", {"x-type-changed": "ERR"}, base="a.yaml", revision="a.yaml")
    alike = _case("alike", {}, base="a.yaml", revision="a.yaml")
    pooled = asserted_errors([edited, alike])
    assert oasdiff_breaking(edited, pooled) and not oasdiff_breaking(alike, pooled)
