"""``python -m services.<name>``: the same command line for every service."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["serve_main"]


def serve_main(
    name: str,
    create: Callable[..., Any],
    default_port: int,
    argv: Sequence[str] | None = None,
) -> int:
    """Parse ``--host --port --db --provider-states`` and serve ``create(db)`` with uvicorn."""
    import uvicorn  # noqa: PLC0415  (only a served process needs it)

    parser = argparse.ArgumentParser(prog=f"python -m services.{name}", description=f"Run {name}.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=default_port)
    parser.add_argument("--db", type=Path, default=Path("var") / f"{name}.sqlite3")
    parser.add_argument(
        "--provider-states",
        action="store_true",
        help="Expose POST /_accord/provider-states (pact verification only).",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    for noisy in ("httpx", "connexion"):  # one access-log line per request is enough
        logging.getLogger(noisy).setLevel(logging.WARNING)
    app = create(args.db, with_states=args.provider_states)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0
