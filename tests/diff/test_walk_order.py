"""Which path a change in a shared schema is reported at does not depend on hashing."""

from __future__ import annotations

from typing import Any

from tests.diff.helpers import run


def _doc(shared: dict[str, Any]) -> dict[str, Any]:
    names = [f"p{i:02}" for i in range(20)]
    ref = {"$ref": "#/components/schemas/Shared"}
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/things": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {name: ref for name in names},
                                    }
                                }
                            },
                        }
                    }
                }
            }
        },
        "components": {"schemas": {"Shared": shared}},
    }


def test_a_shared_change_is_reported_through_the_first_property_in_document_order() -> None:
    """Twenty properties reach the changed schema at the same depth; the walk used to take
    them in set order (string hashes, so a different path in each process)."""
    old = _doc({"type": "object", "properties": {"x": {"type": "string"}}})
    new = _doc({"type": "object", "properties": {}})
    changes = [c for c in run(old, new).changes if "x" in c.target.json_path]
    assert changes, "the removed property was not reported"
    assert {c.target.json_path for c in changes} == {("p00", "x")}
