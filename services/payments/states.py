"""The provider states payments' consumers' pacts use."""

from __future__ import annotations

from accord.runtime import Database, ProviderStates, utcnow

__all__ = ["provider_states"]


def provider_states(db: Database) -> ProviderStates:
    states = ProviderStates()

    @states.state("no charges exist")
    def empty() -> None:
        with db.transaction() as conn:  # one statement at a time: executescript would COMMIT
            for table in ("refunds", "charges", "idempotency"):
                conn.execute(f"DELETE FROM {table}")

    @states.state("charge {charge_id} succeeded for {amount}")
    def charged(charge_id: str, amount: str) -> None:
        with db.transaction() as conn:
            conn.execute("DELETE FROM refunds WHERE charge_id = ?", (charge_id,))
            conn.execute("DELETE FROM charges WHERE id = ?", (charge_id,))
            conn.execute(
                "INSERT INTO charges VALUES (?, 'ord_Q4m8TzR2vW6y', ?, 'EUR', 'succeeded', NULL, 0,"
                " 'visa', '4242', NULL, ?)",
                (charge_id, int(amount), utcnow()),
            )

    @states.state("charge {charge_id} for {amount} was made with Idempotency-Key {key}")
    def charged_with_key(charge_id: str, amount: str, key: str) -> None:
        charged(charge_id, amount)
        with db.transaction() as conn:
            conn.execute("DELETE FROM idempotency WHERE scope = 'charge' AND key = ?", (key,))
            conn.execute(
                "INSERT INTO idempotency VALUES ('charge', ?, 'from a provider state', 201, ?, ?)",
                (key, charge_id, utcnow()),
            )

    @states.state("payments accepts new charges")
    def accepting() -> None:
        # like "no charges exist", in plain statements: executescript() would COMMIT the
        # transaction it runs in
        with db.transaction() as conn:
            for table in ("refunds", "charges", "idempotency"):
                conn.execute(f"DELETE FROM {table}")

    return states
