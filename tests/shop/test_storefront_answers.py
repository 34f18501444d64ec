"""The storefront when a service answers against its contract: a ``StorefrontError`` (502)
that the command line prints in one line, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from generated.catalog.client import CatalogClient
from generated.orders.client import OrdersClient
from generated.reviews.client import ReviewsClient
from services.storefront import OrderLine, Storefront, StorefrontError
from services.storefront.__main__ import main

ANSWERS = {
    "not JSON": lambda: httpx.Response(
        200, content=b"<html>", headers={"content-type": "application/json"}
    ),
    "the wrong shape": lambda: httpx.Response(200, json={"items": "none"}),
    "no body": lambda: httpx.Response(
        200, content=b"", headers={"content-type": "application/json"}
    ),
    "bad gzip": lambda: httpx.Response(
        200,
        content=b"not gzip",
        headers={"content-type": "application/json", "content-encoding": "gzip"},
    ),
}

CALLS: dict[str, Callable[[Storefront], Any]] = {
    "products": lambda shop: shop.products(),
    "product": lambda shop: shop.product("prd_7Hx2Kq9LmN4p"),
    "place_order": lambda shop: shop.place_order(
        "cus_9dLw3Rt7Yb2e", [OrderLine("prd_7Hx2Kq9LmN4p", 1)], payment_token="tok_visa4242AbCd"
    ),
    "order": lambda shop: shop.order("ord_Q4m8TzR2vW6y"),
    "ratings": lambda shop: shop.ratings("prd_7Hx2Kq9LmN4p"),
    "review": lambda shop: shop.review("prd_7Hx2Kq9LmN4p", 5, "Good cup"),
}


def _shop(answer: Callable[[], httpx.Response]) -> Storefront:
    def client(base: str) -> httpx.Client:
        # a 201 where the call documents 201: the body is what is wrong, not the status
        def reply(request: httpx.Request) -> httpx.Response:
            made = answer()
            status = 201 if request.method == "POST" else made.status_code
            return httpx.Response(status, content=made.content, headers=made.headers)

        return httpx.Client(transport=httpx.MockTransport(reply), base_url=base)

    return Storefront(
        OrdersClient(client=client("http://orders")),
        CatalogClient(client=client("http://catalog")),
        ReviewsClient(client=client("http://reviews")),
    )


@pytest.mark.parametrize("call", list(CALLS))
@pytest.mark.parametrize("answer", list(ANSWERS))
def test_an_answer_against_the_contract_is_a_storefront_error(answer: str, call: str) -> None:
    with pytest.raises(StorefrontError) as caught:
        CALLS[call](_shop(ANSWERS[answer]))
    assert caught.value.status == 502
    assert "answered" in str(caught.value) and "\n" not in str(caught.value)


def test_the_command_line_reports_it_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        Storefront, "connect", classmethod(lambda cls, *a: _shop(ANSWERS["not JSON"]))
    )
    assert main(["--token", "t", "product", "prd_7Hx2Kq9LmN4p"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("storefront: ") and "catalog answered against its contract" in err
    assert err.count("\n") == 1, err
