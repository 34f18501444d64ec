"""``accord generate``: pydantic models, typed httpx clients and connexion server stubs;
for AsyncAPI documents, models and typed FastStream publishers and subscribers."""

from accord.codegen._events import EVENT_PARTS, generate_events_package, render_events_package
from accord.codegen._generate import (
    PARTS,
    CheckResult,
    check_workspace,
    generate_package,
    generate_workspace,
    render_package,
)

__all__ = [
    "EVENT_PARTS",
    "PARTS",
    "CheckResult",
    "check_workspace",
    "generate_events_package",
    "generate_package",
    "generate_workspace",
    "render_events_package",
    "render_package",
]
