"""The workspace manifest (``contracts/accord.yaml``) and what it names."""

from accord.workspace._manifest import (
    MANIFEST_NAME,
    ConsumerSpec,
    GatewaySpec,
    ServiceSpec,
    Workspace,
    load_workspace,
)

__all__ = [
    "MANIFEST_NAME",
    "ConsumerSpec",
    "GatewaySpec",
    "ServiceSpec",
    "Workspace",
    "load_workspace",
]
