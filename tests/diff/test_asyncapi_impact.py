"""AsyncAPI diff, as a reader uses it: each change listed once, where the reader looks for it
(the channel and message; the component it is written in as context), and consumers named
only when one of their message pacts receives the changed message on the changed channel."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from accord.core import AsyncContract, PactFile
from accord.diff import asyncapi_changes, render_async_changes

ORDERS = "contracts/asyncapi/orders.yaml"


def _diff(
    repo: Path, tmp_path: Path, old: str, new: str, *extra: str, pacts: Path | None = None
) -> tuple[int, str]:
    text = (repo / ORDERS).read_text()
    assert old in text
    changed = tmp_path / "orders.yaml"
    changed.write_text(text.replace(old, new, 1))
    argv = [sys.executable, "-m", "accord", "diff", str(repo / ORDERS), str(changed),
            "--pacts", str(pacts or repo / "contracts/pacts"), *extra]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": f"{repo / 'src'}{os.pathsep}{repo}"}
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, proc.stdout


def test_a_change_no_pact_receives_names_no_consumer(repo: Path, tmp_path: Path) -> None:
    # shipping's pact has confirmed and cancelled events, no failed one
    only = tmp_path / "pacts"
    only.mkdir()
    shutil.copy(repo / "contracts/pacts/shipping-orders.json", only)
    change = ("payment_interrupted]", "payment_interrupted, fraud]")
    code, out = _diff(repo, tmp_path, *change, pacts=only)
    assert "affects" not in out
    assert code == 0, out
    strict, _ = _diff(repo, tmp_path, *change, "--strict", pacts=only)
    assert strict == 1
    # notifications' pact (pact-js) receives failed events: with every pact, it is named
    code, out = _diff(repo, tmp_path, *change)
    assert code == 1 and "affects notifications ('an order failed event')" in out, out


def test_a_change_is_listed_once_where_its_message_is_used(repo: Path, tmp_path: Path) -> None:
    _, out = _diff(repo, tmp_path, "payment_interrupted]", "payment_interrupted, fraud]")
    lines = out.splitlines()
    assert lines[0].endswith(": 1 change(s), 1 breaking"), out
    rows = [line for line in lines[1:] if not line.startswith("      ")]
    assert len(rows) == 1, out
    assert (
        "/channels/orderFailed/messages/orderFailed/payload/allOf/1/properties/reason/enum/4"
        in (rows[0])
    )
    assert "      written at /components/schemas/OrderFailed/allOf/1/properties/reason/enum/4" in (
        lines
    ), out
    data = json.loads(
        _diff(
            repo,
            tmp_path,
            "payment_interrupted]",
            "payment_interrupted, fraud]",
            "--format",
            "json",
        )[1]
    )
    (change,) = data["changes"]
    assert (
        change["written_at"] == "/components/schemas/OrderFailed/allOf/1/properties/reason/enum/4"
    )
    assert (
        "/components/messages/OrderFailed/payload/allOf/1/properties/reason/enum/4"
        in (change["also_at"])
    )


def test_consumers_are_named_by_the_channel_and_message_they_receive(
    repo: Path, tmp_path: Path
) -> None:
    code, out = _diff(repo, tmp_path, "const: order.confirmed", "const: order.placed")
    assert code == 1, out
    (row,) = [line for line in out.splitlines() if "affects" in line]
    assert "/channels/orderConfirmed/" in row
    assert "affects shipping ('an order confirmed event')" in row
    assert "cancelled" not in row


TWO_MESSAGES = """\
asyncapi: 3.0.0
info: {title: stock, version: "1"}
channels:
  stock:
    address: stock.{sku}
    parameters: {sku: {}}
    messages:
      level:
        payload:
          type: object
          required: [on_hand]
          properties: {on_hand: {type: integer}, unit: {type: string, enum: [pcs, kg]}}
      alert:
        payload:
          type: object
          required: [alert]
          properties: {alert: {type: string, enum: [low, out]}}
operations:
  publishStock: {action: send, channel: {$ref: "#/channels/stock"}}
"""

PACT = {
    "consumer": {"name": "shelf"},
    "provider": {"name": "stock"},
    "messages": [
        {
            "description": "a stock level",
            "contents": {"on_hand": 3},
            "metaData": {"subject": "stock.CUP-001", "contentType": "application/json"},
        }
    ],
    "metadata": {"pactSpecification": {"version": "3.0.0"}},
}


def _consumers(tmp_path: Path, old: str, new: str) -> list[list[str]]:
    (tmp_path / "old.yaml").write_text(TWO_MESSAGES)
    (tmp_path / "new.yaml").write_text(TWO_MESSAGES.replace(old, new, 1))
    (tmp_path / "pact.json").write_text(json.dumps(PACT))
    before = AsyncContract.from_path(tmp_path / "old.yaml")
    after = AsyncContract.from_path(tmp_path / "new.yaml")
    pacts = [PactFile.from_path(tmp_path / "pact.json")]
    changes = asyncapi_changes(before, after, resolved=True)
    text, _, _ = render_async_changes(changes, pacts, "json", "t", before, after)
    return [c["consumers"] for c in json.loads(text)["changes"] if c["level"] == "breaking"]


def test_on_a_channel_with_two_messages_only_the_received_one_matters(tmp_path: Path) -> None:
    assert _consumers(tmp_path, "enum: [low, out]", "enum: [low, out, gone]") == [[]]
    assert _consumers(tmp_path, "enum: [pcs, kg]", "enum: [pcs, kg, l]") == [["shelf"]]


def test_a_schema_shared_by_both_directions_is_judged_once_per_direction(
    tmp_path: Path,
) -> None:
    doc = textwrap.dedent("""\
        asyncapi: 3.0.0
        info: {title: t, version: "1"}
        channels:
          out: {address: o, messages: {m: {$ref: "#/components/messages/Out"}}}
          in: {address: i, messages: {m: {$ref: "#/components/messages/In"}}}
        operations:
          publish: {action: send, channel: {$ref: "#/channels/out"}}
          consume: {action: receive, channel: {$ref: "#/channels/in"}}
        components:
          schemas:
            Shared: {type: object, properties: {s: {type: string, enum: [a, b]}}}
          messages:
            Out: {payload: {$ref: "#/components/schemas/Shared"}}
            In: {payload: {$ref: "#/components/schemas/Shared"}}
        """)
    (tmp_path / "old.yaml").write_text(doc)
    (tmp_path / "new.yaml").write_text(doc.replace("[a, b]", "[a, b, c]"))
    before = AsyncContract.from_path(tmp_path / "old.yaml")
    after = AsyncContract.from_path(tmp_path / "new.yaml")
    changes = asyncapi_changes(before, after, resolved=True)
    text, breaking, _ = render_async_changes(changes, [], "json", "t", before, after)
    rows = [(c["path"].split("/")[2], c["level"]) for c in json.loads(text)["changes"]]
    assert sorted(rows) == [("in", "non-breaking"), ("out", "breaking")]
    assert breaking == 1
