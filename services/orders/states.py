"""The provider states orders' consumers' pacts use."""

from __future__ import annotations

from accord.runtime import Database, ProviderStates, utcnow

__all__ = ["provider_states", "seed_order"]

#: the reservation catalog's pact says it makes for orders' orders
RESERVATION = "rsv_K2p9Wd4Xs7Qa"


def seed_order(
    db: Database,
    order_id: str,
    state: str,
    *,
    reservation: str | None = None,
    charge: str | None = None,
    reason: str | None = None,
) -> None:
    """Put ``order_id`` in the database, settled in ``state``: one line of two mugs (the
    product and customer the consumers' pacts name), replacing any order of that id."""
    now = utcnow()
    with db.transaction() as conn:
        conn.execute("DELETE FROM orders WHERE id = ?", (order_id,))
        conn.execute(
            "INSERT INTO orders VALUES (?, 'cus_9dLw3Rt7Yb2e', NULL, ?, 'EUR', 2598, 2598,"
            " ?, ?, ?, ?, ?)",
            (order_id, state, reservation, charge, reason, now, now),
        )
        conn.execute(
            "INSERT INTO order_lines VALUES (?, 0, 'prd_7Hx2Kq9LmN4p', 2, 1299)", (order_id,)
        )


def provider_states(db: Database) -> ProviderStates:
    states = ProviderStates()

    @states.state("order {order_id} is confirmed")
    def confirmed(order_id: str) -> None:
        seed_order(db, order_id, "confirmed", reservation=RESERVATION, charge="ch_5Gh8Jk2Lm4Np")

    @states.state("order {order_id} does not exist")
    def missing(order_id: str) -> None:
        with db.transaction() as conn:
            conn.execute("DELETE FROM orders WHERE id = ?", (order_id,))

    # orders keeps no products: whether one can be ordered is up to catalog (and payments).
    # Each state names the states its dependencies are in for the story to hold; verify
    # sets them on their pact-mode mocks. Here, only no earlier order or idempotency
    # record may answer instead.
    @states.state("product {product_id} can be ordered")
    def orderable(product_id: str) -> dict[str, list[str]]:
        with db.transaction() as conn:
            conn.execute("DELETE FROM idempotency")
        return {
            "catalog": [
                f"product {product_id} has 5 in stock",
                f"reservation {RESERVATION} is held for product {product_id}",
            ],
            "payments": ["payments accepts new charges"],
        }

    @states.state("product {product_id} is out of stock")
    def out_of_stock(product_id: str) -> dict[str, list[str]]:
        with db.transaction() as conn:
            conn.execute("DELETE FROM idempotency")
        return {"catalog": [f"product {product_id} has 0 in stock"]}

    @states.state("product {product_id} does not exist")
    def unknown_product(product_id: str) -> dict[str, list[str]]:
        with db.transaction() as conn:
            conn.execute("DELETE FROM idempotency")
        return {"catalog": [f"product {product_id} does not exist"]}

    return states
