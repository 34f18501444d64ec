"""Each public package lists its API in ``__all__``, and the list is exactly what it exports."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = [
    "accord",
    "accord.core",
    "accord.workspace",
    "accord.lint",
    "accord.report",
    "accord.cli",
    "accord.codegen",
    "accord.runtime",
    "accord.crosscheck",
    "accord.mock",
    "accord.diff",
    "accord.pacts",
    "accord.verify",
    "accord.gateway",
    "accord.broker",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_honest(name: str) -> None:
    module = importlib.import_module(name)
    exported = set(module.__all__)
    assert len(exported) == len(module.__all__), "duplicates in __all__"
    for member in exported:
        assert hasattr(module, member), f"{name}.__all__ lists {member!r}, which does not exist"
    public = {
        n
        for n, v in vars(module).items()
        if not n.startswith("_")
        and getattr(v, "__module__", "").startswith("accord")
        and not isinstance(v, type(importlib))
    }
    assert public <= exported, f"{name} exposes {public - exported} without listing them"
