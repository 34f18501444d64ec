"""The workspace manifest (``contracts/accord.yaml``) and what it names."""

from accord.workspace._broker import BROKER_ENV, Broker, local_broker, nats_server
from accord.workspace._environment import (
    DEV_SECRET,
    SECRET_ENV,
    dependency_urls,
    env_name,
    service_environment,
    service_secret,
)
from accord.workspace._manifest import (
    MANIFEST_NAME,
    ConsumerSpec,
    GatewaySpec,
    ServiceSpec,
    Workspace,
    load_workspace,
)
from accord.workspace._service import MOCK_HEALTH_PATH, Credentials, Launch, TestSuite

__all__ = [
    "BROKER_ENV",
    "DEV_SECRET",
    "MANIFEST_NAME",
    "MOCK_HEALTH_PATH",
    "SECRET_ENV",
    "Broker",
    "ConsumerSpec",
    "Credentials",
    "GatewaySpec",
    "Launch",
    "ServiceSpec",
    "TestSuite",
    "Workspace",
    "dependency_urls",
    "env_name",
    "load_workspace",
    "local_broker",
    "nats_server",
    "service_environment",
    "service_secret",
]
