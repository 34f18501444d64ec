"""``mocks/<service>.yaml``: scenarios, faults and seed records for one service's mock.

The file is checked against ``accord/schemas/mock.schema.json`` and then against
the contract: every operation it names exists, every scenario status is
documented, every example exists, every body and record is valid for its
response. Each error names ``file:line:col``. Scenario answers are computed at
load, like every other answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema_rs

from accord._errors import AccordError
from accord.core import Operation, SourceFile, load_source
from accord.mock._config import Faults, Latency
from accord.mock._exchange import Service
from accord.mock._responses import Canned

__all__ = ["MockFile", "load_mock_file"]

SCENARIO_HEADER = "x-accord-scenario"


@dataclass(slots=True)
class MockFile:
    """What a ``mocks/<service>.yaml`` adds to the contract."""

    path: Path
    faults: Faults | None = None
    operations: dict[str, Faults] = field(default_factory=dict)
    scenarios: dict[str, dict[tuple[str, str], Canned]] = field(default_factory=dict)
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@cache
def _validator() -> Any:
    text = resources.files("accord").joinpath("schemas/mock.schema.json").read_text("utf-8")
    return jsonschema_rs.validator_for(json.loads(text))


def load_mock_file(path: str | Path, service: Service) -> MockFile:
    """Read and check ``path`` against ``service``'s contract; raises :class:`AccordError`."""
    source = load_source(path)
    data = source.data
    _check_schema(source, data)
    out = MockFile(source.path)
    if "faults" in data:
        out.faults = _faults(source, data["faults"], "/faults")
    for name, entry in (data.get("operations") or {}).items():
        op = _operation(source, service, name, f"/operations/{_escape(name)}")
        if "faults" in entry:
            out.operations[op.name] = _faults(
                source, entry["faults"], f"/operations/{_escape(name)}/faults"
            )
    for scenario, answers in (data.get("scenarios") or {}).items():
        built: dict[tuple[str, str], Canned] = {}
        for name, answer in answers.items():
            where = f"/scenarios/{_escape(scenario)}/{_escape(name)}"
            op = _operation(source, service, name, where)
            built[(op.method, op.path)] = _answer(source, service, op, answer, where)
        out.scenarios[scenario] = built
    for collection, items in (data.get("records") or {}).items():
        out.records[collection] = list(items)
    return out


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _fail(source: SourceFile, pointer: str, message: str) -> AccordError:
    return AccordError(message, source.locate(pointer))


def _check_schema(source: SourceFile, data: Any) -> None:
    if not isinstance(data, dict):
        raise _fail(source, "", "a mock file must be a mapping with `version: 1`")
    errors = sorted(_validator().iter_errors(data), key=lambda e: -len(e.instance_path))
    if errors:
        error = errors[0]
        pointer = "".join(f"/{_escape(str(p))}" for p in error.instance_path)
        more = f" ({len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise _fail(source, pointer, f"invalid mock file: {error.message}{more}")


def _operation(source: SourceFile, service: Service, name: str, pointer: str) -> Operation:
    contract = service.contract
    found = contract.operation_by_id(name)
    if found is None and " " in name:
        method, _, path = name.partition(" ")
        found = contract.operation(method.lower(), path.strip())
    if found is None:
        known = ", ".join(sorted(op.name for op in contract.operations)[:20])
        raise _fail(
            source,
            pointer,
            f"{name!r} is not an operation of {service.name} (operationId or `METHOD /path`; "
            f"known: {known})",
        )
    return found


def _faults(source: SourceFile, raw: dict[str, Any], pointer: str) -> Faults:
    latency = None
    if "latency" in raw:
        try:
            latency = Latency.parse(str(raw["latency"]))
        except ValueError as exc:
            raise _fail(source, pointer + "/latency", str(exc)) from None
    return Faults(
        latency=latency,
        error_rate=float(raw.get("error_rate", 0.0)),
        error_status=int(raw.get("error_status", 503)),
        reset_rate=float(raw.get("reset_rate", 0.0)),
    )


def _answer(
    source: SourceFile, service: Service, op: Operation, raw: dict[str, Any], pointer: str
) -> Canned:
    plan = service.plan(op)
    target = plan.default
    status = raw.get("status")
    if status is not None:
        target = plan.response_for(int(status))
        if target is None:
            documented = ", ".join(plan.responses)
            raise _fail(
                source,
                pointer + "/status",
                f"{op.name} documents no response {status} (documented: {documented})",
            )
    if target is None:
        raise _fail(source, pointer, f"{op.name} documents no response to answer with")
    extra = tuple(
        (k.lower().encode("latin-1"), str(v).encode("latin-1"))
        for k, v in (raw.get("headers") or {}).items()
    )
    if "example" in raw:
        canned = target.with_example(str(raw["example"]))
        if canned is None:
            names = ", ".join(target.example_names()) or "none"
            raise _fail(
                source,
                pointer + "/example",
                f"response {target.key} of {op.name} has no example {raw['example']!r} "
                f"(examples: {names})",
            )
        canned = Canned(
            canned.status, canned.body, canned.content_type, _merge(canned.headers, extra)
        )
        name = str(raw["example"])
        others = target.variants_of(target.examples[name], extra, example=name)[1:]
    elif "body" in raw:
        if not target.accepts(raw["body"]):
            media = target.media
            assert media is not None and media.schema is not None
            found = service.contract.validator(media.schema).violations(raw["body"], limit=3)
            reasons = "; ".join(str(v) for v in found)
            raise _fail(
                source,
                pointer + "/body",
                f"body does not match response {target.key} of {op.name}: {reasons}",
            )
        canned = target.value_answer(raw["body"], extra)
        others = target.variants_of(raw["body"], extra)[1:]
    else:
        found_canned = target.canned()
        if found_canned is None:
            raise _fail(source, pointer, target.why_not)
        canned = Canned(
            found_canned.status,
            found_canned.body,
            found_canned.content_type,
            _merge(found_canned.headers, extra),
        )
        others = tuple(
            Canned(c.status, c.body, c.content_type, _merge(c.headers, extra))
            for c in (p.canned() for p in target.offered()[1:])
            if c is not None
        )
    code = int(status) if status is not None else canned.status
    return Canned(
        code,
        canned.body,
        canned.content_type,
        canned.headers,
        tuple(Canned(code, c.body, c.content_type, c.headers) for c in others),
    )


def _merge(
    headers: tuple[tuple[bytes, bytes], ...], extra: tuple[tuple[bytes, bytes], ...]
) -> tuple[tuple[bytes, bytes], ...]:
    """``headers`` with those named in ``extra`` replaced."""
    names = {name for name, _ in extra}
    return tuple(h for h in headers if h[0] not in names) + extra
