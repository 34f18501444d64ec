"""``Storefront``: what a customer does in the shop, over the generated clients.

Everything the storefront reads from orders and catalog passes through here, so its
consumer pacts (``tests/consumers/``) pin exactly the fields it depends on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Self, TypeVar

import httpx
from generated.catalog import models as catalog_models
from generated.catalog.client import CatalogClient
from generated.orders import models as orders_models
from generated.orders.client import OrdersClient
from generated.reviews import models as reviews_models
from generated.reviews.client import ReviewsClient
from generated.runtime import ApiError
from pydantic import ValidationError

__all__ = [
    "OrderLine",
    "OrderSummary",
    "ProductSummary",
    "Ratings",
    "Storefront",
    "StorefrontError",
]


T = TypeVar("T")


class StorefrontError(Exception):
    """A request the shop refused (the message is the problem document's title and detail),
    or an answer the storefront cannot read (``status`` 502)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(slots=True, frozen=True)
class ProductSummary:
    """A product as the storefront shows it."""

    id: str
    name: str
    price: int
    currency: str
    in_stock: bool


@dataclass(slots=True, frozen=True)
class OrderLine:
    """One line of an order to place: a product and a quantity."""

    product_id: str
    quantity: int


@dataclass(slots=True, frozen=True)
class OrderSummary:
    """An order as the storefront shows it: its state, total and why it failed (if it did)."""

    id: str
    state: str
    total: int
    currency: str
    failure_reason: str | None
    lines: tuple[OrderLine, ...]


@dataclass(slots=True, frozen=True)
class Ratings:
    """What the storefront shows of a product's reviews: the average, the count, the latest."""

    average: float | None
    count: int
    latest: tuple[tuple[int, str], ...]  # (stars, title), newest first


def _ratings(model: reviews_models.ReviewPage) -> Ratings:
    return Ratings(
        model.average_rating,
        model.count,
        tuple((review.rating.root, review.title) for review in model.items),
    )


def _product(model: catalog_models.Product) -> ProductSummary:
    return ProductSummary(
        id=model.id.root,
        name=model.name.root,
        price=model.price.amount,
        currency=model.price.currency.value,
        in_stock=model.in_stock,
    )


def _order(model: orders_models.Order) -> OrderSummary:
    reason = model.failure_reason.root if model.failure_reason is not None else None
    return OrderSummary(
        id=model.id.root,
        state=model.state.value,
        total=model.total.root,
        currency=model.currency.value,
        failure_reason=reason.value if reason is not None else None,
        lines=tuple(OrderLine(line.product_id.root, line.quantity) for line in model.lines),
    )


def _refused(exc: ApiError) -> StorefrontError:
    problem = exc.problem or {}
    title = problem.get("title") or f"HTTP {exc.status}"
    detail = problem.get("detail")
    return StorefrontError(exc.status, f"{title}: {detail}" if detail else str(title))


def _why(exc: Exception) -> str:
    """One line: each field a model refused, with pydantic's reason, else the first line."""
    if isinstance(exc, ValidationError):
        where = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '(body)'}: {e['msg']}" for e in exc.errors()[:5]
        )
        more = f" and {exc.error_count() - 5} more" if exc.error_count() > 5 else ""
        return f"{exc.title}: {where}{more}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _ask(service: str, call: Callable[[], T | None]) -> T:
    """``call()``'s answer. A refusal stays an ``ApiError`` for the caller to read; an answer
    that breaks the service's contract (not JSON, cut short, the wrong shape, no body) is a
    ``StorefrontError`` with status 502, never a traceback."""
    try:
        answer = call()
    except (ValueError, httpx.DecodingError) as exc:
        raise StorefrontError(
            502, f"{service} answered against its contract ({_why(exc)})"
        ) from None
    if answer is None:
        raise StorefrontError(502, f"{service} answered with no body")
    return answer


class Storefront:
    """Browse products, place orders and follow them, through orders and catalog; read and
    write product reviews through reviews (a JavaScript service: same generated client).

    Pass ``orders`` and ``catalog`` clients (for tests), or URLs and a token::

        with Storefront.connect("http://127.0.0.1:8102", "http://127.0.0.1:8101", token) as shop:
            for product in shop.products():
                ...
    """

    def __init__(
        self, orders: OrdersClient, catalog: CatalogClient, reviews: ReviewsClient | None = None
    ) -> None:
        self.orders = orders
        self.catalog = catalog
        self.reviews = reviews

    @classmethod
    def connect(
        cls,
        orders_url: str,
        catalog_url: str,
        token: str | None = None,
        reviews_url: str | None = None,
    ) -> Self:
        """A storefront on base URLs (the gateway's, or each service's own)."""
        reviews = ReviewsClient(reviews_url, token=token) if reviews_url else None
        return cls(
            OrdersClient(orders_url, token=token), CatalogClient(catalog_url, token=token), reviews
        )

    def close(self) -> None:
        """Close the clients this storefront opened."""
        self.orders.close()
        self.catalog.close()
        if self.reviews is not None:
            self.reviews.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def products(self, *, category: str | None = None, limit: int = 20) -> list[ProductSummary]:
        """The first page of products that are for sale, optionally in one category."""
        try:
            page = _ask(
                "catalog", lambda: self.catalog.list_products(category=category, limit=limit)
            )
        except ApiError as exc:
            raise _refused(exc) from None
        return [_product(p) for p in page.items if p.status.value == "active"]

    def product(self, product_id: str) -> ProductSummary | None:
        """One product, or ``None`` when catalog does not know it."""
        try:
            return _product(_ask("catalog", lambda: self.catalog.get_product(product_id)))
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise _refused(exc) from None

    def place_order(
        self,
        customer_id: str,
        lines: list[OrderLine],
        *,
        payment_token: str,
        currency: str = "EUR",
        idempotency_key: str | None = None,
    ) -> OrderSummary:
        """Place an order; a refused one (unknown product, bad input) raises ``StorefrontError``.

        A placed order may still have failed (out of stock, payment declined): look at
        ``state`` and ``failure_reason``.
        """
        body = orders_models.OrderCreate.model_validate(
            {
                "customer_id": customer_id,
                "currency": currency,
                "payment_token": payment_token,
                "lines": [{"product_id": x.product_id, "quantity": x.quantity} for x in lines],
            }
        )
        try:
            placed = _ask(
                "orders", lambda: self.orders.create_order(body, idempotency_key=idempotency_key)
            )
            return _order(placed)
        except ApiError as exc:
            raise _refused(exc) from None

    def order(self, order_id: str) -> OrderSummary | None:
        """An order's current state, or ``None`` when orders does not know it."""
        try:
            return _order(_ask("orders", lambda: self.orders.get_order(order_id)))
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise _refused(exc) from None

    def _reviews(self) -> ReviewsClient:
        if self.reviews is None:
            raise StorefrontError(0, "this storefront has no reviews URL")
        return self.reviews

    def ratings(self, product_id: str, *, latest: int = 3) -> Ratings:
        """A product's average rating, review count and its ``latest`` reviews."""
        try:
            reviews = self._reviews()
            return _ratings(_ask("reviews", lambda: reviews.list_reviews(product_id, limit=latest)))
        except ApiError as exc:
            raise _refused(exc) from None

    def review(self, product_id: str, stars: int, title: str, text: str = "") -> str:
        """Write a review of a product; returns the new review's id."""
        body = reviews_models.ReviewCreate.model_validate(
            {"rating": stars, "title": title, **({"body": text} if text else {})}
        )
        try:
            reviews = self._reviews()
            return _ask("reviews", lambda: reviews.create_review(product_id, body)).id.root
        except ApiError as exc:
            raise _refused(exc) from None
