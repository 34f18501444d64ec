"""Fixtures of the event tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.codegen.test_asyncapi_generate import packages  # noqa: F401  (generated packages)
from tests.events.rabbitmq import RabbitNode, rabbitmq_server


@pytest.fixture(scope="session")
def rabbitmq_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RabbitNode]:
    """One private RabbitMQ node for the session's tests (5-10 s to start)."""
    with rabbitmq_server(tmp_path_factory.mktemp("rabbitmq")) as node:
        yield node


@pytest.fixture(scope="session")
def rabbitmq_url(rabbitmq_node: RabbitNode) -> str:
    """The session node's default virtual host."""
    return rabbitmq_node.url


@pytest.fixture
def fresh_rabbitmq_url(rabbitmq_node: RabbitNode) -> str:
    """A new virtual host on the session's node: a broker nothing was declared on."""
    return rabbitmq_node.fresh_url()
