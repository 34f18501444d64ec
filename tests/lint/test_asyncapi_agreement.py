"""Agreement with ``@asyncapi/parser`` 3.6.6 on the validity of every AsyncAPI document in the
corpus (``asyncapi/expected-validity.json``).

Valid means: the document loads (every ``$ref`` resolves, inside the corpus's ``asyncapi``
folder) and lint reports no error. Cases scoped ``json-schema`` are upstream assertions about
the document as written against the official schema, so only that check is compared for them.
``parser-js-v1/`` documents resolve their ``$ref`` s from that folder, as upstream's tests do.
Every disagreement counts as one; the ones known are listed with their reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from accord._errors import AccordError
from accord._findings import Severity
from accord.core import AsyncContract, DocumentSet, load_source
from accord.core._source import parse_source
from accord.lint import LintTarget, asyncapi_schema_errors, lint_target

#: where Accord and the expectation differ, and why (Accord's answer is kept on purpose)
KNOWN = {
    # the example's `status` values are not in the schema's enum; @asyncapi/parser's v3
    # ruleset does not check message examples (its v2 ruleset does, as an error)
    "asyncapi/spec-examples/3.0.0/kraken-websocket-request-reply-message-filter-in-reply-asyncapi.yml",
    "asyncapi/spec-examples/3.0.0/kraken-websocket-request-reply-multiple-channels-asyncapi.yml",
    # `kogito-cloudevent.yaml` is referenced but absent; the parser reports no error for it
    "asyncapi/real-world/forsakringskassan/rimfrost-process-asyncapi.yaml",
    # upstream's diff tests load it; parser 3.6.6 itself now reports the same
    # channel-parameter errors as Accord (parser_run_valid is false)
    "asyncapi/diff/spec/asyncapi-v3-diff.yml",
}


def _accord_valid(corpus: Path, case: dict[str, Any]) -> tuple[bool, list[str]]:
    path = corpus / case["file"]
    try:
        source = load_source(path)
        if "/parser-js-v1/" in f"/{case['file']}":
            source = parse_source(
                path.read_bytes(), source.display, path=corpus / "asyncapi/parser-js-v1" / path.name
            )
        if case["scope"].startswith("json-schema"):
            errors = asyncapi_schema_errors(source.data, str(source.data["asyncapi"]))
            return not errors, [f"{p}: {m}" for p, m in errors]
        contract = AsyncContract(DocumentSet(source, ref_roots=(corpus / "asyncapi",)))
    except AccordError as exc:
        return False, [str(exc)]
    result = lint_target(LintTarget(events={case["file"]: contract}))
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    return not errors, [f"{f.rule} {f.location}: {f.message}" for f in errors]


def test_validity_agrees_with_the_asyncapi_parser(corpus: Path) -> None:
    cases = json.loads((corpus / "asyncapi/expected-validity.json").read_text())["cases"]
    disagree: dict[str, list[str]] = {}
    versus_run = 0
    for case in cases:
        valid, why = _accord_valid(corpus, case)
        if valid != case["valid"]:
            disagree[case["file"]] = why[:2] or ["(no findings)"]
        versus_run += valid == case["parser_run_valid"]
    agreed = len(cases) - len(disagree)
    print(f"\nagreement with expected validity: {agreed}/{len(cases)}")
    print(f"agreement with the parser run: {versus_run}/{len(cases)}")
    for file, why in disagree.items():
        print(f"  {'known' if file in KNOWN else 'NEW  '} {file}: {why[0][:160]}")
    assert len(cases) >= 100
    assert agreed / len(cases) >= 0.95, disagree
    # the documents the expectations call invalid must all be found invalid
    missed = [f for f in disagree if f not in KNOWN and not _expected(cases, f)]
    assert not missed, missed


def _expected(cases: list[dict[str, Any]], file: str) -> bool:
    return bool(next(c["valid"] for c in cases if c["file"] == file))
