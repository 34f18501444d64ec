"""``accord token``: a signed development token, for curl and the storefront."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from accord.cli._config import WorkspaceOption


def register(app: typer.Typer) -> None:
    app.command()(token)


def token(
    scope: Annotated[
        str | None,
        typer.Option(help="Space-separated scopes (default: every scope the contracts declare)."),
    ] = None,
    subject: Annotated[str, typer.Option("--sub", help="The token's subject.")] = "dev-user",
    ttl: Annotated[int, typer.Option(help="Lifetime in seconds.")] = 3600,
    workspace_path: WorkspaceOption = None,
) -> None:
    """Print an HS256 bearer token signed with $ACCORD_JWT_SECRET (development only).

    It carries the issuer and audience the gateway checks (from accord.yaml).
    """
    from accord.cli._config import open_workspace  # noqa: PLC0415
    from accord.runtime import mint_token  # noqa: PLC0415

    secret = os.environ.get("ACCORD_JWT_SECRET", "dev-only-secret")
    workspace = open_workspace(workspace_path)
    scopes = scope if scope is not None else " ".join(workspace.scopes())
    claims = {"sub": subject, "scope": scopes}
    auth = (workspace.gateway.settings.get("auth") or {}) if workspace.gateway else {}
    for claim, key in (("iss", "issuer"), ("aud", "audience")):  # what the gateway checks
        if auth.get(key):
            claims[claim] = auth[key]
    typer.echo(mint_token(claims, secret, ttl=ttl))
