"""Verification reports: JUnit XML for CI, and a static HTML page for people."""

from __future__ import annotations

import html
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from accord._errors import AccordError
from accord._version import __version__
from accord.core import PactFile
from accord.verify._model import ServiceResult, VerifyOptions
from accord.workspace import Workspace

__all__ = ["RunInfo", "check_report_dir", "run_info", "write_html", "write_junit"]

#: the tools whose versions a report names (distribution names)
TOOLS = ("schemathesis", "pact-python", "pact-python-ffi", "hypothesis")


@dataclass(slots=True, frozen=True)
class RunInfo:
    """What a report must say about the run that made it, to be read or repeated later."""

    started: str  # ISO 8601, UTC
    commit: str  # the workspace's git commit, or why there is none
    seed: int
    max_examples: int
    pacts: bool  # pact verification was asked for
    properties: bool  # schemathesis was asked for
    tools: dict[str, str] = field(default_factory=dict)  # tool -> version


def run_info(workspace: Workspace, options: VerifyOptions) -> RunInfo:
    """The run's date, commit, seed, budget and tool versions, taken as it starts."""
    try:
        found = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=workspace.root, capture_output=True, text=True,
            timeout=10, check=False,
        )  # fmt: skip
        commit = found.stdout.strip() if found.returncode == 0 else "not a git checkout"
        if found.returncode == 0:
            dirty = subprocess.run(
                ["git", "status", "--porcelain"], cwd=workspace.root, capture_output=True,
                text=True, timeout=10, check=False,
            ).stdout.strip()  # fmt: skip
            commit += " (with uncommitted changes)" if dirty else ""
    except (OSError, subprocess.TimeoutExpired):
        commit = "unknown (git is not available)"
    tools = {"accord": __version__}
    for name in TOOLS:
        try:
            tools[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            tools[name] = "not installed"
    return RunInfo(
        started=datetime.now(UTC).isoformat(timespec="seconds"),
        commit=commit,
        seed=options.seed,
        max_examples=options.max_examples,
        pacts=options.pacts,
        properties=options.properties,
        tools=tools,
    )


def check_report_dir(folder: Path) -> Path:
    """Create ``folder`` and make sure reports can be written there, before a long run."""
    probe = folder / ".accord-write-probe"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise AccordError(
            f"report folder {folder}: cannot write there: {exc.strerror or exc}"
        ) from exc
    return folder


def _write(path: Path, write: Callable[[Path], object]) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(path)
    except OSError as exc:
        raise AccordError(f"report {path}: cannot write it: {exc.strerror or exc}") from exc
    return path


def write_junit(results: list[ServiceResult], path: Path) -> Path:
    """One ``testsuite`` per provider and suite; one ``testcase`` per interaction or operation."""
    root = ET.Element("testsuites", name="accord verify")
    for result in results:
        suites: dict[str, ET.Element[str]] = {}
        if result.error:
            suite = ET.SubElement(
                root, "testsuite", name=f"{result.provider}", tests="1", failures="1"
            )
            case = ET.SubElement(suite, "testcase", classname=result.provider, name="start")
            ET.SubElement(
                case, "failure", message="provider could not be verified"
            ).text = result.error
        for case_result in result.cases:
            found = suites.get(case_result.suite)
            if found is None:
                found = ET.SubElement(
                    root, "testsuite", name=f"{result.provider}.{case_result.suite}"
                )
                suites[case_result.suite] = found
            case = ET.SubElement(
                found,
                "testcase",
                classname=f"{result.provider}.{case_result.suite}",
                name=case_result.name,
            )
            if case_result.skipped:
                ET.SubElement(
                    case, "skipped", message=case_result.message.splitlines()[0]
                    if case_result.message else "skipped",
                ).text = case_result.message  # fmt: skip
            elif not case_result.passed:
                ET.SubElement(
                    case,
                    "failure",
                    message=case_result.message.splitlines()[0]
                    if case_result.message
                    else "failed",
                ).text = case_result.message
        for name, suite in suites.items():
            cases = [c for c in result.cases if c.suite == name]
            suite.set("tests", str(len(cases)))
            suite.set("failures", str(sum(1 for c in cases if not c.passed and not c.skipped)))
            suite.set("skipped", str(sum(1 for c in cases if c.skipped)))
            suite.set("time", f"{result.phases.get(name, 0.0):.2f}")
    tree = ET.ElementTree(root)
    return _write(path, lambda p: tree.write(p, encoding="utf-8", xml_declaration=True))


#: node fill per verdict: passed, failed, and not verified in this run
FILLS = {"passed": "#a8dab5", "failed": "#f28b82", "unverified": "#e8eaed"}
EDGES = {"passed": "#188038", "failed": "#d93025", "unverified": "#888"}


def _verdicts(results: list[ServiceResult]) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Each verified provider's verdict, and each (consumer, provider) pact's."""
    nodes = {r.provider: "passed" if r.passed else "failed" for r in results}
    edges: dict[tuple[str, str], str] = {}
    for result in results:
        for case in result.cases:
            if case.suite == "pact" and case.consumer:
                key = (case.consumer, result.provider)
                failed = not case.passed and not case.skipped
                edges[key] = "failed" if failed or edges.get(key) == "failed" else "passed"
        if result.error:
            for path in result.pact_files:
                consumer = PactFile.from_path(path).consumer
                edges[(consumer, result.provider)] = "failed"
    return nodes, edges


def _graph(workspace: Workspace, results: list[ServiceResult]) -> str:
    """An inline SVG: consumers on the left, providers on the right, an arrow per relation.

    Providers are filled by their verdict and arrows coloured by their pact's (green
    passed, red failed, grey not verified in this run).
    """
    verdicts, pact_verdicts = _verdicts(results)
    providers = list(workspace.services)
    consumers = sorted(
        {c for c in workspace.consumers}
        | {s for s in workspace.services if workspace.services[s].consumes}
    )
    edges = [(s, p) for s, spec in workspace.services.items() for p in spec.consumes]
    edges += [(c, p) for c, spec in workspace.consumers.items() for p in spec.consumes]
    rows = max(len(providers), len(consumers))
    height = 60 + rows * 70
    pos: dict[tuple[str, str], tuple[int, int]] = {}
    parts = [
        f'<svg id="graph" xmlns="http://www.w3.org/2000/svg" width="640" height="{height}" role="img" aria-label="service graph">'
    ]
    parts.append(
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>'
    )
    for column, names, x in (("c", consumers, 40), ("p", providers, 420)):
        for i, name in enumerate(names):
            y = 40 + i * 70
            pos[(column, name)] = (x, y)
            kind = "consumer" if column == "c" else "provider"
            verdict = verdicts.get(name, "unverified") if column == "p" else ""
            fill = FILLS[verdict] if verdict else "#e8f0fe"
            title = f"<title>{html.escape(name)}: {verdict}</title>" if verdict else ""
            parts.append(
                f'<g class="node {kind} {verdict}">{title}<rect x="{x}" y="{y}" width="180" height="40" rx="8" '
                f'fill="{fill}" stroke="#555"/>'
                f'<text x="{x + 90}" y="{y + 25}" text-anchor="middle" font-family="sans-serif" font-size="14">{html.escape(name)}</text></g>'
            )
    for consumer, provider in edges:
        x1, y1 = pos[("c", consumer)]
        x2, y2 = pos[("p", provider)]
        verdict = pact_verdicts.get((consumer, provider), "unverified")
        parts.append(
            f'<line class="edge {verdict}" x1="{x1 + 180}" y1="{y1 + 20}" x2="{x2}" y2="{y2 + 20}" stroke="{EDGES[verdict]}" '
            f'stroke-width="1.5" marker-end="url(#arrow)"><title>{html.escape(consumer)} uses {html.escape(provider)}: pact {verdict}</title></line>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _coverage(workspace: Workspace, results: list[ServiceResult]) -> str:
    rows = []
    tested = {(r.provider, c.name) for r in results for c in r.cases if c.suite == "schemathesis"}
    fuzzed_services = {r.provider for r in results if "schemathesis" in r.phases}
    for service in workspace.services:
        contract = workspace.contract(service)
        used: dict[str, set[str]] = {}
        for path in workspace.pact_paths():
            pact = PactFile.from_path(path)
            if pact.provider != service:
                continue
            for interaction in pact.http_interactions:
                assert interaction.request is not None
                match = contract.match(interaction.request.method, interaction.request.path)
                if match is not None:
                    used.setdefault(match.operation.key, set()).add(pact.consumer)
        for op in contract.operations:
            consumers = ", ".join(sorted(used.get(op.key, ()))) or "—"
            fuzzed = any(
                op.key in name or (op.operation_id or "?") in name
                for (p, name) in tested
                if p == service
            )
            examples = any(m.examples for r in op.responses.values() for m in r.content.values())
            property_tests = (
                ("yes" if fuzzed else "no") if service in fuzzed_services else "skipped"
            )
            status = "unused" if consumers == "—" else "used"
            rows.append(
                f'<tr class="{status}"><td>{html.escape(service)}</td><td><code>{html.escape(op.key)}</code></td>'
                f"<td>{html.escape(op.operation_id or '')}</td><td>{html.escape(consumers)}</td>"
                f"<td>{property_tests}</td><td>{'yes' if examples else 'no'}</td></tr>"
            )
    return "".join(rows)


def _phases(result: ServiceResult) -> str:
    """Each phase's time, or "skipped" for a phase that did not run."""
    shown = []
    for phase in ("pact", "schemathesis"):
        took = result.phases.get(phase)
        shown.append(f"{phase} {took:.1f} s" if took is not None else f"{phase} skipped")
    if "messages" in result.phases:  # only providers with events watch messages
        shown.append(f"messages {result.phases['messages']:.1f} s (during schemathesis)")
    return ", ".join(shown)


def _events(results: list[ServiceResult]) -> str:
    """One row per channel a provider sends on: messages seen, violations, verdict."""
    rows = []
    for result in results:
        for case in (c for c in result.cases if c.suite == "messages"):
            verdict = case.verdict
            css = {"passed": "passed", "failed": "failed"}.get(verdict, "unseen")
            rows.append(
                f'<tr class="{css}"><td>{html.escape(result.provider)}</td>'
                f"<td>{html.escape(case.name)}</td><td>{case.seen or 0}</td>"
                f"<td>{case.violations}</td><td>{html.escape(verdict)}</td></tr>"
            )
    if not rows:
        return "<p>No provider with events was watched in this run.</p>"
    head = (
        "<tr><th>provider</th><th>channel (operations: address)</th><th>messages seen</th>"
        "<th>violations</th><th>verdict</th></tr>"
    )
    return f"<table>{head}{''.join(rows)}</table>"


def _run_header(info: RunInfo | None) -> str:
    if info is None:
        return ""
    phases = [
        f"pacts {'run' if info.pacts else 'skipped (--no-pacts)'}",
        f"property tests {'run' if info.properties else 'skipped (--no-properties)'}",
    ]
    tools = ", ".join(f"{name} {version}" for name, version in info.tools.items())
    rows = [
        ("date", info.started),
        ("commit", info.commit),
        ("seed", str(info.seed)),
        ("examples per operation", str(info.max_examples)),
        ("phases", "; ".join(phases)),
        ("tools", tools),
    ]
    cells = "".join(
        f'<tr><th>{html.escape(k)}</th><td id="run-{html.escape(k.split()[0])}">{html.escape(v)}</td></tr>'
        for k, v in rows
    )
    return f'<table id="run">{cells}</table>'


def write_html(
    workspace: Workspace,
    results: list[ServiceResult],
    path: Path,
    junit_name: str,
    info: RunInfo | None = None,
) -> Path:
    """A self-contained page: the run, graph, verdicts, per-operation coverage, every failure."""
    verdicts, failures = [], []
    for result in results:
        passed = sum(1 for c in result.cases if c.passed)
        skipped = len(result.skipped())
        total = len(result.cases) - skipped
        phases = _phases(result)
        verdict = "passed" if result.passed else "failed"
        verdicts.append(
            f'<tr class="{verdict}"><td><a href="#{html.escape(result.provider)}">{html.escape(result.provider)}</a></td>'
            f"<td>{verdict}</td><td>{passed}/{total}{f' ({skipped} skipped)' if skipped else ''}</td><td>{html.escape(phases)}</td></tr>"
        )
        items = [f"<li><pre>{html.escape(result.error)}</pre></li>"] if result.error else []
        for case in result.failures():
            items.append(
                f"<li><strong>{html.escape(case.suite)}: {html.escape(case.name)}</strong>"
                f"<pre>{html.escape(case.message)}</pre>"
                + (
                    f'<p>Reproduce:</p><pre class="reproduce">{html.escape(case.reproduce)}</pre>'
                    if case.reproduce
                    else ""
                )
                + "</li>"
            )
        failures.append(
            f'<section id="{html.escape(result.provider)}"><h3>{html.escape(result.provider)}</h3>'
            + (f"<ol>{''.join(items)}</ol>" if items else "<p>No failures.</p>")
            + "</section>"
        )
    ok = all(r.passed for r in results)
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Accord verification report</title>
<style>
body {{ font-family: sans-serif; margin: 2rem; max-width: 70rem; color: #222; }}
table {{ border-collapse: collapse; margin: 1rem 0; }} td, th {{ border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; }}
tr.failed td {{ background: #fce8e6; }} tr.passed td {{ background: #e6f4ea; }} tr.unused td {{ color: #888; }} tr.unseen td {{ background: #fef7e0; }}
pre {{ white-space: pre-wrap; background: #f6f6f6; padding: .5rem; }}
#verdict {{ font-size: 1.4rem; }}
</style></head><body>
<h1>Accord verification report</h1>
<p id="verdict">{"All providers passed." if ok else "Verification failed."} JUnit: <a href="{html.escape(junit_name)}">{html.escape(junit_name)}</a>; logs of each provider, its mocks and the tools in the folder named after it.</p>
{_run_header(info)}
<nav><a href="#graph-section">Service graph</a> · <a href="#verdicts">Verdicts</a> · <a href="#coverage">Coverage</a> · <a href="#events">Events</a> · <a href="#failures">Failures</a></nav>
<h2 id="graph-section">Service graph</h2>
<p>Who consumes whom (from <code>contracts/accord.yaml</code>). Providers and pacts:
<span style="background:{FILLS["passed"]}">passed</span>, <span style="background:{FILLS["failed"]}">failed</span>,
<span style="background:{FILLS["unverified"]}">not verified in this run</span>.</p>
{_graph(workspace, results)}
<h2 id="verdicts">Verdicts</h2>
<table><tr><th>provider</th><th>verdict</th><th>cases passed</th><th>time per phase</th></tr>{"".join(verdicts)}</table>
<h2 id="coverage">Coverage by operation</h2>
<table><tr><th>service</th><th>operation</th><th>operationId</th><th>consumer pacts</th><th>property tests</th><th>examples</th></tr>{_coverage(workspace, results)}</table>
<h2 id="events">Events published during the property tests</h2>
<p>Every message each provider published on the broker, checked against its AsyncAPI document
(all of them, with their problems, in <code>&lt;provider&gt;/messages/messages.jsonl</code>).
"no message seen" is neither passed nor failed: nothing on that channel was checked.</p>
{_events(results)}
<h2 id="failures">Failures</h2>
{"".join(failures)}
</body></html>
"""
    return _write(path, lambda p: p.write_text(page, encoding="utf-8"))
