"""Side-by-side message validation: Accord's AsyncAPI validators against plain ``jsonschema``.

What is compared
    One order-confirmed event of about 1 KB (the shop's ``contracts/asyncapi/orders.yaml``,
    message ``OrderConfirmed``: an ``allOf`` over a ``$ref`` to the shared ``OrderEvent``
    schema, patterns, a ``date-time`` format, nested line items), checked in-process:

    * Accord: ``AsyncContract.validator(message.payload)`` (jsonschema-rs, compiled once
      against the contract's registry), ``is_valid`` on the decoded message, and the same
      after decoding the raw bytes with ``orjson`` (what a consumer does per message);
    * the peer: ``jsonschema.Draft7Validator`` over the same document (a ``referencing``
      registry resolves the ``$ref``), ``is_valid`` on the same decoded message, and
      after ``json.loads`` of the raw bytes.

    A broken message (one wrong type deep in a line item) is timed too, listing its errors
    (Accord ``violations()``, jsonschema ``iter_errors()``), since a validating mock or
    consumer pays that on every bad message. Each figure is the median of ``--rounds``
    rounds of ``--number`` calls, in microseconds per message; ratios are peer / Accord.

Target (issue 16): a 1 KB message validated in at most 20 us (reported for validation
alone, and with the decoding of the raw bytes included).

Run from the repository root::

    .venv/bin/python benchmarks/bench_messages.py [--number 20000] [--rounds 7] [--json PATH]

Results also go to ``benchmarks/results/messages.json``.
"""

from __future__ import annotations

import argparse
import copy
import importlib.metadata
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import orjson
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

REPO = Path(__file__).resolve().parent.parent
CONTRACT = REPO / "contracts" / "asyncapi" / "orders.yaml"
DEFAULT_RESULTS = REPO / "benchmarks" / "results" / "messages.json"
TARGET_US = 20.0


def message() -> dict[str, Any]:
    """An order-confirmed event of about 1 KB."""
    lines = [{"product_id": f"prd_{i:04d}Hx2Kq9LmN4p", "quantity": i + 1} for i in range(17)]
    return {
        "event_id": "evt_Hx2Kq9LmN4pQ8rT7",
        "type": "order.confirmed",
        "occurred_at": "2026-01-05T10:00:00Z",
        "order_id": "ord_Q4m8TzR2vW6y",
        "customer_id": "cus_9dLw3Rt7Yb2e",
        "currency": "EUR",
        "total": 2598,
        "lines": lines,
    }


def timed(call: Callable[[], object], number: int, rounds: int) -> float:
    """Median microseconds per call over ``rounds`` rounds of ``number`` calls."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(number):
            call()
        samples.append((time.perf_counter() - start) / number * 1e6)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", type=Path, default=DEFAULT_RESULTS)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO / "src"))
    from accord.core import AsyncContract, load_source  # noqa: PLC0415

    contract = AsyncContract.from_path(CONTRACT)
    (schema,) = [m.payload for m in contract.messages if m.name == "OrderConfirmed"]
    assert schema is not None
    accord = contract.validator(schema)

    document = load_source(CONTRACT).data
    uri = "urn:accord-bench:orders"
    registry: Registry[Any] = Registry().with_resource(
        uri, Resource.from_contents(document, default_specification=DRAFT7)
    )
    peer = jsonschema.Draft7Validator(
        {"$ref": f"{uri}#/components/schemas/OrderConfirmed"},
        registry=registry,
        format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
    )

    good = message()
    raw = json.dumps(good).encode()
    bad = copy.deepcopy(good)
    bad["lines"][12]["quantity"] = "three"
    assert accord.is_valid(good) and peer.is_valid(good)
    assert not accord.is_valid(bad) and not peer.is_valid(bad)
    assert len(accord.violations(bad)) == len(list(peer.iter_errors(bad))) == 1

    n, r = args.number, args.rounds
    few = max(1, n // 10)  # the pure-Python peer is slow: fewer calls, same statistic
    rows = {
        "valid, decoded": (
            timed(lambda: accord.is_valid(good), n, r),
            timed(lambda: peer.is_valid(good), few, r),
        ),
        "valid, from bytes": (
            timed(lambda: accord.is_valid(orjson.loads(raw)), n, r),
            timed(lambda: peer.is_valid(json.loads(raw)), few, r),
        ),
        "invalid, errors listed": (
            timed(lambda: accord.violations(bad), n, r),
            timed(lambda: list(peer.iter_errors(bad)), few, r),
        ),
    }
    print(f"message: {len(raw)} bytes (OrderConfirmed, contracts/asyncapi/orders.yaml)")
    print(f"{'case':26} {'accord us':>10} {'jsonschema us':>14} {'ratio':>7}")
    for name, (ours, theirs) in rows.items():
        print(f"{name:26} {ours:10.2f} {theirs:14.2f} {theirs / ours:6.0f}x")
    ours = rows["valid, decoded"][0]
    ours_bytes = rows["valid, from bytes"][0]
    for label, value in (("validation", ours), ("decoding + validation", ours_bytes)):
        verdict = "met" if value <= TARGET_US else "NOT met"
        print(f"target <= {TARGET_US:.0f} us per 1 KB message, {label}: {verdict}")
    result = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "jsonschema": importlib.metadata.version("jsonschema"),
        "jsonschema_rs": importlib.metadata.version("jsonschema-rs"),
        "message_bytes": len(raw),
        "number": n,
        "rounds": r,
        "cases": {
            name: {"accord_us": ours, "jsonschema_us": theirs, "ratio": theirs / ours}
            for name, (ours, theirs) in rows.items()
        },
        "target_us": TARGET_US,
        "target_met": ours <= TARGET_US,
        "target_met_with_decoding": ours_bytes <= TARGET_US,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
