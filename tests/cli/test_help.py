"""`accord --help`, `-h`, `--version`, `-V` and every command's help, in-process and as a process.

The commands are enumerated from the app itself, so a new command is covered without a new
test. A process run catches what an in-process run cannot: a dependency that reads the real
``sys.argv`` when it is imported (datamodel-code-generator's ``__main__`` printed its own help
and version instead of Accord's).
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from accord import __version__
from accord.cli import app, main

CLI = Path(__file__).resolve().parents[2] / "src" / "accord" / "cli"


def _group() -> typer.core.TyperGroup:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    return group


def _commands() -> list[str]:
    group = _group()
    with typer.Context(group, info_name="accord") as ctx:
        return group.list_commands(ctx)


COMMANDS = _commands()


def accord(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "accord", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_app_has_every_command_module_s_commands() -> None:
    """Each ``_cmd_<name>.py`` registers commands; all of them are listed by the app."""
    registered: set[str] = set()
    for info in pkgutil.iter_modules([str(CLI)]):
        if info.name.startswith("_cmd_"):
            scratch = typer.Typer()
            __import__(f"accord.cli.{info.name}", fromlist=["register"]).register(scratch)
            registered |= {c.name or c.callback.__name__ for c in scratch.registered_commands}  # type: ignore[union-attr]
    assert registered == set(COMMANDS)
    assert {"lint", "diff", "generate", "mock", "verify", "token"} <= set(COMMANDS)


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_top_level_help(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([flag]) == 0
    out = capsys.readouterr().out
    assert "Usage: accord" in out
    assert "datamodel-codegen" not in out
    for name in COMMANDS:
        assert f" {name} " in out, f"{name} is not listed in `accord {flag}`"


def test_top_level_help_lists_each_command_with_its_own_one_line_help(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """What `accord --help` says of a command is the first paragraph of its docstring."""
    assert main(["--help"]) == 0
    listing = _squash(capsys.readouterr().out)
    group = _group()
    with typer.Context(group, info_name="accord") as ctx:
        for name in COMMANDS:
            command = group.get_command(ctx, name)
            assert command is not None and command.callback is not None
            summary = (command.callback.__doc__ or "").strip().split("\n\n")[0]
            assert summary, f"{name} has no docstring"
            assert _squash(summary) in listing, f"`accord --help` lacks {name}: {summary!r}"


def _squash(text: str) -> str:
    """Text without rich's box borders and line wrapping."""
    return " ".join(text.replace("\u2502", " ").split())


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_top_level_version(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([flag]) == 0
    assert capsys.readouterr().out == f"accord {__version__}\n"


@pytest.mark.parametrize("name", COMMANDS)
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_every_command_help(name: str, flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([name, flag]) == 0
    out = capsys.readouterr().out
    assert f"Usage: accord {name}" in out
    assert "datamodel-codegen" not in out


@pytest.mark.parametrize("flag", ["--help", "-h", "--version", "-V"])
def test_top_level_flags_as_a_process(flag: str) -> None:
    proc = accord(flag)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "datamodel-codegen" not in output
    if flag in ("--version", "-V"):
        assert proc.stdout == f"accord {__version__}\n"
    else:
        assert "Usage: accord" in proc.stdout
        assert all(f" {name} " in proc.stdout for name in COMMANDS), proc.stdout


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_help_as_a_process(name: str) -> None:
    proc = accord(name, "--help")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert f"Usage: accord {name}" in proc.stdout
    assert "datamodel-codegen" not in output


def test_an_unknown_command_is_a_usage_error_naming_it() -> None:
    proc = accord("lnit")
    assert proc.returncode == 2
    assert "lnit" in proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
