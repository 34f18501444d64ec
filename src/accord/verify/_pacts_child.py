"""The Pact FFI's verifier in a process of its own (see :mod:`accord.verify._pacts`).

Reads one request (JSON) on standard input, verifies, and writes the results (JSON) to
the file the request names; its standard output is the FFI's.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

from accord.verify._pacts import PactRun, verify_here


def main() -> int:
    request = json.loads(sys.stdin.read())
    cases = verify_here(PactRun.from_json(request["run"]))
    found = [{**asdict(c), "pact": str(c.pact) if c.pact else None} for c in cases]
    sys.stdout.flush()
    Path(request["answer"]).write_text(json.dumps(found), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
