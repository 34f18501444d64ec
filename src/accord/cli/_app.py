"""The ``accord`` command line (typer + rich). Exit codes: 0 ok, 1 findings, 2 usage/input error."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from accord._errors import AccordError
from accord._findings import Severity
from accord._version import __version__
from accord.cli._config import load_tool_config
from accord.core import LoadOptions
from accord.lint import LintConfig, describe, lint_paths, lint_workspace
from accord.report import FORMATS, render
from accord.workspace import load_workspace

app = typer.Typer(
    name="accord",
    help="Contract-first API design and testing: lint, diff, generate, mock, verify.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_err = Console(stderr=True, highlight=False, soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"accord {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Accord: OpenAPI and Pact contracts as the single source of truth."""


@app.command()
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
) -> None:
    """Check contracts and pacts: validity, rules, and the workspace as a whole."""
    if list_rules:
        for entry in describe():
            typer.echo(f"{entry['id']:32} {entry['severity']:8} {entry['description']}")
        return
    if fmt not in FORMATS:
        raise typer.BadParameter(f"expected one of {', '.join(FORMATS)}", param_hint="--format")
    tool = load_tool_config()
    threshold = (fail_on or tool.lint_fail_on).lower()
    if threshold not in ("error", "warning"):
        raise typer.BadParameter("expected error or warning", param_hint="--fail-on")
    mib = max_size if max_size is not None else tool.max_document_mib
    config = LintConfig(
        disable=frozenset((*tool.lint_disable, *(disable or ()))),
        load=LoadOptions(max_bytes=int(mib * 1024 * 1024)),
    )
    result = lint_paths(paths, config) if paths else lint_workspace(load_workspace(), config)
    sys.stdout.write(render(result.findings, fmt, rules=describe()))
    if not quiet:
        counts = {s: sum(1 for f in result.findings if f.severity is s) for s in Severity}
        _err.print(
            f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s) "
            f"in {result.contracts} contract(s) and {result.pacts} pact file(s)"
        )
    raise typer.Exit(result.exit_code(Severity(threshold)))


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``accord`` console script; returns the exit code."""
    try:
        app(args=argv, prog_name="accord")  # usage errors: typer prints them and exits 2
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    except AccordError as exc:
        _err.print(f"accord: error: {exc}", markup=False)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0
