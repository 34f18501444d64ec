"""The ``accord`` command line."""

from accord.cli._app import app, main

__all__ = ["app", "main"]
