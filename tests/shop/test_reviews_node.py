"""reviews, the shop's JavaScript service: its own Node tests (``node --test``) run here too,
so ``make test`` covers both languages (tokens, contract checks, storage, provider states)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REVIEWS = Path(__file__).resolve().parents[2] / "services" / "reviews"


def test_the_node_tests_of_reviews_pass() -> None:
    node = shutil.which("node")
    assert node, "Node.js is needed (make setup installs it)"
    assert (REVIEWS / "node_modules" / "ajv").is_dir(), "run `make node` (npm ci) first"
    done = subprocess.run(
        [node, "--test", "test/"],
        cwd=REVIEWS, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "# pass 4" in done.stdout and "# fail 0" in done.stdout
