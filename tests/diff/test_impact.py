"""Consumer impact: which pact interactions a breaking change breaks, and which it does not."""

from __future__ import annotations

from typing import Any

from accord.diff import Level
from tests.diff.helpers import pact, run, spec


def _get_order(body: dict[str, Any], status: int = 200) -> dict[str, Any]:
    return {
        "description": "read an order",
        "request": {"method": "GET", "path": "/orders/o1"},
        "response": {"status": status, "body": body},
    }


def _create_order(body: dict[str, Any], query: str | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {"method": "POST", "path": "/orders", "body": body}
    if query is not None:
        request["query"] = query
    return {"description": "place an order", "request": request, "response": {"status": 201}}


def _without_order_id() -> dict[str, Any]:
    new = spec()
    order = new["components"]["schemas"]["Order"]
    del order["properties"]["id"]
    order["required"].remove("id")
    return new


def test_removed_response_field_breaks_the_interaction_that_reads_it() -> None:
    result = run(spec(), _without_order_id(), [pact(_get_order({"id": "o1"}))])
    hit = next(c for c in result.changes if c.operation == "GET /orders/{id}")
    assert hit.level is Level.BREAKING
    [consumer] = hit.consumers
    assert consumer.consumer == "storefront"
    assert consumer.interaction == "read an order"
    assert consumer.pointer == "/interactions/0/response/body/id"
    # the same edit reaches POST /orders, which this pact does not call
    other = next(c for c in result.changes if c.operation == "POST /orders")
    assert other.consumers == []
    assert result.exit_code() == 1


def test_field_nobody_reads_is_breaking_but_affects_no_consumer() -> None:
    result = run(spec(), _without_order_id(), [pact(_get_order({"lines": []}))])
    assert result.breaking and not any(c.consumers for c in result.changes)
    assert result.exit_code() == 0  # pacts were checked: consumer-aware by default
    assert result.exit_code("breaking") == 1
    assert result.exit_code("never") == 0


def test_interaction_with_another_status_is_not_affected() -> None:
    result = run(spec(), _without_order_id(), [pact(_get_order({"id": "o1"}, status=404))])
    assert not any(c.consumers for c in result.changes)


def test_new_required_request_field_breaks_bodies_without_it() -> None:
    new = spec()
    line = new["components"]["schemas"]["Line"]
    line["properties"]["price"] = {"type": "integer"}
    line["required"].append("price")
    body = {"lines": [{"sku": "a", "quantity": 1}]}
    result = run(spec(), new, [pact(_create_order(body))])
    change = next(c for c in result.changes if c.id == "request-property-added-required")
    assert [c.pointer for c in change.consumers] == ["/interactions/0/request/body/lines/0"]
    sent = {"lines": [{"sku": "a", "quantity": 1, "price": 5}]}
    assert not any(c.consumers for c in run(spec(), new, [pact(_create_order(sent))]).changes)


def test_parameter_made_required_breaks_requests_that_leave_it_out() -> None:
    new = spec()
    new["paths"]["/orders"]["post"]["parameters"][0]["required"] = True
    body = {"lines": []}
    without = run(spec(), new, [pact(_create_order(body))])
    assert [c.pointer for c in without.breaking[0].consumers] == ["/interactions/0/request/query"]
    with_it = run(spec(), new, [pact(_create_order(body, query="dry_run=true"))])
    assert with_it.breaking[0].consumers == []


def test_removed_operation_breaks_every_interaction_routed_to_it() -> None:
    new = spec()
    del new["paths"]["/orders/{id}"]
    result = run(spec(), new, [pact(_get_order({}))])
    [removed] = result.breaking
    assert removed.id == "path-removed"
    assert [c.pointer for c in removed.consumers] == ["/interactions/0/request/path"]


def test_v4_body_pointer_goes_through_the_content_envelope() -> None:
    interaction = {
        "type": "Synchronous/HTTP",
        "description": "read an order",
        "request": {"method": "GET", "path": "/orders/o1"},
        "response": {
            "status": 200,
            "body": {"content": {"id": "o1"}, "contentType": "application/json"},
        },
    }
    v4 = pact(interaction)
    v4["metadata"] = {"pactSpecification": {"version": "4.0"}}
    result = run(spec(), _without_order_id(), [v4])
    hit = next(c for c in result.changes if c.consumers)
    assert hit.consumers[0].pointer == "/interactions/0/response/body/content/id"
