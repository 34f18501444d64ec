"""A consumer expectation that no longer holds fails the consumer test, readably.

The pact below answers with the catalog's product, but with ``name`` renamed to
``title`` (as a provider rename would look in a regenerated pact): the storefront's
real code reads ``name`` through the generated model, and the failure says so.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

BROKEN = textwrap.dedent(
    """
    from generated.catalog.client import CatalogClient
    from generated.orders.client import OrdersClient
    from services.storefront import Storefront
    from tests.consumers.helpers import JSON, PRODUCT, TOKEN, bearer, product

    def test_shows_a_product(accord_pact):
        pact = accord_pact("storefront", "catalog")
        body = product()
        body["title"] = body.pop("name")
        (
            pact.upon_receiving("a request for a product whose name was renamed")
            .given(f"product {PRODUCT} exists")
            .with_request("GET", f"/products/{PRODUCT}")
            .with_header("Authorization", bearer())
            .will_respond_with(200)
            .with_body(body, JSON)
        )
        with pact.serve() as server, Storefront(
            OrdersClient("http://orders.invalid"), CatalogClient(str(server.url), token=TOKEN)
        ) as shop:
            shop.product(PRODUCT)
    """
)


def test_renamed_field_fails_the_consumer_test_readably(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = pytester.path / "pacts-out"
    monkeypatch.setenv("ACCORD_PACTS_DIR", str(out))
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    pytester.makepyfile(test_broken=BROKEN)
    result = pytester.runpytest_subprocess("-q", "-W", "ignore")
    assert result.ret == 1
    text = result.stdout.str()
    assert "1 failed" in text
    assert "name: Field required" in text  # the missing field is named, in one line
    assert not list(out.glob("*.json"))  # a failing consumer writes no pact
