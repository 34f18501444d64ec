"""payments' implementation of the generated ``PaymentsService`` protocol."""

from __future__ import annotations

import hashlib
import json
import sqlite3

from generated.payments import models
from generated.payments.server import PaymentsService

from accord.runtime import Database, HttpProblem, Reply, new_id, utcnow
from services.payments.rules import IssuerRules

__all__ = ["Payments"]

PAGE_MAX = 100


def _hash(body: models.ChargeCreate | models.RefundCreate, *extra: str) -> str:
    canonical = json.dumps(body.model_dump(mode="json", exclude_unset=True), sort_keys=True)
    return hashlib.sha256("\0".join([canonical, *extra]).encode()).hexdigest()


def _charge(row: sqlite3.Row) -> models.Charge:
    return models.Charge.model_validate(
        {
            "id": row["id"],
            "order_id": row["order_id"],
            "amount": row["amount"],
            "currency": row["currency"],
            "status": row["status"],
            "decline_code": row["decline_code"],
            "amount_refunded": row["amount_refunded"],
            "card": {"brand": row["brand"], "last4": row["last4"]},
            "description": row["description"],
            "created_at": row["created_at"],
        }
    )


def _refund(row: sqlite3.Row) -> models.Refund:
    return models.Refund.model_validate(dict(row))


class Payments:
    """Charges and refunds; an ``Idempotency-Key`` replays the first answer, never charges twice."""

    def __init__(self, db: Database, rules: IssuerRules | None = None) -> None:
        self.db = db
        self.rules = rules or IssuerRules()

    def _replay(self, conn: sqlite3.Connection, scope: str, key: str, digest: str) -> str | None:
        row = conn.execute(
            "SELECT request_hash, resource_id FROM idempotency WHERE scope = ? AND key = ?",
            (scope, key),
        ).fetchone()
        if row is None:
            return None
        if row["request_hash"] != digest:
            raise HttpProblem(
                409,
                "Idempotency-Key reused",
                f"Idempotency-Key {key} was used with a different request",
                type="https://shop.invalid/problems/idempotency-key-reused",
            )
        return str(row["resource_id"])

    # charges ------------------------------------------------------------------------------
    def create_charge(
        self, body: models.ChargeCreate, *, idempotency_key: str
    ) -> Reply[models.Charge]:
        digest = _hash(body)
        verdict = self.rules.judge(body.payment_token.root)
        with self.db.transaction() as conn:  # the key check and the charge are one transaction
            existing = self._replay(conn, "charge", idempotency_key, digest)
            if existing is not None:
                return Reply(self._get_charge(conn, existing), status=201)
            if not verdict.usable:
                raise HttpProblem(
                    402, "Payment token unusable", "the token is expired, used or revoked"
                )
            ident, now = new_id("ch"), utcnow()
            conn.execute(
                "INSERT INTO charges VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)",
                (
                    ident, body.order_id.root, body.amount.root, body.currency.value,
                    "declined" if verdict.decline_code else "succeeded", verdict.decline_code,
                    verdict.brand, verdict.last4, body.description, now,
                ),
            )  # fmt: skip
            conn.execute(
                "INSERT INTO idempotency VALUES ('charge', ?, ?, 201, ?, ?)",
                (idempotency_key, digest, ident, now),
            )
            return Reply(self._get_charge(conn, ident), status=201)

    def _get_charge(self, conn: sqlite3.Connection, charge_id: str) -> models.Charge:
        row = conn.execute("SELECT * FROM charges WHERE id = ?", (charge_id,)).fetchone()
        if row is None:
            raise HttpProblem(404, "Not Found", f"charge {charge_id} does not exist")
        return _charge(row)

    def get_charge(self, charge_id: str) -> models.Charge:
        with self.db.connect() as conn:
            return self._get_charge(conn, charge_id)

    def list_charges(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        order_id: str | None = None,
        status: str | None = None,
        idempotency_key: str | None = None,
    ) -> models.ChargePage:
        size = min(limit or 20, PAGE_MAX)
        where, args = ["1=1"], []
        for column, value in (("order_id", order_id), ("status", status)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if idempotency_key is not None:  # how a caller whose charge timed out finds it
            where.append(
                "id = (SELECT resource_id FROM idempotency WHERE scope = 'charge' AND key = ?)"
            )
            args.append(idempotency_key)
        if cursor:
            where.append("rowid < (SELECT rowid FROM charges WHERE id = ?)")
            args.append(cursor)
        with self.db.connect() as conn:
            rows = conn.execute(
                f"SELECT * FROM charges WHERE {' AND '.join(where)} ORDER BY rowid DESC LIMIT ?",
                [*args, size + 1],
            ).fetchall()
        next_cursor = rows[size - 1]["id"] if len(rows) > size else None
        return models.ChargePage(items=[_charge(r) for r in rows[:size]], next_cursor=next_cursor)

    # refunds ------------------------------------------------------------------------------
    def create_refund(
        self, charge_id: str, body: models.RefundCreate, *, idempotency_key: str | None = None
    ) -> Reply[models.Refund]:
        digest = _hash(body, charge_id)
        with self.db.transaction() as conn:
            if idempotency_key is not None:
                existing = self._replay(conn, "refund", idempotency_key, digest)
                if existing is not None:
                    return Reply(self._get_refund(conn, existing), status=201)
            charge = self._get_charge(conn, charge_id)
            if charge.status.value != "succeeded":
                raise HttpProblem(
                    409, "Conflict", f"charge {charge_id} was declined; there is nothing to refund"
                )
            left = charge.amount.root - charge.amount_refunded
            amount = body.amount.root if body.amount is not None else left
            if left <= 0:
                raise HttpProblem(409, "Conflict", f"charge {charge_id} is fully refunded")
            if amount > left:
                raise HttpProblem(
                    409,
                    "Refund exceeds charge",
                    f"only {left} of {charge.amount.root} minor units are left to refund",
                    type="https://problems.shop.invalid/refund-exceeds-charge",
                )
            ident, now = new_id("re"), utcnow()
            conn.execute(
                "INSERT INTO refunds VALUES (?, ?, ?, ?, 'succeeded', ?, ?, ?)",
                (
                    ident,
                    charge_id,
                    amount,
                    charge.currency.value,
                    body.reason.value,
                    body.note,
                    now,
                ),
            )
            conn.execute(
                "UPDATE charges SET amount_refunded = amount_refunded + ? WHERE id = ?",
                (amount, charge_id),
            )
            if idempotency_key is not None:
                conn.execute(
                    "INSERT INTO idempotency VALUES ('refund', ?, ?, 201, ?, ?)",
                    (idempotency_key, digest, ident, now),
                )
            return Reply(self._get_refund(conn, ident), status=201)

    def _get_refund(self, conn: sqlite3.Connection, refund_id: str) -> models.Refund:
        row = conn.execute("SELECT * FROM refunds WHERE id = ?", (refund_id,)).fetchone()
        if row is None:
            raise HttpProblem(404, "Not Found", f"refund {refund_id} does not exist")
        return _refund(row)

    def get_refund(self, refund_id: str) -> models.Refund:
        with self.db.connect() as conn:
            return self._get_refund(conn, refund_id)

    def list_charge_refunds(
        self, charge_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> models.RefundPage:
        size = min(limit or 20, PAGE_MAX)
        with self.db.connect() as conn:
            self._get_charge(conn, charge_id)
            args: list[object] = [charge_id]
            extra = ""
            if cursor:
                extra = " AND rowid < (SELECT rowid FROM refunds WHERE id = ?)"
                args.append(cursor)
            rows = conn.execute(
                f"SELECT * FROM refunds WHERE charge_id = ?{extra} ORDER BY rowid DESC LIMIT ?",
                [*args, size + 1],
            ).fetchall()
        next_cursor = rows[size - 1]["id"] if len(rows) > size else None
        return models.RefundPage(items=[_refund(r) for r in rows[:size]], next_cursor=next_cursor)


_: type[PaymentsService] = Payments  # mypy checks Payments against the generated protocol
