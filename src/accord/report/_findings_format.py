"""Findings rendered for people (text), programs (JSON) and code-scanning UIs (SARIF 2.1.0)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from accord._findings import Finding, Severity
from accord._version import __version__

__all__ = ["FORMATS", "render"]

FORMATS = ("text", "json", "sarif")
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(
    findings: Sequence[Finding],
    fmt: str,
    *,
    rules: Iterable[Mapping[str, Any]] = (),
    tool: str = "accord",
) -> str:
    """``findings`` as text (one compiler-style line each), JSON, or SARIF."""
    if fmt == "text":
        return "".join(f"{f}\n" for f in findings)
    if fmt == "json":
        return json.dumps({"findings": [_as_dict(f) for f in findings]}, indent=2) + "\n"
    if fmt == "sarif":
        return json.dumps(_sarif(findings, list(rules), tool), indent=2) + "\n"
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _as_dict(f: Finding) -> dict[str, Any]:
    loc = f.location
    return {
        "rule": f.rule,
        "severity": f.severity.value,
        "message": f.message,
        "file": loc.file,
        "line": loc.line,
        "column": loc.column,
        "pointer": loc.pointer,
    }


def _sarif(
    findings: Sequence[Finding], rules: list[Mapping[str, Any]], tool: str
) -> dict[str, Any]:
    known = {r["id"] for r in rules}
    extra = sorted({f.rule for f in findings} - known)
    descriptors = [
        {"id": r["id"], "shortDescription": {"text": r["description"]}} for r in rules
    ] + [{"id": rid, "shortDescription": {"text": rid}} for rid in extra]
    results = []
    for f in findings:
        region = {"startLine": max(f.location.line, 1), "startColumn": max(f.location.column, 1)}
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.location.file},
                        "region": region,
                    }
                }
            ],
        }
        if f.location.pointer:
            result["properties"] = {"jsonPointer": f.location.pointer}
        results.append(result)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": tool,
                        "version": __version__,
                        "rules": descriptors,
                    }
                },
                "results": results,
            }
        ],
    }
