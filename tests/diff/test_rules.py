"""Change rules on tiny contracts: levels by direction, ``$ref`` s resolved, paths, ids."""

from __future__ import annotations

import pytest

from accord.diff import OASDIFF_IDS, RULES, Level, all_ids
from tests.diff.helpers import ids, run, spec

SCHEMAS = "components"


def test_identical_contracts_have_no_changes() -> None:
    assert run(spec(), spec()).changes == []


def test_enum_value_removed_breaks_requests_not_responses() -> None:
    new = spec()
    new[SCHEMAS]["schemas"]["Line"]["properties"]["state"]["enum"] = ["open"]
    found = ids(run(spec(), new))
    assert (
        "request-property-enum-value-removed",
        "breaking",
        "POST /orders request body /lines/[]/state",
    ) in found
    assert (
        "response-property-enum-value-removed",
        "non-breaking",
        "GET /orders/{id} response 200 body /lines/[]/state",
    ) in found


def test_enum_value_added_breaks_responses_not_requests() -> None:
    new = spec()
    new[SCHEMAS]["schemas"]["Line"]["properties"]["state"]["enum"] = ["open", "done", "lost"]
    levels = {(c.id, c.level) for c in run(spec(), new).changes}
    assert ("response-property-enum-value-added", Level.BREAKING) in levels
    assert ("request-property-enum-value-added", Level.NON_BREAKING) in levels


def test_shared_schema_change_is_reported_once_per_place_with_its_path() -> None:
    new = spec()
    new[SCHEMAS]["schemas"]["Line"]["properties"]["quantity"]["minimum"] = 2
    places = sorted(f"{c.operation} {c.path}" for c in run(spec(), new).changes)
    # Order is recursive (parent: Order): the walk ends, and reports the shortest path once
    assert places == [
        "GET /orders/{id} response 200 body /lines/[]/quantity",
        "POST /orders request body /lines/[]/quantity",
        "POST /orders response 201 body /lines/[]/quantity",
    ]
    levels = {c.id: c.level for c in run(spec(), new).changes}
    assert levels["request-property-min-increased"] is Level.BREAKING
    assert levels["response-property-min-increased"] is Level.NON_BREAKING


def test_locations_point_at_both_versions() -> None:
    new = spec()
    new[SCHEMAS]["schemas"]["Line"]["properties"]["sku"]["type"] = "integer"
    change = next(c for c in run(spec(), new).changes if c.operation == "POST /orders")
    assert change.id == "request-property-type-changed"
    assert change.old_location is not None and change.old_location.file == "old.yaml"
    assert change.old_location.pointer == "/components/schemas/Line/properties/sku/type"
    assert change.new_location is not None and change.new_location.file == "new.yaml"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        ("required-param", ("request-parameter-became-required", "breaking")),
        ("new-required-property", ("request-property-added-required", "breaking")),
        ("remove-response-property", ("response-required-property-removed", "breaking")),
        (
            "remove-optional-response-property",
            ("response-optional-property-removed", "non-breaking"),
        ),
        ("remove-operation", ("path-removed", "breaking")),
        ("add-operation", ("operation-added", "non-breaking")),
        ("widen-response-type", ("response-property-type-generalized", "breaking")),
        ("remove-status", ("response-success-status-removed", "breaking")),
    ],
)
def test_kinds_of_change(edit: str, expected: tuple[str, str]) -> None:
    new = spec()
    schemas = new[SCHEMAS]["schemas"]
    if edit == "required-param":
        new["paths"]["/orders"]["post"]["parameters"][0]["required"] = True
    elif edit == "new-required-property":
        schemas["OrderIn"]["properties"]["channel"] = {"type": "string"}
        schemas["OrderIn"]["required"].append("channel")
    elif edit == "remove-response-property":
        del schemas["Order"]["properties"]["id"]
        schemas["Order"]["required"].remove("id")
    elif edit == "remove-optional-response-property":
        del schemas["Order"]["properties"]["note"]
    elif edit == "remove-operation":
        del new["paths"]["/orders/{id}"]
    elif edit == "add-operation":
        new["paths"]["/orders/{id}"]["delete"] = {"responses": {"204": {"description": "gone"}}}
    elif edit == "widen-response-type":
        schemas["Line"]["properties"]["quantity"]["type"] = "number"
    elif edit == "remove-status":
        new["paths"]["/orders/{id}"]["get"]["responses"]["404"] = {"description": "x"}
        del new["paths"]["/orders/{id}"]["get"]["responses"]["200"]
    found = {(c.id, c.level.value) for c in run(spec(), new).changes}
    assert expected in found


def test_renamed_path_parameter_is_the_same_operation() -> None:
    new = spec()
    item = new["paths"].pop("/orders/{id}")
    item["get"]["parameters"][0]["name"] = "orderId"
    new["paths"]["/orders/{orderId}"] = item
    assert run(spec(), new).changes == []


def test_every_rule_is_documented_and_oasdiff_ids_exist() -> None:
    assert all(r.description and r.kinds for r in RULES.values())
    known = all_ids()
    assert set(OASDIFF_IDS) <= set(known), set(OASDIFF_IDS) - set(known)
    for change_id in known:
        assert change_id == change_id.lower() and " " not in change_id


@pytest.mark.parametrize(
    ("media", "expected"),
    [
        ("application/xml", "request-property-type-compatible"),  # every value is text
        ("text/plain; charset=utf-8", "request-property-type-compatible"),
        ("application/cbor", "request-property-type-changed"),  # CBOR's values are typed
        ("application/*", "request-property-type-changed"),  # JSON may come under it
        ("text/json", "request-property-type-changed"),
    ],
)
def test_a_type_change_matters_unless_the_body_carries_text(media: str, expected: str) -> None:
    old, new = spec(), spec()
    for doc in (old, new):
        content = doc["paths"]["/orders"]["post"]["requestBody"]["content"]
        content[media] = content.pop("application/json")
    new[SCHEMAS]["schemas"]["OrderIn"]["properties"]["note"] = {"type": "integer"}
    found = {c.id for c in run(old, new).changes if c.path.endswith("/note")}
    assert found == {expected}
