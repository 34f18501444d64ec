"""Fixtures of the event tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.codegen.test_asyncapi_generate import packages  # noqa: F401  (generated packages)
from tests.events.rabbitmq import rabbitmq_server


@pytest.fixture(scope="session")
def rabbitmq_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One private RabbitMQ node for the session's tests (5-10 s to start)."""
    with rabbitmq_server(tmp_path_factory.mktemp("rabbitmq")) as url:
        yield url
