"""storefront -> catalog: browsing products, through ``Storefront``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from generated.catalog.client import CatalogClient
from generated.orders.client import OrdersClient
from pact import Pact, match
from services.storefront import ProductSummary, Storefront

from tests.consumers.helpers import (
    JSON,
    PRICE,
    PROBLEM,
    PRODUCT,
    TOKEN,
    UNKNOWN_PRODUCT,
    bearer,
    problem,
    product,
)

PactFactory = Callable[[str, str], Pact]
CUP = ProductSummary(PRODUCT, "Espresso cup", PRICE, "EUR", True)


@contextmanager
def storefront(catalog_url: str) -> Iterator[Storefront]:
    """The storefront on the mock; orders is not called in these tests."""
    with Storefront(
        OrdersClient("http://orders.invalid"), CatalogClient(str(catalog_url), token=TOKEN)
    ) as shop:
        yield shop


def test_lists_products(accord_pact: PactFactory) -> None:
    pact = accord_pact("storefront", "catalog")
    (
        pact.upon_receiving("a request for the first page of products")
        .given(f"product {PRODUCT} exists")
        .with_request("GET", "/products")
        .with_query_parameter("limit", "20")
        .with_header("Authorization", bearer())
        .will_respond_with(200)
        .with_body(
            {
                "items": match.each_like(product()),
                "next_cursor": None,
            },
            JSON,
        )
    )
    with pact.serve() as server, storefront(server.url) as shop:
        assert shop.products() == [CUP]


def test_shows_a_product(accord_pact: PactFactory) -> None:
    pact = accord_pact("storefront", "catalog")
    (
        pact.upon_receiving(f"a request for product {PRODUCT}")
        .given(f"product {PRODUCT} exists")
        .with_request("GET", f"/products/{PRODUCT}")
        .with_header("Authorization", bearer())
        .will_respond_with(200)
        .with_body(product(), JSON)
    )
    with pact.serve() as server, storefront(server.url) as shop:
        assert shop.product(PRODUCT) == CUP


def test_an_unknown_product_is_none(accord_pact: PactFactory) -> None:
    pact = accord_pact("storefront", "catalog")
    (
        pact.upon_receiving(f"a request for product {UNKNOWN_PRODUCT}, which does not exist")
        .given(f"product {UNKNOWN_PRODUCT} does not exist")
        .with_request("GET", f"/products/{UNKNOWN_PRODUCT}")
        .with_header("Authorization", bearer())
        .will_respond_with(404)
        .with_body(problem(404, "Not Found", f"No product with id {UNKNOWN_PRODUCT}."), PROBLEM)
    )
    with pact.serve() as server, storefront(server.url) as shop:
        assert shop.product(UNKNOWN_PRODUCT) is None
