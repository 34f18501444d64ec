"""orders' outbox relay on a real NATS JetStream with bad rows planted among good ones.

A row the event's model refuses is moved to ``outbox_dead_letters`` (kept, with the
reason), logged at error level, and the rows after it are still published, in order;
``/healthz`` reports the outbox degraded. A broker that is away is not a bad row: those
rows stay in the outbox. ``python -m services.orders dead-letters`` lists the dead letters
and ``... replay`` moves those the current models take back to the outbox (the real CLI on
the real SQLite file), which the relay then publishes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from generated.orders import models
from services.orders._store import SCHEMA
from services.orders.app import create
from services.orders.events import OutboxRelay, record_event

from accord._process import free_port
from accord.runtime import Database
from tests.shop.events import nats_server, stream_messages
from tests.shop.test_events import _order_model


def _order(state: str = "confirmed") -> models.Order:
    reason = "payment_declined" if state == "failed" else None
    return _order_model(state, failure_reason=reason)


def _plant(conn: sqlite3.Connection, event_id: str, payload: str) -> None:
    conn.execute(
        "INSERT INTO outbox (event_id, subject, payload, created_at) VALUES (?, ?, ?, ?)",
        (event_id, "orders.x.confirmed", payload, "2025-04-02T11:00:00Z"),
    )


def _rows(db: Database, sql: str) -> list[tuple[Any, ...]]:
    with db.connect() as conn:
        return [tuple(row) for row in conn.execute(sql).fetchall()]


@pytest.fixture
def outbox(tmp_path: Path) -> tuple[Database, list[str]]:
    """Five good events, with three bad rows between them; the good events' ids."""
    db = Database(tmp_path / "orders.sqlite3", SCHEMA)
    good: list[str] = []
    with db.transaction() as conn:
        good.append(str(record_event(conn, _order())))
        valid = json.loads(conn.execute("SELECT payload FROM outbox").fetchone()[0])
        _plant(conn, "evt_negativeTotal", json.dumps(valid | {"total": -5}))
        good.append(str(record_event(conn, _order("cancelled"))))
        _plant(conn, "evt_notJson0", "{'order_id': 'ord_1'")
        good.append(str(record_event(conn, _order())))
        unknown = valid | {"event_id": "evt_unknownType", "type": "order.shipped"}
        _plant(conn, "evt_unknownType", json.dumps(unknown))  # no channel carries it
        good += [str(record_event(conn, _order("failed"))), str(record_event(conn, _order()))]
    return db, good


async def _relay_until_drained(relay: OutboxRelay) -> None:
    task = asyncio.create_task(relay.run())
    try:
        for _ in range(200):
            if not relay.pending() or task.done():
                break
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def test_bad_rows_are_dead_lettered_and_the_rest_published(
    outbox: tuple[Database, list[str]], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db, good = outbox
    with caplog.at_level(logging.ERROR, "services.orders.events"), nats_server(tmp_path) as nats:
        asyncio.run(_relay_until_drained(OutboxRelay(db, nats.url, interval=0.05)))
        published = stream_messages(nats.url)
    assert [payload["event_id"] for _, _, payload in published] == good  # in order, none lost
    assert _rows(db, "SELECT count(*) FROM outbox WHERE published_at IS NULL") == [(0,)]
    dead = {row[0]: row[1:] for row in _rows(
        db, "SELECT event_id, payload, reason FROM outbox_dead_letters ORDER BY seq"
    )}  # fmt: skip
    assert list(dead) == ["evt_negativeTotal", "evt_notJson0", "evt_unknownType"]
    assert json.loads(dead["evt_negativeTotal"][0])["total"] == -5  # kept as it was
    assert "greater than or equal to 0 at /total" in dead["evt_negativeTotal"][1]
    assert dead["evt_notJson0"][1].startswith("JSONDecodeError:")
    assert dead["evt_unknownType"][1].endswith(" at /type")
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 3 and all("moved to outbox_dead_letters" in e for e in errors)
    assert "evt_negativeTotal" in errors[0]

    answer = _healthz(db.path)
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "degraded", "outbox": "degraded, 3 dead-lettered", "dead_lettered": 3
    }  # fmt: skip


def _healthz(db_path: Path, **options: Any) -> httpx.Response:
    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=create(db_path, **options))
        async with httpx.AsyncClient(transport=transport, base_url="http://orders") as http:
            return await http.get("/healthz")

    return asyncio.run(get())


def test_healthz_reports_a_clean_outbox_ok(tmp_path: Path) -> None:
    answer = _healthz(tmp_path / "orders.sqlite3")
    assert (answer.status_code, answer.json()) == (200, {"status": "ok", "outbox": "ok"})


@pytest.mark.parametrize(
    ("found", "status", "body"),
    [
        (True, 200, {"status": "ok"}),
        (False, 503, {"status": "unavailable"}),
        ({"db": "ok"}, 200, {"status": "ok", "db": "ok"}),
        ({"status": "degraded", "db": "slow"}, 200, {"status": "degraded", "db": "slow"}),
        ({"status": "down"}, 503, {"status": "down"}),
    ],
)
def test_a_health_callback_may_return_the_json(
    tmp_path: Path, found: Any, status: int, body: dict[str, Any]
) -> None:
    """``AppOptions.health`` (the runtime every service uses): a bool, or the JSON itself."""
    answer = _healthz(tmp_path / "orders.sqlite3", health=lambda: found)
    assert (answer.status_code, answer.json()) == (status, body)


def test_a_broker_away_keeps_every_row(outbox: tuple[Database, list[str]]) -> None:
    from faststream.nats import NatsBroker  # noqa: PLC0415

    db, _ = outbox
    relay = OutboxRelay(db, f"nats://127.0.0.1:{free_port()}")
    broker = NatsBroker(relay.nats_url)  # never connected: the first good row fails to send
    with pytest.raises(Exception) as failure:  # whatever the client raises
        asyncio.run(relay.publish_pending(broker))
    assert not isinstance(failure.value, ValueError | KeyError | TypeError)
    assert _rows(db, "SELECT count(*) FROM outbox WHERE published_at IS NULL") == [(8,)]
    assert _rows(db, "SELECT count(*) FROM outbox_dead_letters") == [(0,)]


def _dead_letters(db: Database, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m services.orders dead-letters ARGS --db DB``, as an operator runs it."""
    root = Path(__file__).resolve().parents[2]
    return subprocess.run(
        [sys.executable, "-m", "services.orders", "dead-letters", *args, "--db", str(db.path)],
        capture_output=True, text=True, cwd=root, timeout=60, check=False,
    )  # fmt: skip


def _mend(db: Database, event_id: str, change: dict[str, Any]) -> None:
    """An operator mending a kept payload by hand."""
    with db.transaction() as conn:
        (text,) = conn.execute(
            "SELECT payload FROM outbox_dead_letters WHERE event_id = ?", (event_id,)
        ).fetchone()
        conn.execute(
            "UPDATE outbox_dead_letters SET payload = ? WHERE event_id = ?",
            (json.dumps(json.loads(text) | change), event_id),
        )


@pytest.mark.slow
def test_dead_letters_are_listed_and_replayed_once_the_models_take_them(
    outbox: tuple[Database, list[str]], tmp_path: Path
) -> None:
    db, good = outbox
    with nats_server(tmp_path) as nats:
        asyncio.run(_relay_until_drained(OutboxRelay(db, nats.url, interval=0.05)))
        listed = _dead_letters(db)
        assert listed.returncode == 0, listed.stderr
        rows = [line.split("\t") for line in listed.stdout.splitlines()]
        assert [row[1] for row in rows] == ["evt_negativeTotal", "evt_notJson0", "evt_unknownType"]
        assert all(row[2].endswith("Z") for row in rows)  # when
        assert "greater than or equal to 0 at /total" in rows[0][3]  # why

        # refused by an older, stricter model: the current one takes it as it is
        with db.transaction() as conn:
            conn.execute(
                "INSERT INTO outbox_dead_letters (seq, event_id, subject, payload, created_at, "
                "dead_at, reason) SELECT 100, 'evt_olderModel', subject, "
                "json_set(payload, '$.event_id', 'evt_olderModel'), created_at, "
                "'2025-04-02T12:00:00Z', 'ValidationError: an older model' "
                "FROM outbox WHERE event_id = ?",
                (good[0],),
            )
        some = _dead_letters(db, "replay", "--all")
        assert some.returncode == 1, some.stderr  # some are still refused
        verdicts = {line.split("\t")[2]: line.split("\t")[0] for line in some.stdout.splitlines()}
        assert verdicts == {
            "evt_negativeTotal": "refused", "evt_notJson0": "refused",
            "evt_unknownType": "refused", "evt_olderModel": "replayed",
        }  # fmt: skip
        assert "1 replayed, 3 still refused, 3 left" in some.stderr

        _mend(db, "evt_negativeTotal", {"total": 5, "event_id": "evt_negativeTotal"})
        one = _dead_letters(db, "replay", "evt_negativeTotal")
        assert (one.returncode, one.stdout.split("\t")[:3]) == (
            0,
            ["replayed", "2", "evt_negativeTotal"],
        )
        asyncio.run(_relay_until_drained(OutboxRelay(db, nats.url, interval=0.05)))
        published = [payload["event_id"] for _, _, payload in stream_messages(nats.url)]
    assert published == [*good, "evt_negativeTotal", "evt_olderModel"]  # by their old order
    assert _rows(db, "SELECT count(*) FROM outbox WHERE published_at IS NULL") == [(0,)]
    assert _healthz(db.path).json()["outbox"] == "degraded, 2 dead-lettered"

    unknown = _dead_letters(db, "replay", "evt_nope", "4")
    assert unknown.returncode == 1
    assert "error: no dead letter 'evt_nope'" in unknown.stderr
    assert unknown.stdout.startswith("refused\t4\tevt_notJson0\t")  # 4: a sequence number
    with db.transaction() as conn:
        conn.execute("UPDATE outbox_dead_letters SET payload = ? WHERE event_id = 'evt_notJson0'",
                     (_rows(db, "SELECT payload FROM outbox WHERE seq = 1")[0][0],))  # fmt: skip
        conn.execute("UPDATE outbox_dead_letters SET payload = json_set(payload, "
                     "'$.event_id', event_id, '$.type', 'order.confirmed')")  # fmt: skip
    rest = _dead_letters(db, "replay", "--all")
    assert rest.returncode == 0, rest.stdout + rest.stderr
    assert "2 replayed, 0 still refused, 0 left" in rest.stderr
    assert _healthz(db.path).json() == {"status": "ok", "outbox": "ok"}


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["replay"], 2, "replay needs IDs or --all"),
        (["replay", "--all", "evt_1"], 2, "replay needs IDs or --all"),
        (["list", "evt_1"], 2, "IDs and --all go with `replay`"),
        (["purge"], 2, "invalid choice: 'purge'"),
    ],
)
def test_dead_letters_command_line_errors_are_one_line(
    outbox: tuple[Database, list[str]], args: list[str], code: int, says: str
) -> None:
    db, _ = outbox
    done = _dead_letters(db, *args)
    assert done.returncode == code
    (line,) = done.stderr.strip().splitlines()
    assert says in line and "Traceback" not in done.stderr, line


def test_dead_letters_without_a_database_is_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "services.orders", "dead-letters", "--db", str(tmp_path / "x.db")],
        capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2], timeout=60,
        check=False,
    )  # fmt: skip
    assert done.returncode == 1 and not (tmp_path / "x.db").exists()
    assert (
        done.stderr.strip() == f"error: {tmp_path / 'x.db'}: no orders database there (--db PATH)"
    )
