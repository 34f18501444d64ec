"""``accord diff`` on the shop: a temporary copy of ``contracts/`` with an edited orders contract.

The storefront's pact (written by the test) reads ``customer_email`` from
``GET /orders/{orderId}``: removing that field breaks storefront's interaction by
name; removing ``charge_id``, which no pact reads, is breaking but affects nobody.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from accord.diff import Level, diff_files

REPO = Path(__file__).resolve().parents[2]
INTERACTION = "a request for order ord_Q4m8TzR2vW6y"

#: (property block in Order, its line in Order's `required` list)
FIELDS = {
    "customer_email": (
        "        customer_email:\n"
        "          type: string\n"
        "          format: email\n"
        "          maxLength: 254\n"
        "          nullable: true\n",
        "        - customer_email\n",
    ),
    "charge_id": (
        "        charge_id:\n"
        "          type: string\n"
        "          pattern: '^ch_[A-Za-z0-9]{8,32}$'\n"
        "          nullable: true\n"
        "          readOnly: true\n"
        "          description: Payments charge for this order, null if no charge was attempted.\n",
        "        - charge_id\n",
    ),
}


def accord(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "accord", "diff", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A copy of the workspace's contracts, the original orders contract, and a pact."""
    contracts = tmp_path / "contracts"
    shutil.copytree(REPO / "contracts", contracts)
    shutil.copy(contracts / "openapi" / "orders.yaml", tmp_path / "orders-old.yaml")
    pacts = contracts / "pacts"
    for stale in pacts.glob("*.json"):
        stale.unlink()
    pact: dict[str, Any] = {
        "consumer": {"name": "storefront"},
        "provider": {"name": "orders"},
        "interactions": [
            {
                "description": INTERACTION,
                "providerState": "order ord_Q4m8TzR2vW6y exists",
                "request": {"method": "GET", "path": "/orders/ord_Q4m8TzR2vW6y"},
                "response": {
                    "status": 200,
                    "headers": {"Content-Type": "application/json"},
                    "body": {"id": "ord_Q4m8TzR2vW6y", "customer_email": "ada@example.com"},
                },
            }
        ],
        "metadata": {"pactSpecification": {"version": "2.0.0"}},
    }
    (pacts / "storefront-orders.json").write_text(json.dumps(pact, indent=2))
    return tmp_path


def remove_field(shop: Path, name: str) -> Path:
    path = shop / "contracts" / "openapi" / "orders.yaml"
    text = path.read_text()
    block, required = FIELDS[name]
    assert text.count(block) == 1 and text.count(required) == 1, f"orders.yaml changed: {name}"
    path.write_text(text.replace(block, "").replace(required, ""))
    return path


def test_removing_a_field_the_storefront_reads_breaks_its_interaction(shop: Path) -> None:
    new = remove_field(shop, "customer_email")
    result = diff_files(shop / "orders-old.yaml", new, [shop / "contracts" / "pacts"])
    hit = next(c for c in result.changes if c.operation == "GET /orders/{orderId}")
    assert hit.id == "response-required-property-removed"
    assert hit.level is Level.BREAKING
    assert hit.path == "response 200 body /customer_email"
    assert [(c.consumer, c.interaction) for c in hit.consumers] == [("storefront", INTERACTION)]
    assert hit.consumers[0].pointer == "/interactions/0/response/body/customer_email"
    assert result.exit_code() == 1

    done = accord(shop / "orders-old.yaml", new, "--pacts", shop / "contracts" / "pacts")
    assert done.returncode == 1, done.stderr
    assert f"breaks storefront: '{INTERACTION}' via GET /orders/{{orderId}}" in done.stdout


def test_removing_a_field_no_pact_reads_affects_no_consumer(shop: Path) -> None:
    new = remove_field(shop, "charge_id")
    pacts = shop / "contracts" / "pacts"
    result = diff_files(shop / "orders-old.yaml", new, [pacts])
    assert {c.id for c in result.breaking} == {"response-required-property-removed"}
    assert all(not c.consumers for c in result.changes)

    done = accord(shop / "orders-old.yaml", new, "--pacts", pacts)
    assert done.returncode == 0, done.stderr
    assert "no consumer affected" in done.stdout
    strict = accord(shop / "orders-old.yaml", new, "--pacts", pacts, "--strict")
    assert strict.returncode == 1


def test_json_and_markdown_reports(shop: Path) -> None:
    new = remove_field(shop, "customer_email")
    args = (shop / "orders-old.yaml", new, "--pacts", shop / "contracts" / "pacts")
    done = accord(*args, "--format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    change = next(c for c in report["changes"] if c["consumers"])
    assert change["id"] == "response-required-property-removed"
    assert change["level"] == "breaking"
    assert change["oasdiff_id"] == "response-required-property-removed"
    assert change["operation"] == "GET /orders/{orderId}"
    assert change["old_location"].startswith(str(shop / "orders-old.yaml"))
    assert change["new_location"].split(":")[-2].isdigit()
    assert change["consumers"][0]["consumer"] == "storefront"
    assert set(change["consumers"][0]) == {
        "consumer",
        "provider",
        "interaction",
        "pact_file",
        "pointer",
    }
    assert report["summary"]["affected_consumers"] == ["storefront"]
    markdown = accord(*args, "--format", "markdown").stdout
    assert "| :x: | `response-required-property-removed`" in markdown
    assert f"**storefront**: {INTERACTION}" in markdown
