"""``accord crosscheck``: pacts against their provider's OpenAPI contract."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from accord._findings import Severity
from accord.cli._config import WorkspaceOption, load_tool_config
from accord.cli._console import err_console
from accord.cli._sniff import is_asyncapi

if TYPE_CHECKING:
    from accord.crosscheck import Mismatch

_FORMATS = ("text", "json", "sarif")


def register(app: typer.Typer) -> None:
    app.command("crosscheck")(crosscheck_command)


def crosscheck_command(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="An OpenAPI or AsyncAPI document and a pact file (default: every pact of the "
            "workspace).",
            metavar="OPENAPI_FILE PACT_FILE",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or sarif.")] = "text",
    additional: Annotated[
        bool | None,
        typer.Option(
            "--additional-properties-in-response/--no-additional-properties-in-response",
            help="Allow response bodies to carry properties the schema does not declare "
            "(default: no, or tool.accord.crosscheck in pyproject.toml).",
            show_default=False,
        ),
    ] = None,
    required: Annotated[
        bool | None,
        typer.Option(
            "--required-properties-in-response/--no-required-properties-in-response",
            help="Require response bodies to carry every `required` property "
            "(default: no, or tool.accord.crosscheck in pyproject.toml).",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary line.")] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Check pacts against the provider's contracts: OpenAPI for HTTP, AsyncAPI for messages.

    HTTP interactions get swagger-mock-validator's codes, message interactions ``message.*``.
    """
    from accord.cli._config import open_workspace  # noqa: PLC0415
    from accord.core import AsyncContract, Contract, PactFile  # noqa: PLC0415
    from accord.crosscheck import (  # noqa: PLC0415
        CrosscheckOptions,
        Mismatch,
        crosscheck,
        crosscheck_messages,
    )

    if fmt not in _FORMATS:
        raise typer.BadParameter(f"expected one of {', '.join(_FORMATS)}", param_hint="--format")
    tool = load_tool_config(workspace)
    section = tool.raw.get("crosscheck", {})
    settings = section if isinstance(section, dict) else {}
    if additional is None:
        additional = bool(settings.get("additional-properties-in-response", False))
    if required is None:
        required = bool(settings.get("required-properties-in-response", False))
    options = CrosscheckOptions(
        additional_properties_in_response=additional, required_properties_in_response=required
    )
    load = tool.load_options()
    found: list[Mismatch] = []
    pacts = 0
    if files:
        if len(files) != 2:
            raise typer.BadParameter(
                f"expected OPENAPI_FILE PACT_FILE, got {len(files)} path(s)", param_hint="FILES"
            )
        pact = PactFile.from_path(files[1], max_bytes=load.max_bytes)
        if is_asyncapi(str(files[0]), load):  # message interactions against events
            found = crosscheck_messages(AsyncContract.from_path(files[0], load), pact, options)
            if pact.http_interactions:
                err_console.print(
                    f"accord: note: {len(pact.http_interactions)} HTTP interaction(s) of "
                    f"{files[1]} not checked: an AsyncAPI document describes messages only",
                    markup=False,
                )
        else:
            found = crosscheck(Contract.from_path(files[0], load), pact, options)
        pacts = 1
    else:
        found_ws = open_workspace(workspace, tool)
        for pact in found_ws.pacts():
            if pact.provider not in found_ws.services:
                err_console.print(
                    f"accord: skipping {pact.source.display}: provider {pact.provider!r} "
                    "is not a service of the workspace",
                    markup=False,
                )
                continue
            if pact.http_interactions or not pact.message_interactions:
                found += crosscheck(found_ws.contract(pact.provider), pact, options)
            events = found_ws.events(pact.provider) if pact.message_interactions else None
            if events is not None:
                found += crosscheck_messages(events, pact, options)
            pacts += 1
    found.sort(key=Mismatch.sort_key)
    sys.stdout.write(_render(found, fmt))
    errors = sum(1 for m in found if m.severity is Severity.ERROR)
    if not quiet:
        warnings = len(found) - errors
        err_console.print(f"{errors} error(s), {warnings} warning(s) in {pacts} pact file(s)")
    raise typer.Exit(1 if errors else 0)


def _render(found: list[Mismatch], fmt: str) -> str:
    if fmt == "sarif":
        from accord.cli._cmd_lint import finding_rules  # noqa: PLC0415
        from accord.report import render  # noqa: PLC0415

        return render([m.to_finding() for m in found], "sarif", rules=finding_rules())
    if fmt == "json":
        return json.dumps({"findings": [m.as_dict() for m in found]}, indent=2) + "\n"
    lines = []
    for m in found:
        spec = f" (spec: {m.spec_location})" if m.spec_location else ""
        lines.append(f"{m.pact_location}: {m.severity.value} {m.code}: {m.message}{spec}\n")
    return "".join(lines)
