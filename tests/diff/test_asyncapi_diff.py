"""AsyncAPI diff: agreement with ``@asyncapi/diff``'s expectations in the corpus
(``asyncapi/diff-expected.json``), and Accord's own verdict by direction.

Agreement is measured per pair (the multiset of (action, path, type) equal) and per
expected change. Every disagreement counts; the known ones are listed with their cause.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from accord.core import AsyncContract, DocumentSet, PactFile, load_source
from accord.diff import asyncapi_changes, consumers_of_change
from accord.diff._asyncapi import classify, raw_changes

#: pairs where Accord differs from the expectation, and why
KNOWN = {
    # @asyncapi/diff's mergeStandard() writes a call's `override` into its shared standard
    # table, so the run that produced these expectations classified with tables changed by
    # earlier calls (`/channels/*` add "breaking", `/info/version` "unclassified"). A fresh
    # @asyncapi/diff 0.5.0 gives Accord's answer (checked on defra-marketing-year with node).
    "defra-marketing-year", "valawai-subscriptions", "ruter-dpi-ack",
    # the same, plus: js-yaml reads an unquoted `2023-09-12T03:30:02.351817973Z` example as a
    # Date, and fast-json-patch then reports 24 "adds" per unchanged example (72 in all);
    # Accord reads YAML 1.2, where it is the same string in both versions: no change
    "newsware-api-v1-to-v2",
}  # fmt: skip


#: the pairs this test was written against (held-back pairs are measured, not excused)
_ORIGINAL = {
    "diff-main-v3", "diff-main-v2-vs-v3", "diff-main-array-changes", "diff-main-empty",
    "generatediff-local", "assemblyai-speechstarted", "assemblyai-type-corrections",
    "kubescape-ping", "kubescape-remove-cluster-account", "defra-marketing-year",
    "defra-state-aid", "bellflight-altitude-optional", "bellflight-rate-float",
    "valawai-subscriptions", "ruter-dpi-ack", "firezone-gateway", "newsware-api-v1-to-v2",
}  # fmt: skip


def _load(corpus: Path, file: str) -> AsyncContract:
    return AsyncContract(DocumentSet(load_source(corpus / file), ref_roots=(corpus / "asyncapi",)))


def _changes(corpus: Path, pair: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    if pair["mode"] == "parsed":
        old, new = _load(corpus, pair["base"]), _load(corpus, pair["revision"])
        return [(c.action, c.path, c.type) for c in asyncapi_changes(old, new, resolved=True)]
    before = load_source(corpus / pair["base"]).data
    after = load_source(corpus / pair["revision"]).data
    major = int(str(after.get("asyncapi", "2")).split(".")[0])
    classified = pair["mode"] == "raw"
    return [
        (c.action, c.path, classify(c.path, c.action, major) if classified else None)
        for c in raw_changes(before, after)
    ]


def test_agreement_with_asyncapi_diff(corpus: Path) -> None:
    pairs = json.loads((corpus / "asyncapi/diff-expected.json").read_text())["pairs"]
    agreed, matched, expected_total, disagree = 0, 0, 0, {}
    for pair in pairs:
        if "expected_error" in pair:
            with pytest.raises(ValueError, match="major version"):
                _changes(corpus, pair)
            agreed += 1
            continue
        got = Counter(_changes(corpus, pair))
        want = Counter((c["action"], c["path"], c.get("type")) for c in pair["expected_changes"])
        expected_total += sum(want.values())
        matched += sum((got & want).values())
        if got == want:
            agreed += 1
        else:
            disagree[pair["id"]] = (
                list((want - got).elements())[:2],
                list((got - want).elements())[:2],
            )
    print(f"\npairs agreeing with @asyncapi/diff: {agreed}/{len(pairs)}")
    print(f"expected changes found with the same type: {matched}/{expected_total}")
    for pair_id, (missing, extra) in disagree.items():
        label = "known" if pair_id in KNOWN else "NEW  "
        print(f"  {label} {pair_id}: missing {missing} extra {extra}")
    assert len(pairs) >= 15
    assert agreed / len(pairs) >= 0.75, disagree
    # the pairs named in KNOWN disagree for the reasons given; any other is a regression
    assert not [p for p in disagree if p not in KNOWN and p in _ORIGINAL], disagree


SERVICE = """\
asyncapi: 3.0.0
info: {title: t, version: "1"}
channels:
  out:
    address: orders.out
    messages:
      m: {$ref: "#/components/messages/Out"}
  in:
    address: orders.in
    messages:
      m: {$ref: "#/components/messages/In"}
operations:
  publish: {action: send, channel: {$ref: "#/channels/out"}}
  consume: {action: receive, channel: {$ref: "#/channels/in"}}
components:
  schemas:
    Shared:
      type: object
      required: [id]
      properties:
        id: {type: string}
        state: {type: string, enum: [new, done]}
  messages:
    Out: {payload: {$ref: "#/components/schemas/Shared"}}
    In: {payload: {$ref: "#/components/schemas/Shared"}}
"""


def _diff(tmp_path: Path, old: str, new: str) -> dict[tuple[str, str], str]:
    (tmp_path / "old.yaml").write_text(textwrap.dedent(SERVICE))
    (tmp_path / "new.yaml").write_text(textwrap.dedent(SERVICE).replace(old, new))
    a = AsyncContract.from_path(tmp_path / "old.yaml")
    b = AsyncContract.from_path(tmp_path / "new.yaml")
    return {
        (c.path.split("/")[1], c.path.split("/")[2]): c.level
        for c in asyncapi_changes(a, b, resolved=True)
        if c.path.startswith("/channels/") and "/payload/" in c.path
    }


def test_a_new_enum_value_breaks_what_consumers_receive_only(tmp_path: Path) -> None:
    levels = _diff(tmp_path, "enum: [new, done]", "enum: [new, done, lost]")
    assert levels == {("channels", "out"): "breaking", ("channels", "in"): "non-breaking"}


def test_a_new_required_field_breaks_what_consumers_send_only(tmp_path: Path) -> None:
    levels = _diff(tmp_path, "required: [id]", "required: [id, state]")
    assert levels == {("channels", "out"): "non-breaking", ("channels", "in"): "breaking"}


def test_breaking_message_changes_name_the_consumers_with_message_pacts(
    tmp_path: Path, repo: Path
) -> None:
    pact = PactFile.from_path(repo / "contracts/pacts/shipping-orders.json")
    text = (repo / "contracts/asyncapi/orders.yaml").read_text()
    (tmp_path / "new.yaml").write_text(text.replace("const: order.confirmed", "const: order.x"))
    old = AsyncContract.from_path(repo / "contracts/asyncapi/orders.yaml")
    changes = asyncapi_changes(old, AsyncContract.from_path(tmp_path / "new.yaml"), resolved=True)
    breaking = [c for c in changes if c.level == "breaking"]
    assert breaking
    affected = consumers_of_change(breaking[0], [pact], "orders", old)
    assert [(a.consumer, a.interaction) for a in affected] == [
        ("shipping", "an order confirmed event")
    ]
    assert consumers_of_change(breaking[0], [pact], "payments", old) == []


def test_the_cli_diffs_asyncapi_documents_and_fails_for_consumers(
    tmp_path: Path, repo: Path
) -> None:
    text = (repo / "contracts/asyncapi/orders.yaml").read_text()
    new = tmp_path / "orders.yaml"
    new.write_text(text.replace("const: order.cancelled", "const: order.withdrawn"))
    argv = [sys.executable, "-m", "accord", "diff", str(repo / "contracts/asyncapi/orders.yaml"),
            str(new), "--pacts", str(repo / "contracts/pacts")]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": f"{repo / 'src'}{os.pathsep}{repo}"}
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "breaking      edit   /channels/orderCancelled/messages/orderCancelled/payload" in (
        proc.stdout
    )
    assert (
        "affects notifications ('an order cancelled event'), shipping ('an order cancelled event')"
        in proc.stdout
    )
    unchanged = [*argv[:5], argv[4]]
    same = subprocess.run(unchanged, capture_output=True, text=True, env=env, check=False)
    assert same.returncode == 0 and "0 change(s)" in same.stdout
