"""Layer 3, the Pact Broker workflow: ``accord broker`` (server) and its client.

The server (``BrokerApp``) serves the Pact Broker's HAL API on SQLite or PostgreSQL;
the client (``BrokerClient``) publishes pacts, fetches pacts for verification,
publishes results, records (and ends) deployments and releases and asks can-i-deploy of
any Pact Broker.
"""

from accord.broker._app import BrokerApp, BrokerConfig
from accord.broker._client import BrokerClient, BrokerSettings, PactToVerify, VersionSelector
from accord.broker._db import Database, open_database

__all__ = [
    "BrokerApp",
    "BrokerClient",
    "BrokerConfig",
    "BrokerSettings",
    "Database",
    "PactToVerify",
    "VersionSelector",
    "open_database",
]
