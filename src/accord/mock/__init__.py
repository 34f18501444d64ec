"""Layer 3, ``accord mock``: mock servers answering from OpenAPI contracts.

:class:`MockApp` is a plain ASGI application built from one or more
:class:`~accord.core.Contract` s and a :class:`MockConfig`; serve it with any
ASGI server, or call it in-process with ``httpx.ASGITransport``. :class:`EventMock` does
the same for an AsyncAPI document on a broker (NATS, Redis or RabbitMQ, as its servers say:
:func:`choose_broker`): it publishes what the service sends and validates what others
publish to it.
"""

from accord.mock._app import HEALTH_PATH, RESET_PATH, MockApp
from accord.mock._config import FaultPlan, Faults, Latency, MockConfig
from accord.mock._event_broker import BrokerChoice, choose_broker
from accord.mock._events import EventMock, EventMockConfig
from accord.mock._generate import Unsatisfiable, generate, generate_message, generate_valid
from accord.mock._watch import WatchedApp

__all__ = [
    "HEALTH_PATH",
    "RESET_PATH",
    "BrokerChoice",
    "EventMock",
    "EventMockConfig",
    "FaultPlan",
    "Faults",
    "Latency",
    "MockApp",
    "MockConfig",
    "Unsatisfiable",
    "WatchedApp",
    "choose_broker",
    "generate",
    "generate_message",
    "generate_valid",
]
