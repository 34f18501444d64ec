"""The workspace manifest (``contracts/accord.yaml``) and what it names."""

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
    "MANIFEST_NAME",
    "ConsumerSpec",
    "Credentials",
    "GatewaySpec",
    "Launch",
    "ServiceSpec",
    "TestSuite",
    "Workspace",
    "load_workspace",
]
