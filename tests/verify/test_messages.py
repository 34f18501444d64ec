"""Property tests of produced messages: what a provider publishes on a real NATS server while
schemathesis drives it, checked against its AsyncAPI document (one result per channel).

The watcher is tested on its own against a real broker (every verdict: passed, failed, no
message seen, undeclared subject), then ``accord verify`` on a copy of the shop: orders'
events fit its document, and a planted defect in them (a required field left out, a wrong
type) fails verification by name, in the JUnit and HTML reports and in can-i-deploy.
"""

from __future__ import annotations

import asyncio
import html
import json
import sqlite3
import textwrap
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import nats
import pytest

from accord.core import AsyncContract
from accord.verify._messages import EventWatch, watching_events
from accord.workspace import load_workspace
from tests.shop.events import nats_server
from tests.verify.test_verify import accord, plant, workspace_copy

DOC = """\
asyncapi: 3.0.0
info: {title: stock, version: "1"}
channels:
  levels:
    address: stock.{sku}.level
    parameters:
      sku: {enum: [CUP-001, MUG-002]}
    messages:
      level:
        headers:
          type: object
          required: [Msg-Id]
          properties: {Msg-Id: {type: string}}
        payload:
          type: object
          required: [sku, on_hand]
          properties:
            sku: {type: string}
            on_hand: {type: integer, minimum: 0}
  alerts:
    address: stock.alerts
    messages:
      alert: {payload: {type: string}}
  commands:
    address: stock.commands
    messages:
      adjust: {payload: {type: object}}
operations:
  publishLevels: {action: send, channel: {$ref: "#/channels/levels"}}
  publishAlerts: {action: send, channel: {$ref: "#/channels/alerts"}}
  adjust: {action: receive, channel: {$ref: "#/channels/commands"}}
"""


async def _publish(url: str, messages: list[tuple[str, object, dict[str, str]]]) -> None:
    conn = await nats.connect(url)
    for subject, body, headers in messages:
        await conn.publish(subject, json.dumps(body).encode(), headers=headers or None)
    await conn.flush()
    await conn.close()


def test_each_sent_channel_gets_its_own_verdict_with_counts(tmp_path: Path) -> None:
    doc = tmp_path / "stock.yaml"
    doc.write_text(textwrap.dedent(DOC))
    contract = AsyncContract.from_path(doc)
    with nats_server(tmp_path) as broker:
        with EventWatch(contract, broker.url, tmp_path / "evidence") as watch:
            good = ({"sku": "CUP-001", "on_hand": 3}, {"Msg-Id": "m1"})
            asyncio.run(
                _publish(
                    broker.url,
                    [
                        ("stock.CUP-001.level", *good),
                        (
                            "stock.MUG-002.level",
                            {"sku": "MUG-002", "on_hand": -1},
                            {"Msg-Id": "m2"},
                        ),
                        ("stock.CUP-001.level", {"sku": "CUP-001", "on_hand": 1}, {}),
                        ("stock.TEA-003.level", *good),  # a parameter value outside its enum
                        ("stock.commands", {}, {}),  # the service receives there, never sends
                        ("stock.unknown", {}, {}),
                    ],
                )
            )
            watch.settle(quiet=0.3)
        results = {r.name: r for r in watch.results("accord verify stock")}
    levels = results["publishLevels: stock.{sku}.level"]
    assert (levels.verdict, levels.seen, levels.violations) == ("failed", 4, 3)
    assert "/on_hand: -1 is less than the minimum of 0" in levels.message
    assert 'headers/: "Msg-Id" is a required property' in levels.message
    assert "channel parameter sku = 'TEA-003': expected one of 'CUP-001', 'MUG-002'" in (
        levels.message
    )
    assert levels.reproduce == "accord verify stock"
    alerts = results["publishAlerts: stock.alerts"]
    assert (alerts.verdict, alerts.seen, alerts.passed) == ("no message seen", 0, False)
    stray = results["undeclared subjects"]
    assert (stray.verdict, stray.seen) == ("failed", 2)
    assert "stock.commands" in stray.message and "has no `send` operation" in stray.message
    assert "no channel of the document has the address 'stock.unknown'" in stray.message
    lines = (tmp_path / "evidence" / "messages.jsonl").read_text().splitlines()
    assert len(lines) == 6
    assert json.loads(lines[0])["problems"] == []


def test_a_conforming_run_passes(tmp_path: Path) -> None:
    doc = tmp_path / "stock.yaml"
    doc.write_text(textwrap.dedent(DOC))
    contract = AsyncContract.from_path(doc)
    with nats_server(tmp_path) as broker:
        with EventWatch(contract, broker.url, tmp_path / "evidence") as watch:
            level = {"sku": "CUP-001", "on_hand": 3}
            asyncio.run(
                _publish(
                    broker.url,
                    [
                        (
                            "stock.CUP-001.level",
                            level,
                            {"Msg-Id": "m1", "content-type": "application/json"},
                        ),
                        ("stock.alerts", "low on CUP-001", {}),
                    ],
                )
            )
            watch.settle(quiet=0.3)
        results = watch.results()
    assert [(r.name, r.verdict, r.seen) for r in results] == [
        ("publishLevels: stock.{sku}.level", "passed", 1),
        ("publishAlerts: stock.alerts", "passed", 1),
    ]


@pytest.mark.slow
def test_orders_events_fit_its_document_during_verification(tmp_path: Path) -> None:
    root = workspace_copy(tmp_path)
    proc = accord(
        "verify", "orders", "--no-pacts", "--skip-gates", "--max-examples", "10", cwd=root
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "orders messages: passed" in proc.stderr
    junit = ET.parse(root / "reports" / "junit.xml").getroot()
    cases = {
        c.get("name"): c for c in junit.iter("testcase") if c.get("classname") == "orders.messages"
    }
    confirmed = cases["publishOrderConfirmed: orders.{orderId}.confirmed"]
    assert confirmed.find("failure") is None and confirmed.find("skipped") is None
    assert set(cases) == {
        "publishOrderConfirmed: orders.{orderId}.confirmed",
        "publishOrderCancelled: orders.{orderId}.cancelled",
        "publishOrderFailed: orders.{orderId}.failed",
    }
    seen = (root / "reports" / "orders" / "messages" / "messages.jsonl").read_text().splitlines()
    assert seen and all(json.loads(line)["problems"] == [] for line in seen)
    page = (root / "reports" / "report.html").read_text()
    assert '<h2 id="events">' in page and "publishOrderConfirmed" in page
    with sqlite3.connect(root / ".accord" / "results.sqlite3") as conn:
        rows = conn.execute("SELECT provider, passed, violations FROM event_checks").fetchall()
    assert rows == [("orders", 1, 0)]
    answer = accord("can-i-deploy", "orders", cwd=root)
    assert "do not fit" not in answer.stdout


@pytest.mark.slow
def test_planted_defects_in_orders_events_fail_verification(tmp_path: Path) -> None:
    root = workspace_copy(tmp_path)
    events = root / "services" / "orders" / "events.py"
    # 1. a confirmed event without a required field; 2. a cancelled one with a wrong type,
    # published by hand past the generated publishers (whose models would refuse them)
    anchor = "        for row in self.pending():\n"
    plant(
        events,
        anchor,
        anchor + '            payload, jetstream = json.loads(row["payload"]), {"stream": STREAM}\n'
        '            kind = payload["type"]\n'
        '            if kind in ("order.confirmed", "order.cancelled"):\n'
        '                if kind == "order.confirmed":\n'
        '                    del payload["customer_id"]\n'
        "                else:\n"
        '                    payload["total"] = str(payload["total"])\n'
        '                headers = {"Nats-Msg-Id": row["event_id"]}\n'
        '                subject = row["subject"]\n'
        "                await broker.publish(payload, subject, headers=headers, **jetstream)\n"
        '                self._mark(row["seq"])\n'
        "                count += 1\n"
        "                continue\n",
    )
    proc = accord(
        "verify", "orders", "--no-pacts", "--skip-gates", "--max-examples", "10", cwd=root
    )
    out = proc.stdout
    assert proc.returncode == 1, out[-3000:] + proc.stderr[-2000:]
    assert "orders: messages: publishOrderConfirmed: orders.{orderId}.confirmed" in out
    assert '"customer_id" is a required property' in out
    assert "orders: messages: publishOrderCancelled: orders.{orderId}.cancelled" in out
    assert 'is not of type "integer"' in out
    assert "reproduce: accord verify orders --skip-gates --no-pacts --seed 0" in out
    junit = ET.parse(root / "reports" / "junit.xml").getroot()
    failed = {
        c.get("name")
        for c in junit.iter("testcase")
        if c.get("classname") == "orders.messages" and c.find("failure") is not None
    }
    assert failed == {
        "publishOrderConfirmed: orders.{orderId}.confirmed",
        "publishOrderCancelled: orders.{orderId}.cancelled",
    }
    page = (root / "reports" / "report.html").read_text()
    assert "Verification failed." in page
    assert html.escape('"customer_id" is a required property') in page
    answer = accord("can-i-deploy", "orders", cwd=root)
    assert answer.returncode == 1
    assert "message(s) that do not fit orders.yaml" in answer.stdout


def test_a_provider_running_elsewhere_is_watched_on_the_broker_its_document_names(
    tmp_path: Path,
) -> None:
    root = workspace_copy(tmp_path / "shop")
    events = root / "contracts" / "asyncapi" / "orders.yaml"
    with nats_server(tmp_path) as broker:
        port = broker.url.rsplit(":", 1)[1]
        plant(events, "host: 127.0.0.1:4222", f"host: 127.0.0.1:{port}")
        workspace = load_workspace(root / "contracts" / "accord.yaml")
        with watching_events(workspace, "orders", tmp_path / "ev", started_here=False) as found:
            assert found is not None and found.watch is not None
            assert found.env == {}  # it is not started here: nothing to tell it
            asyncio.run(_publish(broker.url, [("orders.ord_1.confirmed", {"total": -1}, {})]))
            found.watch.settle(quiet=0.3)
        confirmed = next(r for r in found.watch.results() if "Confirmed" in r.name)
        assert (confirmed.verdict, confirmed.seen) == ("failed", 1)
        assert "/total: -1 is less than the minimum of 0" in confirmed.message
    # the broker is gone: nothing can be watched, which is said, not passed and not an error
    with watching_events(workspace, "orders", tmp_path / "ev", started_here=False) as found:
        assert found is not None and found.watch is None
        (skipped,) = found.skipped
    assert skipped.skipped and "orders runs elsewhere and its messages cannot be watched" in (
        skipped.message
    )


def test_settle_waits_for_a_message_published_just_after_the_driver_stopped(
    tmp_path: Path,
) -> None:
    """An outbox relay publishes a beat after the request that caused the event."""
    doc = tmp_path / "stock.yaml"
    doc.write_text(textwrap.dedent(DOC))
    contract = AsyncContract.from_path(doc)
    with (
        nats_server(tmp_path) as broker,
        EventWatch(contract, broker.url, tmp_path / "evidence") as watch,
    ):
        late = threading.Timer(
            0.3, lambda: asyncio.run(_publish(broker.url, [("stock.alerts", "low", {})]))
        )
        late.start()
        watch.settle(quiet=0.6)
        seen = [m.subject for m in watch.seen]  # what verify would check
        late.join()
    assert seen == ["stock.alerts"]
