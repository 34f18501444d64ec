"""The consoles every command writes through: results to stdout, everything else to stderr."""

from __future__ import annotations

from rich.console import Console

__all__ = ["err_console"]

err_console = Console(stderr=True, highlight=False, soft_wrap=True)
