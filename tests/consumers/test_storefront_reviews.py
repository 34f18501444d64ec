"""storefront -> reviews: ratings on a product page and writing a review, through ``Storefront``.

reviews is the shop's JavaScript service; the storefront reaches it with the same generated
Python client as the others, and this pact is verified against the Node process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from generated.catalog.client import CatalogClient
from generated.orders.client import OrdersClient
from generated.reviews.client import ReviewsClient
from pact import Pact, match
from services.storefront import Ratings, Storefront

from tests.consumers.helpers import JSON, PRODUCT, TOKEN, bearer, ident, timestamp

PactFactory = Callable[[str, str], Pact]
UNREVIEWED = "prd_Nn00Nn00Nn00"
REVIEW = "rev_3Fk8Lp2Qw7Zx"


@contextmanager
def storefront(reviews_url: str) -> Iterator[Storefront]:
    """The storefront on the mock; orders and catalog are not called in these tests."""
    with Storefront(
        OrdersClient("http://orders.invalid"),
        CatalogClient("http://catalog.invalid"),
        ReviewsClient(str(reviews_url), token=TOKEN),
    ) as shop:
        yield shop


def review(rating: int = 5, title: str = "Perfect crema") -> dict[str, object]:
    return {
        "id": ident(REVIEW, "rev"),
        "product_id": ident(PRODUCT, "prd"),
        "rating": match.int(rating),
        "title": match.str(title),
        "body": match.str("Holds the heat well."),
        "author": match.str("dev-user"),
        "created_at": timestamp(),
    }


def test_shows_a_product_s_ratings(accord_pact: PactFactory) -> None:
    pact = accord_pact("storefront", "reviews")
    (
        pact.upon_receiving("a request for a product's latest reviews")
        .given(f"product {PRODUCT} has reviews")
        .with_request("GET", f"/products/{PRODUCT}/reviews")
        .with_query_parameter("limit", "3")
        .with_header("Authorization", bearer())
        .will_respond_with(200)
        .with_body(
            {
                "product_id": PRODUCT,
                "average_rating": match.number(4.5),
                "count": match.int(2),
                "items": match.each_like(review()),
            },
            JSON,
        )
    )
    with pact.serve() as server, storefront(server.url) as shop:
        assert shop.ratings(PRODUCT) == Ratings(4.5, 2, ((5, "Perfect crema"),))


def test_a_product_nobody_reviewed_has_no_average(accord_pact: PactFactory) -> None:
    pact = accord_pact("storefront", "reviews")
    (
        pact.upon_receiving("a request for the reviews of a product nobody reviewed")
        .given(f"product {UNREVIEWED} has no reviews")
        .with_request("GET", f"/products/{UNREVIEWED}/reviews")
        .with_query_parameter("limit", "3")
        .with_header("Authorization", bearer())
        .will_respond_with(200)
        .with_body(
            {"product_id": UNREVIEWED, "average_rating": None, "count": 0, "items": []}, JSON
        )
    )
    with pact.serve() as server, storefront(server.url) as shop:
        assert shop.ratings(UNREVIEWED) == Ratings(None, 0, ())


def test_writes_a_review(accord_pact: PactFactory) -> None:
    pact = accord_pact("storefront", "reviews")
    (
        pact.upon_receiving("a new five-star review")
        .with_request("POST", f"/products/{PRODUCT}/reviews")
        .with_header("Authorization", bearer())
        .with_body({"rating": 5, "title": "Perfect crema", "body": "Holds the heat well."}, JSON)
        .will_respond_with(201)
        .with_header("Location", match.regex(f"/reviews/{REVIEW}", regex=r"^/reviews/rev_\w+$"))
        .with_body(review(), JSON)
    )
    with pact.serve() as server, storefront(server.url) as shop:
        assert shop.review(PRODUCT, 5, "Perfect crema", "Holds the heat well.") == REVIEW
