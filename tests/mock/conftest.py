"""Fixtures for the mock tests: the shop's contracts, tiny contracts, and clients over ASGI."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from accord.core import Contract
from accord.mock import MockApp, MockConfig
from tests.mock.helpers import SHOP, mock_client

#: build a client over a mock of the given contracts: client(*contracts, config=...)
ClientFactory = Callable[..., httpx.Client]


@pytest.fixture(scope="session")
def shop() -> dict[str, Contract]:
    """The three shop contracts, loaded once."""
    return {
        name: Contract.from_path(SHOP / f"{name}.yaml")
        for name in ("catalog", "orders", "payments")
    }


@pytest.fixture
def client() -> Iterator[ClientFactory]:
    """A factory of in-process clients; every client is closed at teardown."""
    opened: list[httpx.Client] = []

    def make(*contracts: Contract, **settings: Any) -> httpx.Client:
        app = MockApp(list(contracts), MockConfig(**settings))
        found = mock_client(app)
        opened.append(found)
        return found

    yield make
    for found in opened:
        found.close()


def tiny(paths: dict[str, Any], components: dict[str, Any] | None = None) -> Contract:
    """A small OpenAPI 3.0 contract from its ``paths`` (and ``components``)."""
    data: dict[str, Any] = {"openapi": "3.0.3", "info": {"title": "tiny", "version": "1"}}
    data["paths"] = paths
    if components:
        data["components"] = components
    return Contract.from_dict(data)
