"""``accord lint``."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from accord._findings import Finding, Severity
from accord.cli._config import ToolConfig, WorkspaceOption, load_tool_config

if TYPE_CHECKING:
    from accord.lint import LintConfig, LintResult
    from accord.workspace import Workspace


def lint_with_crosscheck(workspace: Workspace, config: LintConfig | None = None) -> LintResult:
    """Lint the workspace and cross-check its pacts against their providers' contracts.

    Lint and crosscheck are features that may not import each other; their findings
    meet here, for ``accord lint`` and for ``accord verify``'s static gates.
    """
    from accord.crosscheck import UNUSABLE, crosscheck_workspace  # noqa: PLC0415
    from accord.lint import LintConfig, lint_workspace  # noqa: PLC0415

    config = config or LintConfig()
    result = lint_workspace(workspace, config)
    extra = [
        dataclasses.replace(f, severity=config.severities.get(f.rule, f.severity))
        for f in crosscheck_workspace(workspace)
        if f.rule != UNUSABLE and f.rule not in config.disable  # lint reports unusable pacts
    ]
    result.findings = sorted(result.findings + extra, key=Finding.sort_key)
    return result


def finding_rules() -> list[dict[str, Any]]:
    """Every rule id a check can report, with its severity, scope and description, for
    SARIF's rule list: lint's registry, the unusable-input id, and crosscheck's codes (one
    registry each; ``tests/cli/test_sarif.py`` checks that nothing emitted is missing)."""
    from accord._findings import UNUSABLE, UNUSABLE_DESCRIPTION  # noqa: PLC0415
    from accord.crosscheck import describe as crosscheck_codes  # noqa: PLC0415
    from accord.lint import describe  # noqa: PLC0415

    unusable = {"id": UNUSABLE, "severity": "error", "scope": "input",
                "description": UNUSABLE_DESCRIPTION}  # fmt: skip
    return [*describe(), unusable, *crosscheck_codes()]


def lint_settings(
    tool: ToolConfig,
    fail_on: str | None = None,
    disable: list[str] | None = None,
    max_size: float | None = None,
) -> tuple[LintConfig, Severity]:
    """The lint configuration and failing severity: flags over ``[tool.accord.lint]``.

    ``accord lint`` and ``accord verify``'s static gates both use it, so they pass and
    fail on the same findings.
    """
    from accord.lint import LintConfig  # noqa: PLC0415

    threshold = (fail_on or tool.lint_fail_on).lower()
    if threshold not in ("error", "warning"):
        hint = "--fail-on" if fail_on else "[tool.accord.lint] fail-on"
        raise typer.BadParameter("expected error or warning", param_hint=hint)
    config = LintConfig(
        disable=frozenset((*tool.lint_disable, *(disable or ()))),
        load=tool.load_options(max_size),
    )
    return config, Severity(threshold)


def register(app: typer.Typer) -> None:
    app.command()(lint)


def lint(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="OpenAPI documents, pact files or workspace folders (default: the workspace)."
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or sarif.")] = "text",
    fail_on: Annotated[
        str | None, typer.Option(help="Lowest severity that fails the run: error or warning.")
    ] = None,
    disable: Annotated[
        list[str] | None, typer.Option("--disable", help="Rule id to skip (repeatable).")
    ] = None,
    max_size: Annotated[
        float | None, typer.Option("--max-size", help="Largest document to read, in MiB.")
    ] = None,
    list_rules: Annotated[
        bool, typer.Option("--list-rules", help="List the rules and exit.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary line.")] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Check contracts and pacts: validity, rules, and the workspace as a whole."""
    from accord.cli._config import open_workspace  # noqa: PLC0415
    from accord.lint import describe, lint_paths  # noqa: PLC0415
    from accord.report import FORMATS, render  # noqa: PLC0415

    if list_rules:
        for entry in describe():
            typer.echo(f"{entry['id']:32} {entry['severity']:8} {entry['description']}")
        return
    if fmt not in FORMATS:
        raise typer.BadParameter(f"expected one of {', '.join(FORMATS)}", param_hint="--format")
    tool = load_tool_config(workspace)
    config, threshold = lint_settings(tool, fail_on, disable, max_size)
    result = (
        lint_paths(paths, config)
        if paths
        else lint_with_crosscheck(open_workspace(workspace, tool, max_size), config)
    )
    sys.stdout.write(render(result.findings, fmt, rules=finding_rules() if fmt == "sarif" else ()))
    if not quiet:
        counts = {s: sum(1 for f in result.findings if f.severity is s) for s in Severity}
        sys.stderr.write(  # plain text: loading rich for one line costs more than linting petstore
            f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s) "
            f"in {result.contracts} contract(s) and {result.pacts} pact file(s)\n"
        )
    raise typer.Exit(result.exit_code(threshold))
