"""``accord generate``: pydantic models, typed httpx clients and connexion server stubs."""

from accord.codegen._generate import (
    PARTS,
    CheckResult,
    check_workspace,
    generate_package,
    generate_workspace,
    render_package,
)

__all__ = [
    "PARTS",
    "CheckResult",
    "check_workspace",
    "generate_package",
    "generate_workspace",
    "render_package",
]
