"""The ``accord`` command line (typer + rich). Exit codes: 0 ok, 1 findings, 2 usage/input error.

Each command lives in its own ``_cmd_<name>.py`` module with a ``register(app)``
function. A module is imported only when one of its commands runs or shows its
help: :data:`COMMANDS` names each command's module and its one-line summary, so
``accord --help`` lists every command without importing any, and ``accord
--version`` or ``accord token`` start without the libraries other commands need
(pydantic, schemathesis, black, ...). A new command module gets a line in
:data:`COMMANDS`; ``tests/cli/test_help.py`` fails until it has one.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from accord._errors import AccordError
from accord._version import __version__
from accord.cli._params import install as install_plain_coercion
from accord.cli._params import install_param

if TYPE_CHECKING:
    from typer import _click  # typer's own copy of click: the types its classes use


@dataclass(slots=True, frozen=True)
class CommandInfo:
    """Where a command lives, and what ``accord --help`` says of it before importing it."""

    module: str  # under accord.cli
    summary: str  # the first paragraph of the command's docstring


#: every command, in the order ``accord --help`` lists them
COMMANDS: dict[str, CommandInfo] = {
    "init": CommandInfo(
        "_cmd_init",
        "Scaffold contracts/accord.yaml, tool settings and a CI job from the OpenAPI files here.",
    ),
    "lint": CommandInfo(
        "_cmd_lint", "Check contracts and pacts: validity, rules, and the workspace as a whole."
    ),
    "crosscheck": CommandInfo(
        "_cmd_crosscheck",
        "Check pacts against the provider's contracts: OpenAPI for HTTP, AsyncAPI for messages.",
    ),
    "diff": CommandInfo(
        "_cmd_diff",
        "Classify the changes between two contract versions and name the consumers they break.",
    ),
    "generate": CommandInfo(
        "_cmd_generate",
        "Generate models, clients and server stubs from the contracts (into generated/).",
    ),
    "mock": CommandInfo(
        "_cmd_mock",
        "Serve mocks of contracts: validated requests, answers from examples or the schema.",
    ),
    "pacts": CommandInfo(
        "_cmd_pacts",
        "Run every consumer test suite and write their pacts into the workspace's pacts folder.",
    ),
    "verify": CommandInfo(
        "_cmd_verify",
        "Verify every provider against its consumers' pacts and its contract (what CI runs).",
    ),
    "can-i-deploy": CommandInfo(
        "_cmd_verify",
        "Whether SERVICE can be deployed: its pacts passed verification (locally or in a broker).",
    ),
    "broker": CommandInfo(
        "_cmd_broker",
        "Serve a Pact Broker (HAL API and a small HTML page) on SQLite or PostgreSQL.",
    ),
    "publish": CommandInfo(
        "_cmd_broker",
        "Publish pacts to a Pact Broker as their consumer's version (git commit) and branch.",
    ),
    "record-deployment": CommandInfo(
        "_cmd_broker",
        "Record that a version was deployed to an environment (replacing the one there).",
    ),
    "record-release": CommandInfo(
        "_cmd_broker",
        "Record that a version was released to an environment (several may be supported).",
    ),
    "record-undeployment": CommandInfo(
        "_cmd_broker",
        "Record that a pacticipant was removed from an environment (not replaced by another).",
    ),
    "record-support-ended": CommandInfo(
        "_cmd_broker", "Record that a released version is no longer supported in an environment."
    ),
    "create-environment": CommandInfo(
        "_cmd_broker", "Create an environment in the Pact Broker (nothing happens if it exists)."
    ),
    "gateway": CommandInfo(
        "_cmd_gateway",
        "Serve the API gateway: routes, validation, JWT scopes and rate limits from the contracts.",
    ),
    "up": CommandInfo(
        "_cmd_gateway",
        "Start every service (or its mock) and the gateway; Ctrl-C stops them all.",
    ),
    "token": CommandInfo(
        "_cmd_token",
        "Print an HS256 bearer token signed with $ACCORD_JWT_SECRET (development only).",
    ),
}


class LazyGroup(TyperGroup):
    """A group that imports a command's module when the command is first asked for.

    Listing the commands (``accord --help``) uses the summaries of :data:`COMMANDS`
    instead: a stand-in command with the summary as its short help.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._listing = False

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return [*COMMANDS, *(name for name in self.commands if name not in COMMANDS)]

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        loaded = self.commands.get(cmd_name)
        if loaded is not None:
            return loaded
        info = COMMANDS.get(cmd_name)
        if info is None:
            return None
        if self._listing:
            return TyperCommand(cmd_name, short_help=info.summary)
        self._load(info.module)
        command = self.commands.get(cmd_name)
        if command is not None:  # its -h/--help too (made on first use, from ctx's names)
            install_param(command.get_help_option(ctx))
        return command

    def get_help_option(self, ctx: _click.Context) -> Any:
        option = super().get_help_option(ctx)
        install_param(option)
        return option

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def _load(self, module: str) -> None:
        """Import ``accord.cli.<module>`` and add the commands it registers."""
        scratch = typer.Typer(rich_markup_mode=self.rich_markup_mode)
        importlib.import_module(f"accord.cli.{module}").register(scratch)
        for name, command in typer.main.get_group(scratch).commands.items():
            install_plain_coercion(command)  # no pydantic for str/int/float/Path values
            self.commands.setdefault(name, command)


app = typer.Typer(
    name="accord",
    cls=LazyGroup,
    help="Contract-first API design and testing: lint, diff, generate, mock, verify.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"accord {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Accord: OpenAPI and Pact contracts as the single source of truth."""


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``accord`` console script; returns the exit code."""
    try:
        app(args=argv, prog_name="accord")  # usage errors: typer prints them and exits 2
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    except AccordError as exc:
        from accord.cli._console import err_console  # noqa: PLC0415 - rich only when needed

        err_console.print(f"accord: error: {exc}", markup=False)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0
