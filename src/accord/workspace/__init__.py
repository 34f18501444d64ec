"""The workspace manifest (``contracts/accord.yaml``) and what it names."""

from accord.workspace._broker import BROKER_ENV, Broker, local_broker, nats_server
from accord.workspace._manifest import (
    MANIFEST_NAME,
    ConsumerSpec,
    GatewaySpec,
    ServiceSpec,
    Workspace,
    load_workspace,
)
from accord.workspace._service import Credentials, Launch, TestSuite

__all__ = [
    "BROKER_ENV",
    "MANIFEST_NAME",
    "Broker",
    "ConsumerSpec",
    "Credentials",
    "GatewaySpec",
    "Launch",
    "ServiceSpec",
    "TestSuite",
    "Workspace",
    "load_workspace",
    "local_broker",
    "nats_server",
]
