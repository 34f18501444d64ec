"""Time to generate code for the largest real-world documents, side by side with its baseline.

Compared, per document, each in a fresh process:

- ``datamodel-codegen``: the bare models generator (the baseline: what Accord builds on),
  run with the same flags Accord passes it;
- ``accord generate``: models, the sync + async client, and (for OpenAPI 3.0) the server
  stub, formatted, with provenance headers.

The ratio says what Accord's own work (loading the contract, the operation index, two
emitters, black) costs on top of the model generator.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("ACCORD_CORPUS", ROOT.parent / "shared" / "corpus" / "openapi"))
FILES = [
    "stripe/spec3-2023-08-09.yaml",
    "apis-guru-3.1/openai.com__2.3.0.json",
    "twilio/twilio_conversations_v1.json",
    "apis-guru-3.1/vercel.com__0.0.1.json",
    "petstore/swagger-petstore-v3.yaml",
]
BIN = Path(sys.executable).parent


def _time(command: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, check=False, cwd=ROOT)
    return time.perf_counter() - start, proc.returncode


def _baseline(document: Path, out: Path) -> list[str]:
    """datamodel-codegen on exactly the input and flags Accord gives it (dotted schema names
    such as Stripe's are fed as an underscore copy, which the bare tool needs too)."""
    sys.path.insert(0, str(ROOT / "src"))
    from accord import Contract  # noqa: PLC0415
    from accord.codegen._models import FLAGS, _input  # noqa: PLC0415  (what Accord feeds it)

    contract = Contract.from_path(document)
    schemas = (contract.data.get("components") or {}).get("schemas") or {}
    source, _ = _input(contract, schemas, out.parent)
    return [str(BIN / "datamodel-codegen"), "--input", str(source), "--output", str(out), *FLAGS]


def _accord(document: Path, out: Path) -> list[str]:
    return [str(BIN / "accord"), "generate", "--contract", str(document), "--out", str(out)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--json", type=Path, default=ROOT / "benchmarks" / "results" / "generate.json"
    )
    args = parser.parse_args()
    rows = []
    for name in FILES:
        document = CORPUS / name
        if not document.exists():
            print(f"skipped {name}: not in this corpus", file=sys.stderr)
            continue
        timings: dict[str, list[float]] = {"baseline": [], "accord": []}
        codes: dict[str, int] = {}
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                seconds, codes["baseline"] = _time(_baseline(document, Path(tmp) / "models.py"))
                timings["baseline"].append(seconds)
            with tempfile.TemporaryDirectory() as tmp:
                seconds, codes["accord"] = _time(_accord(document, Path(tmp) / "pkg"))
                timings["accord"].append(seconds)
        base, ours = statistics.median(timings["baseline"]), statistics.median(timings["accord"])
        rows.append(
            {
                "file": name,
                "size_bytes": document.stat().st_size,
                "datamodel_codegen_s": round(base, 2),
                "accord_generate_s": round(ours, 2),
                "ratio": round(ours / base, 2) if base else None,
                "exit_codes": codes,
                "runs": timings,
            }
        )
    header = (
        f"{'file':40} {'size':>8} {'datamodel-codegen s':>20} {'accord generate s':>18} "
        f"{'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['file']:40} {row['size_bytes'] / 1048576:7.1f}M "
            f"{row['datamodel_codegen_s']:20.2f} {row['accord_generate_s']:18.2f} "
            f"{row['ratio']:6.2f}"
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"repeat": args.repeat, "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
