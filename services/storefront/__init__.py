"""The storefront: the shop's customer-facing consumer of orders, catalog and reviews.

Not a service (it serves nothing): a small client library (:class:`Storefront`) and a
command line (``python -m services.storefront``) on the generated clients, talking to the
gateway or straight to a service URL.
"""

from __future__ import annotations

from services.storefront.client import (
    OrderLine,
    OrderSummary,
    ProductSummary,
    Ratings,
    Storefront,
    StorefrontError,
)

__all__ = [
    "OrderLine",
    "OrderSummary",
    "ProductSummary",
    "Ratings",
    "Storefront",
    "StorefrontError",
]
