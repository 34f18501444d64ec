"""``accord pacts``: regenerate the workspace's pacts from its consumer tests, or check them.

Every consumer test suite of the workspace runs: the Python one (``tests/consumers``,
through Accord's pytest plugin) and each ``tests:`` suite ``accord.yaml`` declares (a
pact-js suite, say), each writing into its own temporary folder (``$ACCORD_PACTS_DIR``).
Only pacts of the consumers those suites test are managed; any other pact in the
folder (written by another team's tools) is kept, and still linted, cross-checked and
verified like the rest.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from accord.cli._config import WorkspaceOption
from accord.cli._console import err_console

if TYPE_CHECKING:
    from accord.workspace import TestSuite, Workspace

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


def _fail(output: str, message: str) -> typer.Exit:
    for line in output.rstrip().splitlines()[-40:]:
        typer.echo(line, err=True)
    err_console.print(f"accord pacts: {message}", markup=False)
    return typer.Exit(1)


def _run_python(workspace: Workspace, tests: Path, out_dir: Path) -> None:
    """Run the Python consumer tests so their pacts land in ``out_dir``; exit 1 if they fail."""
    env = {**os.environ, PACTS_DIR_ENV: str(out_dir), "PACT_DO_NOT_TRACK": "true"}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests)]
    done = subprocess.run(
        command, cwd=workspace.root, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode == 0:
        return
    output = done.stdout + done.stderr
    if done.returncode == 5:
        raise _fail(output, f"no consumer tests in {_show(tests)}")
    raise _fail(
        output,
        f"the consumer tests failed (exit {done.returncode}); no pact was written. Run "
        f"`{sys.executable} -m pytest {_show(tests)}` to see why.",
    )


def _run_suite(suite: TestSuite, out_dir: Path) -> None:
    """Run a declared ``tests:`` suite (any language) with ``$ACCORD_PACTS_DIR`` set."""
    env = {**os.environ, **suite.env, PACTS_DIR_ENV: str(out_dir), "PACT_DO_NOT_TRACK": "true"}
    argv = suite.argv(out_dir)
    shown = " ".join(suite.command)
    try:
        done = subprocess.run(
            argv, cwd=suite.cwd, env=env, capture_output=True, text=True, check=False
        )
    except OSError as exc:
        message = f"{suite.owner}'s consumer tests (`{shown}`) could not run: {exc}"
        raise _fail("", message) from None
    if done.returncode != 0:
        raise _fail(
            done.stdout + done.stderr,
            f"{suite.owner}'s consumer tests failed (exit {done.returncode}); no pact was "
            f"written. Run `{shown}` in {_show(suite.cwd)} to see why.",
        )
    if not any(out_dir.glob("*.json")):
        raise _fail(
            done.stdout + done.stderr,
            f"{suite.owner}'s consumer tests (`{shown}`) passed but wrote no pact into "
            f"${PACTS_DIR_ENV}; write pacts to the folder it names",
        )


def _produce(workspace: Workspace, python_tests: Path | None, scratch: Path) -> dict[str, Any]:
    """Run every suite, each into its own folder; the pacts they wrote, by file name."""
    from accord.pacts import read_pact_dir  # noqa: PLC0415

    produced: dict[str, Any] = {}
    writers: dict[str, str] = {}
    runs: list[tuple[str, Path]] = []
    if python_tests is not None:
        out = scratch / "python"
        _run_python(workspace, python_tests, out)
        runs.append((f"the Python consumer tests ({_show(python_tests)})", out))
    for suite in workspace.test_suites():
        out = scratch / f"suite-{suite.owner}"
        out.mkdir(parents=True)
        _run_suite(suite, out)
        runs.append((f"{suite.owner}'s consumer tests", out))
    for who, out in runs:
        for name, doc in read_pact_dir(out).items():
            if name in produced:
                raise typer.BadParameter(
                    f"{name} is written by both {writers[name]} and {who}; give each "
                    "consumer its own name"
                )
            produced[name], writers[name] = doc, who
    return produced


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
        typer.Option(help="The Python consumer tests (default: tests/consumers of the workspace)."),
    ] = None,
    workspace_path: WorkspaceOption = None,
) -> None:
    """Run every consumer test suite and write their pacts into the workspace's pacts folder.

    Pacts are written only when every suite passes; a pact of a tested consumer that no
    test writes any more is removed, pacts of other consumers are kept. With ``--check``
    nothing is written: the pacts are compared, as JSON, with the committed ones
    (library versions in ``metadata`` ignored).
    """
    from accord.cli._config import open_workspace  # noqa: PLC0415
    from accord.pacts import compare_pacts, write_pacts  # noqa: PLC0415

    workspace = open_workspace(workspace_path)
    python: Path | None = tests if tests is not None else workspace.root / DEFAULT_TESTS
    if python is not None and not python.exists():
        if tests is not None or not workspace.test_suites():
            raise typer.BadParameter(f"{_show(python)} does not exist", param_hint="--tests")
        python = None  # this workspace's consumer tests are all declared suites
    committed = workspace.pacts_dir
    owners = {s.owner for s in workspace.test_suites()}
    with tempfile.TemporaryDirectory(prefix="accord-pacts-") as tmp:
        produced = _produce(workspace, python, Path(tmp))
        owners |= {str(doc["consumer"]["name"]) for doc in produced.values()}
        if not check:
            changed = write_pacts(committed, produced, clean=True, owners=owners)
            for path in changed:
                state = "written" if path.exists() else "removed (no test writes it any more)"
                err_console.print(f"{_show(path)}: {state}", markup=False)
            _kept(committed, workspace, owners)
            err_console.print(
                f"{len(produced)} pact(s) in {_show(committed)}, {len(changed)} changed",
                markup=False,
            )
            return
        out = Path(tmp) / "all"
        write_pacts(out, produced, clean=False)
        drift = compare_pacts(out, committed, owners=owners)
    _kept(committed, workspace, owners)
    if drift.clean:
        err_console.print("pacts are up to date", markup=False)
        return
    for line in drift.lines(_show(committed)):
        typer.echo(line)
    err_console.print(
        f"the committed pacts are not what the consumer tests write: {FIX}", markup=False
    )
    raise typer.Exit(1)


def _kept(committed: Path, workspace: Workspace, owners: set[str]) -> None:
    """Name the pacts no suite here writes: kept, and verified like the others."""
    from accord.pacts import pact_consumer  # noqa: PLC0415

    for path in sorted(committed.glob("*.json")):
        consumer = pact_consumer(path)
        if consumer is not None and consumer not in owners:
            err_console.print(
                f"{_show(path)}: kept (consumer {consumer!r} has no test suite here; it is "
                "linted, cross-checked and verified like the others)",
                markup=False,
            )
