"""A real-world pair: Stripe's API on 2023-03-27 and 2023-08-09 (4 MB of YAML each)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from accord.core import Contract
from accord.diff import Level, diff_contracts, render_diff, summary_line

CORPUS = Path(
    os.environ.get(
        "ACCORD_CORPUS", Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
    )
)
STRIPE = CORPUS / "openapi" / "stripe"


@pytest.mark.slow
def test_stripe_pair_diffs_in_seconds_with_a_sensible_summary() -> None:
    old_path, new_path = STRIPE / "spec3-2023-03-27.yaml", STRIPE / "spec3-2023-08-09.yaml"
    if not old_path.is_file() or not new_path.is_file():
        pytest.fail(f"the Stripe pair is missing from the corpus at {STRIPE}")
    started = time.perf_counter()
    old, new = Contract.from_path(old_path), Contract.from_path(new_path)
    loaded = time.perf_counter()
    result = diff_contracts(old, new)
    done = time.perf_counter()
    summary = result.summary()
    print(
        f"Stripe: load {loaded - started:.1f}s, diff {done - loaded:.1f}s; {summary_line(result)}"
    )
    assert done - loaded < 30, "the diff itself must take seconds"
    edits = summary["distinct_edits"]
    # hundreds of distinct edits, each reaching many operations through shared schemas
    assert 100 < sum(edits.values()) < summary["total"]
    assert summary["breaking"] and summary["non_breaking"]
    by_id = summary["by_id"]
    # Stripe grows: new optional response fields and new enum values in responses
    assert by_id["response-optional-property-added"] > by_id.get(
        "response-required-property-removed", 0
    )
    assert by_id["response-property-enum-value-added"] > 0
    removed = [c for c in result.changes if c.id == "path-removed"]
    assert [c.operation for c in removed] == ["POST /v1/tax/transactions"]
    assert all(c.level is Level.BREAKING for c in removed)
    text = render_diff(result, "text")
    assert text.count("\n") < summary["total"], "text output groups the places of one edit"
