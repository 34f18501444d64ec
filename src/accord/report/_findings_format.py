"""Findings rendered for people (text), programs (JSON) and code-scanning UIs (SARIF 2.1.0)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from accord._errors import Location
from accord._findings import Finding, Severity
from accord._version import __version__

__all__ = ["FORMATS", "render"]

FORMATS = ("text", "json", "sarif")
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_SARIF_LEVEL_OF = {s.value: level for s, level in _SARIF_LEVEL.items()}


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


def _uri(file: str) -> tuple[str, bool]:
    """A location's file as a SARIF ``uri`` (RFC 3986: percent-encoded, ``/``-separated) and
    whether it is relative (to ``%SRCROOT%``, the folder the command ran in, as GitHub code
    scanning resolves it against the repository root)."""
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]+://", file):  # already a URL (a broker's pact)
        return file, False
    path = PurePath(file)
    if path.is_absolute():
        return Path(file).as_uri(), False
    return quote(path.as_posix(), safe="/"), True


def _location(loc: Location) -> dict[str, Any]:
    uri, relative = _uri(loc.file)
    artifact: dict[str, Any] = {"uri": uri}
    if relative:
        artifact["uriBaseId"] = "%SRCROOT%"
    found: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": artifact,
            "region": {"startLine": max(loc.line, 1), "startColumn": max(loc.column, 1)},
        }
    }
    if loc.pointer:
        found["properties"] = {"jsonPointer": loc.pointer}
    return found


def _descriptor(rule: Mapping[str, Any]) -> dict[str, Any]:
    """A ``reportingDescriptor`` with what GitHub code scanning shows of a rule: its
    descriptions, its default level and its scope as a tag."""
    text = str(rule.get("description") or rule["id"])
    level = rule.get("severity")
    descriptor: dict[str, Any] = {
        "id": rule["id"],
        "name": rule["id"],
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "help": {"text": text},
    }
    if level in _SARIF_LEVEL_OF:
        descriptor["defaultConfiguration"] = {"level": _SARIF_LEVEL_OF[level]}
    if rule.get("scope"):
        descriptor["properties"] = {"tags": [str(rule["scope"])]}
    return descriptor


def _sarif(
    findings: Sequence[Finding], rules: list[Mapping[str, Any]], tool: str
) -> dict[str, Any]:
    known = [r for r in rules if r.get("id")]
    ids = {r["id"] for r in known}
    extra = sorted({f.rule for f in findings} - ids)  # a rule no registry lists: still named
    descriptors = [_descriptor(r) for r in known] + [_descriptor({"id": rid}) for rid in extra]
    index = {d["id"]: n for n, d in enumerate(descriptors)}
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [_location(f.location)],
        }
        if f.location.pointer:
            result["properties"] = {"jsonPointer": f.location.pointer}
        if f.related:
            result["relatedLocations"] = [
                {"id": n, **_location(loc)} for n, loc in enumerate(f.related, start=1)
            ]
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
                "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
                "results": results,
            }
        ],
    }
