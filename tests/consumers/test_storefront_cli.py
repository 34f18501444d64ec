"""``python -m services.storefront`` end to end: the real shop in-process, the storefront's
sync clients bound to its apps by the plugin's ``accord_client``."""

from __future__ import annotations

import argparse
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from generated.catalog.models import ProductCreate
from services.storefront import Storefront, StorefrontError
from services.storefront.__main__ import _parser, main, run

from tests.shop.conftest import build_shop, token

ClientFactory = Callable[..., Any]


@pytest.fixture
def shop(accord_client: ClientFactory, tmp_path: Path) -> Storefront:
    apps = build_shop(tmp_path)
    catalog = accord_client("catalog", app=apps.catalog, token=token())
    return Storefront(accord_client("orders", app=apps.orders, token=token()), catalog)


def cli(shop: Storefront, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    args = _parser().parse_args(["--token", "t", *argv])
    return run(args, shop, out), out.getvalue()


def add_cup(shop: Storefront, on_hand: int) -> str:
    body = ProductCreate.model_validate(
        {
            "sku": "CUP-001",
            "name": "Espresso cup",
            "category": "kitchen",
            "price": {"amount": 1299, "currency": "EUR"},
            "initial_on_hand": on_hand,
        }
    )
    return shop.catalog.create_product(body).id.root


def test_browse_order_and_follow(shop: Storefront) -> None:
    assert cli(shop, "products") == (0, "no products\n")
    cup = add_cup(shop, on_hand=5)
    code, text = cli(shop, "products")
    assert (code, text) == (0, f"{cup}     12.99 EUR  in stock  Espresso cup\n")
    assert cli(shop, "product", cup) == (0, text)
    assert cli(shop, "product", "prd_Zz00Zz00Zz00") == (1, "no product prd_Zz00Zz00Zz00\n")
    code, text = cli(
        shop, "order", "--customer", "cus_9dLw3Rt7Yb2e",
        "--payment-token", "tok_visa4242AbCdEf", f"{cup}:2",
    )  # fmt: skip
    order_id = text.split()[1].rstrip(":")
    assert (code, text) == (0, f"order {order_id}: confirmed, total 25.98 EUR\n  2 x {cup}\n")
    assert cli(shop, "show", order_id) == (0, text)
    assert cli(shop, "show", "ord_Zz00Zz00Zz00") == (1, "no order ord_Zz00Zz00Zz00\n")


def test_a_failed_order_says_why(shop: Storefront) -> None:
    cup = add_cup(shop, on_hand=1)
    code, text = cli(
        shop, "order", "--customer", "cus_9dLw3Rt7Yb2e",
        "--payment-token", "tok_visa4242AbCdEf", f"{cup}:2",
    )  # fmt: skip
    assert code == 1
    assert text.splitlines()[1:] == ["  failed: out of stock", f"  2 x {cup}"]


def test_refusals_and_usage(shop: Storefront, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as usage:
        _parser().parse_args(["order", "--customer", "c", "--payment-token", "t", "prd_x:two"])
    assert usage.value.code == 2
    assert "'prd_x:two' is not PRODUCT_ID[:QUANTITY]" in capsys.readouterr().err
    closed = ["--orders-url", "http://127.0.0.1:9", "--catalog-url", "http://127.0.0.1:9"]
    assert main([*closed, "products"]) == 1
    assert "storefront: cannot reach the shop" in capsys.readouterr().err
    args = argparse.Namespace(
        command="order", customer="cus_9dLw3Rt7Yb2e", payment_token="tok_visa4242AbCdEf",
        currency="EUR", idempotency_key=None, lines=_parser().parse_args(
            ["order", "--customer", "c", "--payment-token", "t", "prd_Zz00Zz00Zz00"]
        ).lines,
    )  # fmt: skip
    with pytest.raises(StorefrontError, match=r"prd_Zz00Zz00Zz00 does not exist") as refused:
        run(args, shop, io.StringIO())
    assert refused.value.status in (409, 422)  # orders' refusal of an unknown product
