"""``accord diff``."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from accord._errors import AccordError
from accord.cli._config import WorkspaceOption, load_tool_config
from accord.cli._console import err_console
from accord.cli._sniff import head as _head  # noqa: F401  (tests call it here)
from accord.cli._sniff import is_asyncapi as _is_asyncapi


def register(app: typer.Typer) -> None:
    app.command()(diff)


def diff(
    args: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="OLD NEW | SERVICE...",
            help="OLD NEW contract files; with --base, the services to compare (default: all).",
        ),
    ] = None,
    base: Annotated[
        str | None,
        typer.Option("--base", help="Compare the workspace's contracts at this git revision."),
    ] = None,
    pacts: Annotated[
        list[Path] | None,
        typer.Option("--pacts", help="Pact file or directory of the consumers (OLD NEW mode)."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or markdown.")] = "text",
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            help="breaking (any breaking change), consumer (one that breaks a pact) or never; "
            "default: consumer when there are pacts, breaking when there are none.",
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Same as --fail-on breaking.")] = False,
    max_size: Annotated[
        float | None, typer.Option("--max-size", help="Largest document to read, in MiB.")
    ] = None,
    list_ids: Annotated[
        bool, typer.Option("--list-ids", help="List every change id, its level and oasdiff id.")
    ] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Classify the changes between two contract versions and name the consumers they break.

    Exit 1 when a breaking change affects a consumer's pact, or, with no pacts to
    check, on any breaking change (--fail-on chooses); 0 otherwise; 2 when an input
    cannot be used.
    """
    from accord.cli._config import open_workspace  # noqa: PLC0415
    from accord.diff import (  # noqa: PLC0415
        FAIL_ON,
        FORMATS,
        OASDIFF_IDS,
        all_ids,
        diff_files,
        diff_workspace,
        render_diff,
        summary_line,
    )

    if list_ids:
        for change_id, level in all_ids().items():
            typer.echo(f"{change_id:60} {level.value:12} {OASDIFF_IDS.get(change_id, '-')}")
        return
    if fmt not in FORMATS:
        raise typer.BadParameter(f"expected one of {', '.join(FORMATS)}", param_hint="--format")
    if fail_on is not None and fail_on not in FAIL_ON:
        raise typer.BadParameter(f"expected one of {', '.join(FAIL_ON)}", param_hint="--fail-on")
    if strict and fail_on not in (None, "breaking"):
        raise typer.BadParameter("--strict means --fail-on breaking", param_hint="--strict")
    chosen = "breaking" if strict else fail_on
    mode = next((m for m in FAIL_ON if m == chosen), None)
    names = list(args or [])
    options = load_tool_config(workspace).load_options(max_size)
    if base is not None:
        if pacts:
            raise typer.BadParameter("--base reads the workspace's pacts", param_hint="--pacts")
        result, notes = diff_workspace(open_workspace(workspace, max_mib=max_size), base, names)
        title = f"contracts at {base} -> working tree"
    else:
        if len(names) != 2:
            raise typer.BadParameter(
                "expected OLD and NEW contract files (or --base GIT_REF [SERVICE...])",
                param_hint="ARGS",
            )
        for name in names:
            if not Path(name).exists():  # a FIFO or device: the loader says what it is
                raise AccordError(f"contract file {name} does not exist")
        if _is_asyncapi(names[0], options):
            _diff_events(names[0], names[1], pacts or (), options, fmt, strict)
        result, notes = diff_files(names[0], names[1], pacts or (), options), []
        title = f"{names[0]} -> {names[1]}"
    for note in notes:
        err_console.print(f"accord: note: {note}", markup=False)
    sys.stdout.write(render_diff(result, fmt, title=title))
    if fmt != "text":
        err_console.print(summary_line(result), markup=False)
    raise typer.Exit(result.exit_code(mode))


def _diff_events(
    old: str, new: str, pacts: Sequence[Path], options: Any, fmt: str, strict: bool
) -> None:
    """AsyncAPI documents: every change, @asyncapi/diff's type and Accord's by direction."""
    from accord.core import AsyncContract  # noqa: PLC0415
    from accord.diff import asyncapi_changes, load_pacts, render_async_changes  # noqa: PLC0415

    before = AsyncContract.from_path(old, options)
    after = AsyncContract.from_path(new, options)
    try:
        changes = asyncapi_changes(before, after, resolved=True)
    except ValueError as exc:
        raise AccordError(str(exc)) from None
    found = load_pacts(pacts, options)
    text, breaking, reaching = render_async_changes(
        changes, found, "json" if fmt == "json" else "text", f"{old} -> {new}", before, after
    )
    sys.stdout.write(text)
    raise typer.Exit(1 if reaching or (strict and breaking) else 0)
