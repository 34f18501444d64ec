"""``python -m services.storefront``: browse the shop, place an order, follow it.

::

    python -m services.storefront --orders-url URL --catalog-url URL --token T products
    python -m services.storefront ... product prd_7Hx2Kq9LmN4p
    python -m services.storefront ... order --customer cus_9dLw3Rt7Yb2e \\
        --payment-token tok_visa4242AbCdEf prd_7Hx2Kq9LmN4p:2
    python -m services.storefront ... show ord_Q4m8TzR2vW6y

Exit codes: 0 done, 1 the shop refused or does not know the thing, 2 usage errors.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TextIO

import httpx

from services.storefront.client import (
    OrderLine,
    OrderSummary,
    ProductSummary,
    Storefront,
    StorefrontError,
)


def _money(amount: int, currency: str) -> str:
    return f"{amount // 100}.{amount % 100:02d} {currency}"


def _product_line(p: ProductSummary) -> str:
    stock = "in stock" if p.in_stock else "sold out"
    return f"{p.id}  {_money(p.price, p.currency):>12}  {stock:<8}  {p.name}"


def _order_text(o: OrderSummary) -> str:
    lines = [f"order {o.id}: {o.state}, total {_money(o.total, o.currency)}"]
    if o.failure_reason:
        lines.append(f"  failed: {o.failure_reason.replace('_', ' ')}")
    lines += [f"  {line.quantity} x {line.product_id}" for line in o.lines]
    return "\n".join(lines)


def _line(text: str) -> OrderLine:
    product, _, quantity = text.partition(":")
    try:
        return OrderLine(product, int(quantity or "1"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not PRODUCT_ID[:QUANTITY]") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m services.storefront", description="The shop's storefront."
    )
    env = os.environ.get
    parser.add_argument(
        "--orders-url", default=env("STOREFRONT_ORDERS_URL", "http://127.0.0.1:8102")
    )
    parser.add_argument(
        "--catalog-url", default=env("STOREFRONT_CATALOG_URL", "http://127.0.0.1:8101")
    )
    parser.add_argument("--token", default=env("STOREFRONT_TOKEN"), help="Bearer token")
    commands = parser.add_subparsers(dest="command", required=True)
    products = commands.add_parser("products", help="list the products for sale")
    products.add_argument("--category")
    product = commands.add_parser("product", help="show one product")
    product.add_argument("product_id")
    order = commands.add_parser("order", help="place an order")
    order.add_argument("--customer", required=True, help="customer id (cus_...)")
    order.add_argument("--payment-token", required=True, help="card token (tok_...)")
    order.add_argument("--currency", default="EUR")
    order.add_argument("--idempotency-key")
    order.add_argument("lines", nargs="+", type=_line, metavar="PRODUCT_ID[:QUANTITY]")
    show = commands.add_parser("show", help="show an order's state")
    show.add_argument("order_id")
    return parser


def run(args: argparse.Namespace, shop: Storefront, out: TextIO) -> int:
    """Run one parsed command against ``shop``, writing plain text to ``out``."""
    if args.command == "products":
        items = shop.products(category=args.category)
        out.write("".join(_product_line(p) + "\n" for p in items) or "no products\n")
        return 0
    if args.command == "product":
        found = shop.product(args.product_id)
        if found is None:
            out.write(f"no product {args.product_id}\n")
            return 1
        out.write(_product_line(found) + "\n")
        return 0
    if args.command == "order":
        placed = shop.place_order(
            args.customer,
            args.lines,
            payment_token=args.payment_token,
            currency=args.currency,
            idempotency_key=args.idempotency_key,
        )
        out.write(_order_text(placed) + "\n")
        return 0 if placed.state == "confirmed" else 1
    summary = shop.order(args.order_id)
    if summary is None:
        out.write(f"no order {args.order_id}\n")
        return 1
    out.write(_order_text(summary) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    """The command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        with Storefront.connect(args.orders_url, args.catalog_url, args.token) as shop:
            return run(args, shop, sys.stdout)
    except StorefrontError as exc:
        sys.stderr.write(f"storefront: refused: {exc}\n")
        return 1
    except httpx.TransportError as exc:
        sys.stderr.write(f"storefront: cannot reach the shop: {exc}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
