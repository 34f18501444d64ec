"""``accord generate``: pydantic models, typed httpx clients and connexion server stubs;
for AsyncAPI documents, models and typed FastStream publishers and subscribers.

Names are imported on first use (``accord._lazy``): generating an OpenAPI package loads
neither the AsyncAPI emitters nor the workspace layer they name.
"""

from typing import TYPE_CHECKING

from accord._lazy import lazy_exports as _lazy_exports

if TYPE_CHECKING:  # what mypy and readers see
    from accord.codegen._events import (
        EVENT_PARTS,
        generate_events_package,
        render_events_package,
    )
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

__getattr__, __dir__ = _lazy_exports(
    __name__,
    {
        "EVENT_PARTS": "_events",
        "generate_events_package": "_events",
        "render_events_package": "_events",
        "PARTS": "_generate",
        "CheckResult": "_generate",
        "check_workspace": "_generate",
        "generate_package": "_generate",
        "generate_workspace": "_generate",
        "render_package": "_generate",
    },
)
