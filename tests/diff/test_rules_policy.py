"""Checks oasdiff has that Accord added in issue 17: security scopes and schemes, sunset
dates and stability levels, readOnly/writeOnly flips, parameters widened to text, and
allOf members that repeat the others."""

from __future__ import annotations

from typing import Any

import pytest

from accord.diff import OASDIFF_IDS, Level
from tests.diff.helpers import run, spec

B, NB, INFO = Level.BREAKING, Level.NON_BREAKING, Level.INFO


def levels(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Level]:
    return {c.id: c.level for c in run(old, new).changes}


def _oauth(scopes: dict[str, str], token_url: str = "https://auth/token") -> dict[str, Any]:
    return {
        "type": "oauth2",
        "flows": {"clientCredentials": {"tokenUrl": token_url, "scopes": scopes}},
    }


def _secured(required: list[str], *, scopes: dict[str, str] | None = None) -> dict[str, Any]:
    doc = spec()
    doc["components"]["securitySchemes"] = {
        "oauth": _oauth(scopes or {"orders:read": "r", "orders:write": "w"}),
        "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
    }
    doc["security"] = [{"oauth": list(required)}]
    doc["paths"]["/orders"]["post"]["security"] = [{"oauth": list(required)}]
    return doc


def test_a_scope_required_more_breaks_tokens_without_it_a_scope_dropped_breaks_nobody() -> None:
    old, new = _secured(["orders:read"]), _secured(["orders:read", "orders:write"])
    assert levels(old, new) == {
        "global-security-scope-added": B,
        "security-scope-added": B,
    }
    assert levels(new, old) == {
        "global-security-scope-removed": NB,
        "security-scope-removed": NB,
    }
    assert OASDIFF_IDS["security-scope-added"] == "api-security-scope-added"


def test_security_schemes_of_components() -> None:
    old = _secured(["orders:read"])
    new = _secured(["orders:read"], scopes={"orders:read": "r", "admin": "a"})
    schemes = new["components"]["securitySchemes"]
    schemes["oauth"]["flows"]["clientCredentials"]["tokenUrl"] = "https://auth/v2/token"
    schemes["key"]["name"] = "X-Api-Key"
    schemes["basic"] = {"type": "http", "scheme": "basic"}
    found = levels(old, new)
    assert found == {
        "security-component-added": INFO,
        "security-component-changed": B,  # the key travels in another header now
        "security-component-oauth-scope-added": INFO,
        "security-component-oauth-scope-removed": INFO,
        "security-component-oauth-token-url-changed": INFO,
    }
    retyped = _secured(["orders:read"])
    retyped["components"]["securitySchemes"]["key"] = {"type": "http", "scheme": "bearer"}
    assert levels(old, retyped) == {"security-component-type-changed": B}
    assert levels(retyped, old)["security-component-type-changed"] is B
    basic = _secured(["orders:read"])
    basic["components"]["securitySchemes"]["web"] = {"type": "http", "scheme": "Basic"}
    same = _secured(["orders:read"])
    same["components"]["securitySchemes"]["web"] = {"type": "http", "scheme": "basic"}
    assert run(basic, same).changes == []  # auth scheme names are case-insensitive
    same["components"]["securitySchemes"]["web"]["scheme"] = "bearer"
    assert levels(basic, same) == {"security-component-changed": B}
    gone = _secured(["orders:read"])
    del gone["components"]["securitySchemes"]["key"]
    assert levels(old, gone) == {"security-component-removed": INFO}


def _sunset(doc: dict[str, Any], value: Any, *, param: bool = False) -> dict[str, Any]:
    op = doc["paths"]["/orders"]["post"]
    node = op["parameters"][0] if param else op
    node["deprecated"] = True
    node["x-sunset"] = value
    return doc


def test_an_unreadable_sunset_date_on_either_side_is_reported() -> None:
    good, bad = _sunset(spec(), "2099-01-01"), _sunset(spec(), "soon")
    assert levels(good, bad) == {"sunset-invalid": B}
    assert levels(bad, good) == {"sunset-invalid": B}  # was unreadable: nothing to compare
    good_p, bad_p = _sunset(spec(), "2099-01-01", param=True), _sunset(spec(), "x", param=True)
    assert levels(bad_p, good_p) == {"request-parameter-sunset-invalid": B}
    assert OASDIFF_IDS["sunset-invalid"] == "api-path-sunset-parse"


def test_removing_before_the_sunset_date_breaks_after_it_does_not() -> None:
    future, past = _sunset(spec(), "2999-01-01"), _sunset(spec(), "2000-01-01")
    gone = spec()
    del gone["paths"]["/orders"]["post"]
    assert levels(future, gone) == {"path-removed-before-sunset": B}
    assert levels(past, gone) == {"deprecated-path-removed": NB}
    param_future = _sunset(spec(), "2999-01-01", param=True)
    no_param = spec()
    del no_param["paths"]["/orders"]["post"]["parameters"]
    assert levels(param_future, no_param) == {"request-parameter-removed-before-sunset": B}
    param_past = _sunset(spec(), "2000-01-01", param=True)
    assert levels(param_past, no_param) == {"request-parameter-removed": NB}


def _stability(level: str) -> dict[str, Any]:
    doc = spec()
    doc["paths"]["/orders"]["post"]["x-stability-level"] = level
    return doc


def test_stability_levels_lowered_raised_and_alpha_promises_nothing() -> None:
    assert levels(_stability("stable"), _stability("beta")) == {"stability-decreased": B}
    assert levels(_stability("alpha"), _stability("beta")) == {"stability-increased": INFO}
    assert levels(_stability("beta"), _stability("gamma")) == {"stability-level-invalid": B}
    # a breaking change to an alpha operation: info, and not an oasdiff finding
    old, new = _stability("alpha"), _stability("alpha")
    new["paths"]["/orders"]["post"]["parameters"][0]["required"] = True
    [change] = run(old, new).changes
    assert change.id == "request-parameter-became-required"
    assert change.level is INFO and change.oasdiff_id is None
    assert "x-stability-level alpha" in change.message
    old, new = _stability("beta"), _stability("beta")
    new["paths"]["/orders"]["post"]["parameters"][0]["required"] = True
    assert levels(old, new) == {"request-parameter-became-required": B}


def test_read_only_and_write_only_flips_of_required_properties() -> None:
    old = spec()
    order = old["components"]["schemas"]["Order"]
    order["properties"]["id"]["readOnly"] = True
    new = spec()
    found = {(c.id, c.level, c.operation) for c in run(old, new).changes}
    # Order is only returned: a readOnly flip there changes nothing a client relies on
    assert found == {
        ("response-required-property-became-not-read-only", INFO, "GET /orders/{id}"),
        ("response-required-property-became-not-read-only", INFO, "POST /orders"),
    }
    hidden = spec()
    hidden["components"]["schemas"]["Order"]["properties"]["id"]["writeOnly"] = True
    ids = {(c.id, c.level) for c in run(spec(), hidden).changes}
    assert ids == {("response-required-property-became-write-only", B)}  # no longer returned
    assert {(c.id, c.level) for c in run(hidden, spec()).changes} == {
        ("response-required-property-became-not-write-only", NB)
    }
    req_old = spec()
    line_in = req_old["components"]["schemas"]["OrderIn"]
    line_in["required"].append("note")
    req_new = spec()
    req_new["components"]["schemas"]["OrderIn"]["required"].append("note")
    line_in["properties"]["note"]["readOnly"] = True  # was never sent: now it must be
    [change] = run(req_old, req_new).changes
    assert change.id == "request-required-property-became-not-read-only"
    assert change.level is B and change.path == "request body /note" and change.target.absent


def test_a_parameter_widened_to_string_keeps_every_old_value() -> None:
    new = spec()
    new["paths"]["/orders"]["post"]["parameters"][0]["schema"] = {"type": "string"}
    [change] = run(spec(), new).changes
    assert (change.id, change.level) == ("request-parameter-type-widened-to-text", NB)
    assert change.oasdiff_id == "request-parameter-type-changed"
    # the other way round a client's "yes" is refused
    assert levels(new, spec()) == {"request-parameter-type-changed": B}


def _all_of(*members: dict[str, Any]) -> dict[str, Any]:
    doc = spec()
    doc["components"]["schemas"]["Extra"] = {
        "type": "object",
        "properties": {"note": {"type": "string"}},
    }
    doc["components"]["schemas"]["Tagged"] = {
        "type": "object",
        "required": ["tag"],
        "properties": {"tag": {"type": "string"}},
    }
    content = doc["paths"]["/orders/{id}"]["get"]["responses"]["200"]["content"]
    content["application/json"]["schema"] = {"allOf": list(members)}
    return doc


def test_an_all_of_member_that_repeats_the_others_changes_nothing() -> None:
    order, extra, tagged = (
        {"$ref": f"#/components/schemas/{n}"} for n in ("Order", "Extra", "Tagged")
    )
    assert levels(_all_of(order, extra), _all_of(order)) == {
        "response-body-all-of-removed-redundant": INFO
    }
    assert levels(_all_of(order, tagged), _all_of(order))["response-body-all-of-removed"] is B


def _pattern(value: str | None) -> dict[str, Any]:
    doc = spec()
    sku = doc["components"]["schemas"]["Line"]["properties"]["sku"]
    if value is not None:
        sku["pattern"] = value
    return doc


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ("^[a-z]+$", ".*", "generalized"),
        ("^[a-z]+$", ".+", "generalized"),  # the old one never matched ""
        ("^[a-z]*$", ".+", "changed"),  # "" matched before, not now
        ("^[a-z]+$", "^[a-z0-9_]+$", "generalized"),
        ("^[a-z]+$", "^[a-z]*$", "generalized"),
        ("^[a-z0-9]+$", "^[a-z]+$", "changed"),
        ("[0-9a-f]+", "[0-9]+", "changed"),  # searched, not anchored: "abc" is lost
    ],
)
def test_a_pattern_generalized_is_told_from_a_pattern_changed(
    old: str, new: str, kind: str
) -> None:
    found = levels(_pattern(old), _pattern(new))
    assert found == {
        f"request-property-pattern-{kind}": B if kind == "changed" else NB,
        f"response-property-pattern-{kind}": NB,
    }


def test_odd_values_are_findings_not_crashes() -> None:
    odd = _stability("alpha")
    op = odd["paths"]["/orders"]["post"]
    op["x-stability-level"] = ["alpha"]
    op["x-sunset"] = {"when": "soon"}
    op["deprecated"] = True
    op["security"] = "everyone"
    odd["components"]["securitySchemes"] = ["not", "a", "mapping"]
    found = levels(_stability("beta"), odd)
    assert found["stability-level-invalid"] is B and found["sunset-invalid"] is B
    assert levels(odd, _stability("beta"))["sunset-invalid"] is B


def test_changes_inside_a_value_the_other_side_never_sees_are_info() -> None:
    old, new = spec(), spec()
    old["components"]["schemas"]["OrderIn"]["properties"]["note"].update(
        readOnly=True, maxLength=10
    )
    new["components"]["schemas"]["OrderIn"]["properties"]["note"].update(
        readOnly=True, maxLength=5, enum=["a"]
    )
    new["components"]["schemas"]["Order"]["properties"]["note"].update(type="integer")
    old["components"]["schemas"]["Order"]["properties"]["note"]["writeOnly"] = True
    new["components"]["schemas"]["Order"]["properties"]["note"]["writeOnly"] = True
    found = {(c.id, c.level, c.oasdiff_id, c.operation) for c in run(old, new).changes}
    assert found == {
        # readOnly: a client never sends it, so narrowing it breaks no request
        ("request-property-max-length-decreased", INFO,
         "request-read-only-property-max-length-decreased", "POST /orders"),
        ("request-property-became-enum", INFO, "request-property-became-enum", "POST /orders"),
        # writeOnly: never returned, so its type in a response is nobody's concern
        ("response-property-type-changed", INFO, "response-property-type-changed",
         "GET /orders/{id}"),
        ("response-property-type-changed", INFO, "response-property-type-changed",
         "POST /orders"),
    }  # fmt: skip
    assert all("never" in c.message for c in run(old, new).changes)
    # only a value both versions hide: one that stops being readOnly is sent from now on
    shown = spec()
    shown["components"]["schemas"]["OrderIn"]["properties"]["note"]["maxLength"] = 5
    assert levels(old, shown)["request-property-max-length-decreased"] is B


def test_a_media_type_gaining_or_losing_its_schema() -> None:
    bare = spec()
    del bare["paths"]["/orders"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert levels(bare, spec()) == {"request-body-media-type-schema-added": B}
    assert levels(spec(), bare) == {"request-body-media-type-schema-removed": NB}
    bare = spec()
    content = bare["paths"]["/orders/{id}"]["get"]["responses"]["200"]["content"]
    del content["application/json"]["schema"]
    assert levels(bare, spec()) == {"response-body-media-type-schema-added": NB}
    [change] = run(spec(), bare).changes
    assert (change.id, change.level) == ("response-body-media-type-schema-removed", B)
    assert change.target.media == "application/json" and change.target.status == "200"


def test_path_item_parameters_apply_to_every_operation_unless_one_overrides() -> None:
    def doc(max_items: int, *, override: bool = False) -> dict[str, Any]:
        d = spec()
        item = d["paths"]["/orders/{id}"]
        item["delete"] = {"responses": {"204": {"description": "gone"}}}
        item["parameters"] = [
            {"name": "fields", "in": "query",
             "schema": {"type": "array", "maxItems": max_items, "items": {"type": "string"}}}
        ]  # fmt: skip
        if override:  # the operation's own parameter of that name and place wins
            own = {"name": "fields", "in": "query", "schema": {"type": "array"}}
            item["delete"]["parameters"] = [own]
        return d

    found = {(c.id, c.level, c.operation) for c in run(doc(20), doc(10)).changes}
    assert found == {
        ("request-parameter-max-items-decreased", B, "GET /orders/{id}"),
        ("request-parameter-max-items-decreased", B, "DELETE /orders/{id}"),
    }
    found = {
        (c.id, c.operation) for c in run(doc(20, override=True), doc(10, override=True)).changes
    }
    assert found == {("request-parameter-max-items-decreased", "GET /orders/{id}")}


def _property_stability(level: str | None) -> dict[str, Any]:
    doc = spec()
    if level is not None:
        doc["components"]["schemas"]["Line"]["properties"]["sku"]["x-stability-level"] = level
    return doc


def test_a_property_s_stability_level_lowered_raised_or_invalid() -> None:
    found = {(c.id, c.level, c.oasdiff_id, c.operation, c.path) for c in run(
        _property_stability("stable"), _property_stability("beta")).changes}  # fmt: skip
    assert found == {
        ("request-property-stability-decreased", B, "request-property-stability-decreased",
         "POST /orders", "request body /lines/[]/sku"),
        ("response-property-stability-decreased", B, "response-property-stability-decreased",
         "POST /orders", "response 201 body /lines/[]/sku"),
        ("response-property-stability-decreased", B, "response-property-stability-decreased",
         "GET /orders/{id}", "response 200 body /lines/[]/sku"),
    }  # fmt: skip
    raised = levels(_property_stability("alpha"), _property_stability("stable"))
    assert raised == {
        "request-property-stability-increased": INFO,
        "response-property-stability-increased": INFO,
    }
    invalid = run(_property_stability("beta"), _property_stability("gamma")).changes
    assert {(c.id, c.level, c.oasdiff_id) for c in invalid} == {
        ("request-property-stability-level-invalid", B, "api-invalid-stability-level"),
        ("response-property-stability-level-invalid", B, "api-invalid-stability-level"),
    }
    # no level is stable: marking it beta lowers the promise, dropping the mark raises it
    assert levels(_property_stability(None), _property_stability("beta")) == {
        "request-property-stability-decreased": B,
        "response-property-stability-decreased": B,
    }
    assert set(levels(_stability("beta"), spec()).items()) == {("stability-increased", INFO)}
    assert levels(spec(), _stability("draft")) == {"stability-decreased": B}


def _auth(*, glob: list[Any] | None = None, op: list[Any] | None = None) -> dict[str, Any]:
    doc = spec()
    doc["components"]["securitySchemes"] = {
        "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
        "bearer": {"type": "http", "scheme": "bearer"},
    }
    if glob is not None:
        doc["security"] = glob
    if op is not None:
        doc["paths"]["/orders"]["post"]["security"] = op
    return doc


def _breaking(old: dict[str, Any], new: dict[str, Any]) -> set[tuple[str, str, str | None]]:
    return {(c.id, c.operation, c.oasdiff_id) for c in run(old, new).changes if c.level is B}


def test_calls_the_old_security_let_in_and_the_new_refuses_break() -> None:
    key, bearer = [{"key": []}], [{"bearer": []}]
    # anonymous calls refused now: per operation, named after where the requirement is
    assert _breaking(_auth(), _auth(glob=key)) == {
        ("global-security-became-required", "POST /orders", "api-global-security-added"),
        ("global-security-became-required", "GET /orders/{id}", "api-global-security-added"),
    }
    assert _breaking(_auth(), _auth(op=key)) == {
        ("security-became-required", "POST /orders", "api-security-added")
    }
    # one scheme replaced by another, or a second one needed too: key holders are refused
    refused = {("security-alternative-refused", "POST /orders", "api-security-removed")}
    assert _breaking(_auth(op=key), _auth(op=bearer)) == refused
    assert _breaking(_auth(op=key), _auth(op=[{"key": [], "bearer": []}])) == refused
    # another way in, fewer schemes needed, or anonymous allowed: nobody is refused
    assert _breaking(_auth(op=key), _auth(op=[*key, *bearer])) == set()
    assert _breaking(_auth(op=[{"key": [], "bearer": []}]), _auth(op=key)) == set()
    assert _breaking(_auth(op=key), _auth(op=[*bearer, {}])) == set()
    assert _breaking(_auth(glob=key), _auth()) == set()
    assert levels(_auth(op=key), _auth(op=[*key, *bearer])) == {"security-added": INFO}


def test_a_composition_member_moved_into_an_equal_component_is_no_change() -> None:
    def doc(role: dict[str, Any]) -> dict[str, Any]:
        d = spec()
        d["components"]["schemas"]["Role"] = {"type": "string", "enum": ["a", "b"], "title": "R"}
        d["components"]["schemas"]["OrderIn"]["properties"]["role"] = {
            "anyOf": [role, {"type": "null"}]
        }
        return d

    inline = doc({"type": "string", "enum": ["a", "b"]})
    ref = doc({"$ref": "#/components/schemas/Role"})
    assert run(inline, ref).changes == [] and run(ref, inline).changes == []
    # a member that says something else is still removed and added, and compared by order
    other = doc({"type": "string", "enum": ["a"]})
    assert levels(other, ref) == {
        "request-property-any-of-removed": B,
        "request-property-any-of-added": NB,
    }
    assert levels(inline, other) == {"request-property-enum-value-removed": B}
