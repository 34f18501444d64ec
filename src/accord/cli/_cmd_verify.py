"""``accord verify`` and ``accord can-i-deploy``."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from accord.cli._cmd_lint import lint_settings, lint_with_crosscheck
from accord.cli._config import WorkspaceOption, load_tool_config
from accord.cli._console import err_console

if TYPE_CHECKING:
    from rich.table import Table

    from accord.verify import ServiceResult
    from accord.workspace import Workspace


def register(app: typer.Typer) -> None:
    app.command()(verify)
    from accord.cli._cmd_broker import LatestTagCommand  # noqa: PLC0415

    app.command("can-i-deploy", cls=LatestTagCommand)(can_i_deploy)


def _gates(workspace: Workspace) -> list[str]:
    """The static gates, fast: lint (with the pact cross-check) and generated code fresh.

    Lint runs with ``[tool.accord.lint]`` (``disable``, ``fail-on``), as ``accord lint`` does.
    Generated code is checked where the workspace has it: one with no generated folder
    (services in other languages, say) does not use Accord's.
    """
    import os  # noqa: PLC0415

    from accord.codegen import check_workspace  # noqa: PLC0415

    config, threshold = lint_settings(load_tool_config(workspace.root))
    findings = lint_with_crosscheck(workspace, config).findings
    problems = [str(f) for f in findings if f.severity >= threshold]
    if workspace.generated_dir.is_dir():
        generated = check_workspace(workspace)
        shown = [(os.path.relpath(p), "stale") for p in generated.stale]
        shown += [(os.path.relpath(p), "missing") for p in generated.missing]
        problems += [f"{p}: {why} (run `accord generate`)" for p, why in shown]
    return problems


def _summary(results: list[ServiceResult]) -> Table:
    from rich.table import Table  # noqa: PLC0415

    table = Table(title="accord verify")
    columns = ("provider", "verdict", "pact interactions", "property tests", "messages", "time")
    for column in columns:
        table.add_column(column)
    for result in results:
        pact = [c for c in result.cases if c.suite == "pact"]
        props = [c for c in result.cases if c.suite == "schemathesis" and not c.skipped]
        skipped = sum(1 for c in result.cases if c.suite == "schemathesis" and c.skipped)
        events = [c for c in result.cases if c.suite == "messages"]
        checked = [c for c in events if not c.skipped]
        unseen = sum(1 for c in events if c.verdict == "no message seen")
        table.add_row(
            result.provider,
            "[green]passed[/]" if result.passed else "[red]FAILED[/]",
            f"{sum(c.passed for c in pact)}/{len(pact)}",
            f"{sum(c.passed for c in props)}/{len(props)}"
            + (f" ({skipped} skipped)" if skipped else ""),
            (f"{sum(c.passed for c in checked)}/{len(checked)}" if events else "-")
            + (f" ({unseen} not seen)" if unseen else ""),
            " ".join(f"{k} {v:.1f}s" for k, v in result.phases.items()),
        )
    return table


def _print_summary(results: list[ServiceResult]) -> None:
    """The summary table; a CI log has no width, and rich would wrap the table at 80
    columns and cut the phase times, so there it is laid out at 132."""
    table = _summary(results)
    if err_console.is_terminal:
        err_console.print(table)
        return
    from rich.console import Console  # noqa: PLC0415

    Console(stderr=True, highlight=False, width=132).print(table)


def _failures(result: ServiceResult) -> None:
    """Every failure of ``result`` once, under its provider, with how to reproduce it."""
    failures = result.failures()
    if not failures and not result.error:
        return
    where = f" (logs: {result.evidence}/)" if result.evidence else ""
    typer.echo(f"== {result.provider}: FAILED{where}")
    if result.error:
        typer.echo(f"{result.provider}: could not be verified: {result.error}")
    for case in failures:
        lines = [f"{result.provider}: {case.suite}: {case.name}", *case.message.splitlines()]
        lines += [f"reproduce: {command}" for command in case.reproduce.splitlines()]
        typer.echo("\n    ".join(lines))


def verify(
    services: Annotated[
        list[str] | None, typer.Argument(help="Providers to verify (default: all).")
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="Verify the provider already running there (one service; it must "
            "serve /_accord/provider-states for pacts with states)."
        ),
    ] = None,
    max_examples: Annotated[
        int, typer.Option(min=1, help="Schemathesis examples per operation.")
    ] = 25,
    workers: Annotated[int, typer.Option(min=1, help="Providers verified in parallel.")] = 2,
    seed: Annotated[int, typer.Option(help="Schemathesis seed (reproducible runs).")] = 0,
    report: Annotated[
        Path, typer.Option("--report", help="Folder for junit.xml and report.html.")
    ] = Path("reports"),
    results_db: Annotated[Path, typer.Option(help="The results store for can-i-deploy.")] = Path(
        ".accord/results.sqlite3"
    ),
    no_pacts: Annotated[bool, typer.Option("--no-pacts", help="Skip pact verification.")] = False,
    no_properties: Annotated[
        bool,
        typer.Option(
            "--no-properties", help="Skip schemathesis (and the published-messages check)."
        ),
    ] = False,
    skip_gates: Annotated[
        bool, typer.Option("--skip-gates", help="Skip lint and the freshness checks.")
    ] = False,
    provider_version: Annotated[
        str | None,
        typer.Option(help="The providers' version results are recorded for (default: git HEAD)."),
    ] = None,
    workspace_path: WorkspaceOption = None,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Also print the Pact FFI's own output for every interaction."
        ),
    ] = False,
    broker: Annotated[
        str | None,
        typer.Option(
            help="Verify the pacts a Pact Broker selects and publish the results there "
            "(default: $PACT_BROKER_BASE_URL, if set).",
            show_default=False,
        ),
    ] = None,
    selector: Annotated[
        list[str] | None,
        typer.Option(
            help="A consumer version selector (JSON, or mainBranch, deployedOrReleased, "
            "matchingBranch, branch=NAME, environment=NAME); repeat for several.",
        ),
    ] = None,
    provider_branch: Annotated[
        str | None, typer.Option(help="The provider's branch (default: the git branch).")
    ] = None,
    include_wip_pacts_since: Annotated[
        str | None, typer.Option(help="With --broker: also verify WIP pacts since this date.")
    ] = None,
    no_pending: Annotated[
        bool, typer.Option("--no-pending", help="With --broker: a failing pending pact fails.")
    ] = False,
    no_publish: Annotated[
        bool, typer.Option("--no-publish", help="With --broker: do not publish the results.")
    ] = False,
    pact: Annotated[
        list[Path] | None,
        typer.Option(
            "--pact",
            help="Verify this pact file instead of the workspace's (repeatable).",
            show_default=False,
        ),
    ] = None,
    interaction: Annotated[
        str | None,
        typer.Option(
            help="Verify only the pact interactions with this description (a failure's "
            "reproduce command names it; nothing is recorded for can-i-deploy).",
            show_default=False,
        ),
    ] = None,
    given: Annotated[
        str | None,
        typer.Option(
            help="With --interaction: only the one with these provider states (joined with '; ').",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Verify every provider against its consumers' pacts and its contract (what CI runs).

    On a terminal a live table shows each provider's phase; in CI (``CI=true``, or output
    that is not a terminal) one plain line per step. Each failure is printed once, under
    its provider, with commands that reproduce it; logs are kept in REPORT/<provider>/.
    """
    import os  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    from accord.cli._config import open_workspace  # noqa: PLC0415
    from accord.cli._verify_progress import LiveProgress, PlainProgress, wants_plain  # noqa: PLC0415
    from accord.verify import (  # noqa: PLC0415
        VerifyOptions,
        run_info,
        verify_workspace,
        write_html,
        write_junit,
    )

    workspace = open_workspace(workspace_path)
    if (interaction is not None or pact) and no_pacts:
        raise typer.BadParameter("--interaction and --pact choose pacts: drop --no-pacts")
    if given is not None and interaction is None:
        raise typer.BadParameter(
            "--given chooses among --interaction's; name one", param_hint="--given"
        )
    for path in pact or ():
        if not path.is_file():
            raise typer.BadParameter(f"{path}: no such file", param_hint="--pact")
    if pact and broker:
        raise typer.BadParameter("verify either --pact files or a --broker's", param_hint="--pact")
    from_broker = None
    if not pact and (broker or os.environ.get("PACT_BROKER_BASE_URL")):  # --pact: not a broker's
        from accord.cli._cmd_broker import BrokerRun  # noqa: PLC0415

        from_broker = BrokerRun(
            broker, selector, provider_branch, include_wip_pacts_since, not no_pending,
            not no_publish, provider_version,
        )  # fmt: skip
    started = time.perf_counter()
    if not skip_gates:
        problems = _gates(workspace)
        err_console.print(
            f"static gates: {len(problems)} problem(s) in {time.perf_counter() - started:.1f} s"
        )
        if problems:
            for line in problems:
                typer.echo(line)
            raise typer.Exit(1)
    scratch = tempfile.TemporaryDirectory(prefix="accord-broker-pacts-")
    pact_files = tuple(p.resolve() for p in pact) if pact else None
    if from_broker is not None:
        names = list(services or workspace.services)
        pact_files = from_broker.fetch(names, Path(scratch.name), err_console.print)
    options = VerifyOptions(
        services=tuple(services or ()), base_url=base_url, max_examples=max_examples,
        workers=workers, seed=seed,
        report_dir=report, results_db=results_db, pacts=not no_pacts, properties=not no_properties,
        provider_version=provider_version, verbose=verbose, pact_files=pact_files,
        keep_pacts=from_broker is not None, interaction=interaction, given=given,
    )  # fmt: skip
    info = run_info(workspace, options)
    display = PlainProgress(sys.stderr) if wants_plain(err_console) else LiveProgress(err_console)
    with scratch, display:
        results = verify_workspace(workspace, options, progress=display)
    if from_broker is not None:
        from_broker.publish(results, err_console.print)
    junit = write_junit(results, report / "junit.xml")
    page = write_html(workspace, results, report / "report.html", junit.name, info)
    _print_summary(results)
    for result in results:
        _failures(result)
    err_console.print(f"reports: {junit} and {page}; total {time.perf_counter() - started:.1f} s")
    if from_broker is not None:
        raise typer.Exit(0 if from_broker.passed(results) else 1)
    raise typer.Exit(0 if all(r.passed for r in results) else 1)


def can_i_deploy(
    service: Annotated[str, typer.Argument(help="The service (or consumer) to deploy.")],
    results_db: Annotated[Path, typer.Option(help="The results store.")] = Path(
        ".accord/results.sqlite3"
    ),
    provider_version: Annotated[
        str | None,
        typer.Option(
            "--version",
            "--provider-version",
            help="SERVICE's version (default: from git HEAD).",
        ),
    ] = None,
    latest: Annotated[
        bool,
        typer.Option(
            "--latest",
            help="With a broker: SERVICE's latest version (--latest TAG: with that tag).",
        ),
    ] = False,
    tag: Annotated[
        str | None,
        typer.Option(help="With --latest: the latest version with this tag (as --latest TAG)."),
    ] = None,
    branch: Annotated[
        str | None,
        typer.Option(help="With a broker: SERVICE's latest version on BRANCH."),
    ] = None,
    main_branch: Annotated[
        bool,
        typer.Option(
            "--main-branch", help="With a broker: SERVICE's latest version on its main branch."
        ),
    ] = False,
    to_environment: Annotated[
        str | None,
        typer.Option(help="With a broker: against the versions deployed or released there."),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="TAG",
            help="With a broker: against the latest versions tagged TAG (tags, the old way).",
        ),
    ] = None,
    broker: Annotated[
        str | None,
        typer.Option(
            help="Ask this Pact Broker's matrix (default: $PACT_BROKER_BASE_URL, if set).",
            show_default=False,
        ),
    ] = None,
    workspace_path: WorkspaceOption = None,
) -> None:
    """Whether SERVICE can be deployed: its pacts passed verification (locally or in a broker).

    With a broker, the broker's matrix answers for SERVICE at --version (or its --latest
    [TAG], its latest on --branch or on its --main-branch) against the versions in
    --to-environment (or the latest ones, with tag --to). Without, the local results
    store answers for the workspace's current pacts and versions, by the same rules.
    """
    import os  # noqa: PLC0415

    from accord.cli._config import open_workspace  # noqa: PLC0415
    from accord.verify import ResultsStore  # noqa: PLC0415

    if broker or os.environ.get("PACT_BROKER_BASE_URL"):
        from accord.cli._cmd_broker import can_i_deploy_broker, version_selector  # noqa: PLC0415

        if to_environment and to:
            raise typer.BadParameter("give --to-environment or --to, not both", param_hint="--to")
        selector = version_selector(provider_version, latest, tag, branch, main_branch)
        can_i_deploy_broker(broker, service, selector, to_environment, to)
    for flag, given in (
        ("--to-environment", to_environment),
        ("--to", to),
        ("--latest", latest),
        ("--tag", tag),
        ("--branch", branch),
        ("--main-branch", main_branch),
    ):
        if given:
            raise typer.BadParameter(
                "environments, tags and branches live in a Pact Broker: pass --broker URL"
                " (or set PACT_BROKER_BASE_URL)",
                param_hint=flag,
            )

    workspace = open_workspace(workspace_path)
    known = set(workspace.services) | set(workspace.consumers)
    if service not in known:
        raise typer.BadParameter(
            f"expected one of {', '.join(sorted(known))}", param_hint="SERVICE"
        )
    answer = ResultsStore(results_db, create=False).can_i_deploy(
        workspace, service, provider_version
    )
    for provider, version in answer.versions:
        err_console.print(f"{provider}: version {version} ({version.source})", markup=False)
    if answer.ok:
        typer.echo(f"yes: {service} can be deployed ({len(answer.checked)} pact(s) verified)")
        raise typer.Exit(0)
    typer.echo(f"no: {service} cannot be deployed")
    for reason in answer.reasons:
        typer.echo(f"  - {reason}")
    raise typer.Exit(1)
