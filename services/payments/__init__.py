"""payments: idempotent card charges and refunds."""
