"""catalog: products, stock levels and stock reservations."""
