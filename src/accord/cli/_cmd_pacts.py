"""``accord pacts``: regenerate the workspace's pacts from its consumer tests, or check them."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from accord.cli._config import WorkspaceOption
from accord.cli._console import err_console

if TYPE_CHECKING:
    from accord.workspace import Workspace

#: the environment variable the pytest plugin writes a run's pacts to (and owns)
PACTS_DIR_ENV = "ACCORD_PACTS_DIR"
DEFAULT_TESTS = Path("tests") / "consumers"
FIX = "run `make pacts` (or `accord pacts`) and commit the result"


def register(app: typer.Typer) -> None:
    app.command()(pacts)


def _show(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _run_tests(workspace: Workspace, tests: Path, out_dir: Path) -> None:
    """Run the consumer tests so that their pacts land in ``out_dir``; exit 1 if they fail."""
    env = {**os.environ, PACTS_DIR_ENV: str(out_dir), "PACT_DO_NOT_TRACK": "true"}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests)]
    done = subprocess.run(
        command, cwd=workspace.root, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode == 0:
        return
    output = (done.stdout + done.stderr).rstrip().splitlines()
    for line in output[-40:]:
        typer.echo(line, err=True)
    if done.returncode == 5:
        err_console.print(f"accord pacts: no consumer tests in {_show(tests)}", markup=False)
    else:
        err_console.print(
            f"accord pacts: the consumer tests failed (exit {done.returncode}); no pact was"
            f" written. Run `{sys.executable} -m pytest {_show(tests)}` to see why.",
            markup=False,
        )
    raise typer.Exit(1)


def pacts(
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Write nothing; exit 1 if the committed pacts are not what the"
            " consumer tests write.",
        ),
    ] = False,
    tests: Annotated[
        Path | None,
        typer.Option(help="The consumer tests (default: tests/consumers of the workspace)."),
    ] = None,
    workspace_path: WorkspaceOption = None,
) -> None:
    """Run the consumer pact tests and write their pacts into the workspace's pacts folder.

    Pacts are written only when every consumer test passes; the folder then holds exactly
    the pacts the tests write. With ``--check`` they are written to a temporary folder and
    compared, as JSON, with the committed ones (library versions in ``metadata`` ignored).
    """
    from accord.pacts import compare_pacts  # noqa: PLC0415
    from accord.workspace import load_workspace  # noqa: PLC0415

    workspace = load_workspace(workspace_path)
    suite = tests if tests is not None else workspace.root / DEFAULT_TESTS
    if not suite.exists():
        raise typer.BadParameter(f"{_show(suite)} does not exist", param_hint="--tests")
    committed = workspace.pacts_dir
    if not check:
        _run_tests(workspace, suite, committed)
        err_console.print(f"pacts written to {_show(committed)}", markup=False)
        return
    with tempfile.TemporaryDirectory(prefix="accord-pacts-") as tmp:
        _run_tests(workspace, suite, Path(tmp))
        drift = compare_pacts(Path(tmp), committed)
    if drift.clean:
        err_console.print("pacts are up to date", markup=False)
        return
    for line in drift.lines(_show(committed)):
        typer.echo(line)
    err_console.print(
        f"the committed pacts are not what the consumer tests write: {FIX}", markup=False
    )
    raise typer.Exit(1)
