"""``accord token``: a signed development token, for curl and the storefront."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from accord.runtime import mint_token

ALL_SCOPES = (
    "catalog:read catalog:write stock:reserve orders:read orders:write "
    "payments:read payments:charge payments:refund"
)


def register(app: typer.Typer) -> None:
    app.command()(token)


def token(
    scope: Annotated[str, typer.Option(help="Space-separated scopes.")] = ALL_SCOPES,
    subject: Annotated[str, typer.Option("--sub", help="The token's subject.")] = "dev-user",
    ttl: Annotated[int, typer.Option(help="Lifetime in seconds.")] = 3600,
) -> None:
    """Print an HS256 bearer token signed with $ACCORD_JWT_SECRET (development only)."""
    secret = os.environ.get("ACCORD_JWT_SECRET", "dev-only-secret")
    typer.echo(mint_token({"sub": subject, "scope": scope}, secret, ttl=ttl))
