"""Media types, as the core exports them: the one implementation is :mod:`accord._media`
(layer 0, so the runtime's guard reads a ``Content-Type`` the same way)."""

from __future__ import annotations

from accord._media import *  # noqa: F403
