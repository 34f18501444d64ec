"""``accord token``: a signed development token, for curl and the storefront."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from accord.runtime import mint_token
from accord.workspace import load_workspace


def register(app: typer.Typer) -> None:
    app.command()(token)


def token(
    scope: Annotated[
        str | None,
        typer.Option(help="Space-separated scopes (default: every scope the contracts declare)."),
    ] = None,
    subject: Annotated[str, typer.Option("--sub", help="The token's subject.")] = "dev-user",
    ttl: Annotated[int, typer.Option(help="Lifetime in seconds.")] = 3600,
) -> None:
    """Print an HS256 bearer token signed with $ACCORD_JWT_SECRET (development only)."""
    secret = os.environ.get("ACCORD_JWT_SECRET", "dev-only-secret")
    scopes = scope if scope is not None else " ".join(load_workspace().scopes())
    typer.echo(mint_token({"sub": subject, "scope": scopes}, secret, ttl=ttl))
