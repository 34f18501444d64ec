"""Tiny contracts and pacts for diff tests."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from accord.core import Contract, PactFile
from accord.diff import DiffResult, diff_contracts

BASE: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/orders": {
            "post": {
                "operationId": "createOrder",
                "parameters": [
                    {"name": "dry_run", "in": "query", "schema": {"type": "boolean"}},
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/OrderIn"}}
                    },
                },
                "responses": {
                    "201": {
                        "description": "created",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Order"}}
                        },
                    }
                },
            }
        },
        "/orders/{id}": {
            "get": {
                "operationId": "getOrder",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Order"}}
                        },
                    }
                },
            }
        },
    },
    "components": {
        "schemas": {
            "Line": {
                "type": "object",
                "required": ["sku", "quantity"],
                "properties": {
                    "sku": {"type": "string"},
                    "quantity": {"type": "integer", "minimum": 1},
                    "state": {"type": "string", "enum": ["open", "done"]},
                },
            },
            "OrderIn": {
                "type": "object",
                "required": ["lines"],
                "properties": {
                    "lines": {"type": "array", "items": {"$ref": "#/components/schemas/Line"}},
                    "note": {"type": "string"},
                },
            },
            "Order": {
                "type": "object",
                "required": ["id", "lines"],
                "properties": {
                    "id": {"type": "string"},
                    "lines": {"type": "array", "items": {"$ref": "#/components/schemas/Line"}},
                    "parent": {"$ref": "#/components/schemas/Order"},
                    "note": {"type": "string"},
                },
            },
        }
    },
}


def spec() -> dict[str, Any]:
    """A fresh copy of the base contract, to edit."""
    return copy.deepcopy(BASE)


def run(
    old: dict[str, Any], new: dict[str, Any], pacts: Sequence[dict[str, Any]] = ()
) -> DiffResult:
    return diff_contracts(
        Contract.from_dict(old, name="old.yaml"),
        Contract.from_dict(new, name="new.yaml"),
        [PactFile.from_dict(p, name=f"pact{i}.json") for i, p in enumerate(pacts)],
    )


def pact(*interactions: dict[str, Any], consumer: str = "storefront") -> dict[str, Any]:
    return {
        "consumer": {"name": consumer},
        "provider": {"name": "orders"},
        "interactions": list(interactions),
        "metadata": {"pactSpecification": {"version": "2.0.0"}},
    }


def ids(result: DiffResult) -> set[tuple[str, str, str]]:
    """(id, level, where) of every change."""
    return {(c.id, c.level.value, f"{c.operation} {c.path}".strip()) for c in result.changes}
