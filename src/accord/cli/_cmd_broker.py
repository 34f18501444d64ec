"""``accord broker`` (the embedded Pact Broker) and the broker client's commands.

``publish``, ``record-deployment``, ``record-release``, ``record-undeployment``,
``record-support-ended`` and ``create-environment`` talk
to any Pact Broker: the URL and credentials come from ``--broker``/``$PACT_BROKER_BASE_URL``
(or ``[tool.accord.broker] url`` in pyproject.toml) and ``$PACT_BROKER_TOKEN`` or
``$PACT_BROKER_USERNAME``/``$PACT_BROKER_PASSWORD``. Versions default to the git commit,
branches to the git branch. ``accord verify --broker`` and ``accord can-i-deploy
--to-environment`` use the helpers at the end of this module.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand

from accord._asgi import ServerLimits
from accord._errors import AccordError
from accord.cli._console import err_console

if TYPE_CHECKING:
    from accord.broker import BrokerClient, BrokerSettings, VersionSelector


def register(app: typer.Typer) -> None:
    app.command()(broker)
    app.command()(publish)
    app.command("record-deployment")(record_deployment)
    app.command("record-release")(record_release)
    app.command("record-undeployment")(record_undeployment)
    app.command("record-support-ended")(record_support_ended)
    app.command("create-environment")(create_environment)


BrokerOption = Annotated[
    str | None,
    typer.Option(
        "--broker",
        help="The Pact Broker's URL (default: $PACT_BROKER_BASE_URL).",
        show_default=False,
    ),
]


def broker(
    db: Annotated[
        str,
        typer.Option(help="SQLite file, or a postgresql:// URL (several instances share it)."),
    ] = ".accord/broker.sqlite3",
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 9292,
    token: Annotated[
        str | None,
        typer.Option(help="Writes need this bearer token (default: $ACCORD_BROKER_TOKEN)."),
    ] = None,
    username: Annotated[
        str | None, typer.Option(help="Or basic credentials (default: $ACCORD_BROKER_USERNAME).")
    ] = None,
    password: Annotated[
        str | None, typer.Option(help="(default: $ACCORD_BROKER_PASSWORD)", show_default=False)
    ] = None,
    allow_contract_modification: Annotated[
        bool,
        typer.Option(
            "--allow-contract-modification",
            help="Let a consumer version's pact be replaced by a different one (refused: 409).",
        ),
    ] = False,
    public_url: Annotated[
        str | None, typer.Option(help="The URL links start with (behind a proxy).")
    ] = None,
    max_body: Annotated[
        float,
        typer.Option("--max-body", help="Largest request body (a pact), in MiB (413 above)."),
    ] = 16.0,
) -> None:
    """Serve a Pact Broker (HAL API and a small HTML page) on SQLite or PostgreSQL."""
    from accord.broker import BrokerApp, BrokerConfig, open_database  # noqa: PLC0415
    from accord.cli._serve import serve  # noqa: PLC0415

    config = BrokerConfig(
        token=token or os.environ.get("ACCORD_BROKER_TOKEN") or None,
        username=username or os.environ.get("ACCORD_BROKER_USERNAME") or None,
        password=password or os.environ.get("ACCORD_BROKER_PASSWORD") or None,
        allow_contract_modification=allow_contract_modification,
        public_url=public_url,
        max_body_bytes=max(1, int(max_body * 1024 * 1024)),
    )
    database = open_database(db)
    where = "PostgreSQL" if database.postgres else str(database.path)
    err_console.print(f"accord broker on http://{host}:{port} ({where})", markup=False)
    serve(BrokerApp(database, config), host, port, ServerLimits())


def settings(url: str | None) -> BrokerSettings:
    """The broker to talk to: the flag, else the environment, else accord.yaml's
    ``broker.url``, else ``[tool.accord.broker] url`` in pyproject.toml."""
    from accord.broker import BrokerSettings  # noqa: PLC0415
    from accord.cli._config import load_tool_config  # noqa: PLC0415
    from accord.workspace import Workspace  # noqa: PLC0415

    default = None
    if not url and not os.environ.get("PACT_BROKER_BASE_URL"):
        workspace = Workspace.discover()
        default = (workspace.broker_url if workspace else None) or load_tool_config().broker_url
    found = BrokerSettings.from_env(url, default=default)
    if found is None:
        raise AccordError(
            "no Pact Broker: pass --broker URL or set PACT_BROKER_BASE_URL"
            " (or broker.url in accord.yaml, [tool.accord.broker] url in pyproject.toml)"
        )
    return found


def client(url: str | None) -> BrokerClient:
    from accord.broker import BrokerClient  # noqa: PLC0415

    return BrokerClient(settings(url))


def git_version(given: str | None, what: str = "--version") -> str:
    from accord.verify import git_commit  # noqa: PLC0415

    if given:
        return given
    found = git_commit(Path.cwd())
    if found is None:
        raise AccordError(f"not in a git repository: pass {what}")
    return found


def git_branch(given: str | None) -> str | None:
    from accord.verify import git_branch as branch_of  # noqa: PLC0415

    return given or branch_of(Path.cwd())


def publish(
    pacts: Annotated[
        list[Path] | None,
        typer.Argument(help="Pact files or folders (default: the workspace's pacts folder)."),
    ] = None,
    broker_url: BrokerOption = None,
    consumer_version: Annotated[
        str | None, typer.Option("--consumer-app-version", "--version", help="Default: git HEAD.")
    ] = None,
    branch: Annotated[str | None, typer.Option(help="Default: the git branch.")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="A tag (repeat for several).")] = None,
    build_url: Annotated[str | None, typer.Option(help="The CI build's URL.")] = None,
    merge: Annotated[
        bool,
        typer.Option(
            "--merge",
            help="Merge the interactions into the version's pact (suites split over CI nodes).",
        ),
    ] = False,
) -> None:
    """Publish pacts to a Pact Broker as their consumer's version (git commit) and branch."""
    files: list[Path] = []
    if not pacts:
        from accord.cli._config import open_workspace  # noqa: PLC0415

        files = list(open_workspace(None).pact_paths())
    for item in pacts or ():
        if item.is_dir():
            files += sorted(item.glob("*.json"))
        elif item.is_file():
            files.append(item)
        else:
            raise AccordError(f"{item}: no such pact file or folder")
    if not files:
        raise AccordError("no pact files to publish")
    version = git_version(consumer_version, "--consumer-app-version")
    with client(broker_url) as api:
        for notice in api.publish(
            files,
            version,
            branch=git_branch(branch),
            tags=tag or (),
            build_url=build_url,
            merge=merge,
        ):
            typer.echo(notice)
    typer.echo(f"published {len(files)} pact(s) as version {version}")


def _record(
    broker_url: str | None,
    pacticipant: str,
    version: str | None,
    environment: str,
    release: bool,
    instance: str | None,
) -> None:
    number = git_version(version)
    with client(broker_url) as api:
        api.record(pacticipant, number, environment, release=release, instance=instance)
    word = "release" if release else "deployment"
    typer.echo(f"recorded {word} of {pacticipant} version {number} to {environment}")


def record_deployment(
    pacticipant: Annotated[str, typer.Argument(help="The service (pacticipant) deployed.")],
    environment: Annotated[str, typer.Option(help="Where it was deployed.")],
    version: Annotated[str | None, typer.Option(help="Default: git HEAD.")] = None,
    broker_url: BrokerOption = None,
    application_instance: Annotated[
        str | None, typer.Option(help="When several instances run in one environment.")
    ] = None,
) -> None:
    """Record that a version was deployed to an environment (replacing the one there)."""
    _record(broker_url, pacticipant, version, environment, False, application_instance)


def record_release(
    pacticipant: Annotated[str, typer.Argument(help="The pacticipant released.")],
    environment: Annotated[str, typer.Option(help="Where it was released.")],
    version: Annotated[str | None, typer.Option(help="Default: git HEAD.")] = None,
    broker_url: BrokerOption = None,
) -> None:
    """Record that a version was released to an environment (several may be supported)."""
    _record(broker_url, pacticipant, version, environment, True, None)


def record_undeployment(
    pacticipant: Annotated[str, typer.Argument(help="The service (pacticipant) removed.")],
    environment: Annotated[str, typer.Option(help="Where it was removed from.")],
    broker_url: BrokerOption = None,
    application_instance: Annotated[
        str | None,
        typer.Option(help="Only this instance (default: every instance of it there)."),
    ] = None,
) -> None:
    """Record that a pacticipant was removed from an environment (not replaced by another).

    Deploying another version records the replacement by itself; this is for an
    application taken out of the environment. Exit 2 when it is not deployed there.
    """
    with client(broker_url) as api:
        ended = api.end(pacticipant, environment, instance=application_instance)
    typer.echo(
        f"recorded undeployment of {pacticipant} version {', '.join(ended)} from {environment}"
    )


def record_support_ended(
    pacticipant: Annotated[str, typer.Argument(help="The pacticipant.")],
    environment: Annotated[str, typer.Option(help="Where its support ended.")],
    version: Annotated[str | None, typer.Option(help="Default: git HEAD.")] = None,
    broker_url: BrokerOption = None,
) -> None:
    """Record that a released version is no longer supported in an environment."""
    number = git_version(version)
    with client(broker_url) as api:
        api.end(pacticipant, environment, release=True, version=number)
    typer.echo(f"recorded support ended of {pacticipant} version {number} in {environment}")


def create_environment(
    name: Annotated[str, typer.Argument(help="The environment's name (no spaces).")],
    production: Annotated[bool, typer.Option("--production", help="A production one.")] = False,
    broker_url: BrokerOption = None,
) -> None:
    """Create an environment in the Pact Broker (nothing happens if it exists)."""
    with client(broker_url) as api:
        api.create_environment(name, production=production)
    typer.echo(f"environment {name} exists")


# -- used by `accord can-i-deploy` and `accord verify` ------------------------------------


def latest_tag_args(args: list[str], takes_value: set[str]) -> list[str]:
    """The Pact CLI's ``--latest TAG`` (and ``--latest=TAG``) as ``--latest --tag TAG``.

    ``--latest`` is a flag here (typer has no options with an optional value), so a word
    after it is its tag only when SERVICE came before it, and it is not an option: ``reader
    --latest prod`` is the latest ``prod`` version of reader, ``--latest reader`` is
    reader's latest version."""
    out: list[str] = []
    positional = False
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return out + args[i:]
        if arg.startswith("--latest="):
            out += ["--latest", "--tag", arg.split("=", 1)[1]]
        elif arg == "--latest" and positional and i + 1 < len(args):
            following = args[i + 1]
            if following.startswith("-"):
                out.append(arg)
            else:
                out += ["--latest", "--tag", following]
                i += 1
        elif arg.startswith("-"):
            out.append(arg)
            if "=" not in arg and arg in takes_value and i + 1 < len(args):
                out.append(args[i + 1])
                i += 1
        else:
            out.append(arg)
            positional = True
        i += 1
    return out


class LatestTagCommand(TyperCommand):
    """``accord can-i-deploy``: reads ``--latest TAG`` as the Pact CLI does."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        takes_value = {
            name
            for param in self.params
            if getattr(param, "param_type_name", "") == "option"
            and not getattr(param, "is_flag", False)
            and not getattr(param, "count", False)
            for name in (*param.opts, *param.secondary_opts)
        }
        return super().parse_args(ctx, latest_tag_args(args, takes_value))


def version_selector(
    version: str | None, latest: bool, tag: str | None, branch: str | None, main_branch: bool
) -> VersionSelector:
    """The version ``can-i-deploy`` asks about, from at most one of ``--version``,
    ``--latest`` (with ``--tag``), ``--branch`` and ``--main-branch`` (none: git HEAD)."""
    from accord.broker import VersionSelector  # noqa: PLC0415

    if tag is not None and not latest:
        raise typer.BadParameter("--tag goes with --latest", param_hint="--tag")
    given = [
        name
        for name, value in (
            ("--version", version is not None),
            ("--latest", latest),
            ("--branch", branch is not None),
            ("--main-branch", main_branch),
        )
        if value
    ]
    if len(given) > 1:
        raise typer.BadParameter(f"give one of {', '.join(given)}", param_hint=given[1])
    if latest:
        if tag is not None and not tag.strip():
            raise typer.BadParameter("a tag name", param_hint="--tag")
        return VersionSelector(latest=True, tag=tag)
    if branch is not None:
        if not branch.strip():
            raise typer.BadParameter("a branch name", param_hint="--branch")
        return VersionSelector(latest=True, branch=branch)
    if main_branch:
        return VersionSelector(latest=True, main_branch=True)
    return VersionSelector(version=git_version(version))


def can_i_deploy_broker(
    broker_url: str | None,
    pacticipant: str,
    selector: VersionSelector,
    environment: str | None,
    to_tag: str | None = None,
) -> None:
    """Ask the broker's matrix; exit 0 (yes) or 1 (no) with the broker's reasons."""
    with client(broker_url) as api:
        answer = api.can_i_deploy(pacticipant, selector, environment=environment, to_tag=to_tag)
    summary = answer.get("summary") or {}
    numbers: set[str] = set()
    for row in answer.get("matrix") or []:
        consumer, provider = row.get("consumer") or {}, row.get("provider") or {}
        for side in (consumer, provider):
            if side.get("name") == pacticipant and (side.get("version") or {}).get("number"):
                numbers.add(str(side["version"]["number"]))
        result = row.get("verificationResult") or {}
        success = result.get("success")
        verdict = "passed" if success is True else "failed" if success is False else "not verified"
        err_console.print(
            f"{consumer.get('name')} {(consumer.get('version') or {}).get('number')} -> "
            f"{provider.get('name')} {(provider.get('version') or {}).get('number')}: {verdict}",
            markup=False,
        )
    what = selector.version if selector.version is not None else selector.describe()
    if selector.version is None and len(numbers) == 1:
        what += f" ({numbers.pop()})"
    where = (
        f" to {environment}"
        if environment
        else f" with the latest {to_tag} versions"
        if to_tag
        else ""
    )
    if summary.get("deployable") is True:
        typer.echo(f"yes: {pacticipant} {what} can be deployed{where}")
        typer.echo(f"  {summary.get('reason', '')}")
        raise typer.Exit(0)
    typer.echo(f"no: {pacticipant} {what} cannot be deployed{where}")
    for reason in str(summary.get("reason", "")).splitlines():
        typer.echo(f"  - {reason}")
    raise typer.Exit(1)


def parse_selectors(raw: list[str] | None) -> list[dict[str, Any]]:
    """``--selector`` values: JSON objects, or the shorthands ``mainBranch``,
    ``deployedOrReleased``, ``matchingBranch``, ``branch=NAME``, ``environment=NAME``."""
    import json  # noqa: PLC0415

    found: list[dict[str, Any]] = []
    for item in raw or ():
        text = item.strip()
        if text.startswith("{"):
            try:
                value = json.loads(text)
            except ValueError as exc:
                raise typer.BadParameter(f"{text!r}: {exc}", param_hint="--selector") from exc
            if not isinstance(value, dict):
                raise typer.BadParameter(f"{text!r}: expected an object", param_hint="--selector")
            found.append(value)
        elif text in ("mainBranch", "deployedOrReleased", "matchingBranch", "deployed", "released"):
            found.append({text: True})
        elif "=" in text and text.split("=", 1)[0] in ("branch", "environment", "tag", "consumer"):
            key, value = text.split("=", 1)
            found.append(
                {key: value}
                if key != "environment"
                else {"environment": value, "deployedOrReleased": True}
            )
        else:
            raise typer.BadParameter(
                f"{text!r}: expected JSON or mainBranch, deployedOrReleased, matchingBranch,"
                " branch=NAME, environment=NAME, tag=NAME",
                param_hint="--selector",
            )
    return found


class BrokerRun:
    """``accord verify --broker``: fetch the pacts the broker selects, verify, publish back.

    Each provider's pacts come from its ``pb:provider-pacts-for-verification``
    relation (selectors, pending, WIP), are written to a scratch folder and verified
    like the workspace's own (verify keeps them in ``<report>/<provider>/pacts/``, under
    the same file names, as the run's record); each result is published with the provider version
    verify recorded and the provider's branch. A failing *pending* pact is reported
    but does not fail the run (docs.pact.io/pact_broker/advanced_topics/pending_pacts),
    unless ``--no-pending``.
    """

    def __init__(
        self,
        url: str | None,
        selectors: list[str] | None,
        branch: str | None,
        wip_since: str | None,
        pending: bool,
        publish: bool,
        version: str | None,
    ) -> None:
        self.url = url
        self.selectors = parse_selectors(selectors)
        self.branch = git_branch(branch)
        self.wip_since = wip_since
        self.pending = pending
        self.publish_results = publish
        #: file name -> (provider, PactToVerify); the name is unique in a run, and is the
        #: name of the copy verify keeps
        self.fetched: dict[str, tuple[str, Any]] = {}

    def fetch(self, providers: list[str], folder: Path, progress: Any) -> tuple[Path, ...]:
        """Each provider's pacts to verify, written to ``folder``; a malformed one is refused
        by its broker URL and JSON pointer (the scratch file is gone after the run)."""
        import json  # noqa: PLC0415

        from accord._errors import PactError  # noqa: PLC0415
        from accord.core import PactFile  # noqa: PLC0415

        found: list[Path] = []
        with client(self.url) as api:
            for provider in providers:
                pacts = api.pacts_for_verification(
                    provider,
                    selectors=self.selectors,
                    provider_branch=self.branch,
                    include_pending=self.pending,
                    wip_since=self.wip_since,
                )
                for number, pact in enumerate(pacts):
                    path = folder / f"{pact.consumer}-{provider}-{number}.json"
                    path.write_text(json.dumps(pact.content), "utf-8")
                    try:
                        PactFile.from_path(path)
                    except PactError as exc:
                        at = exc.location.pointer if exc.location is not None else ""
                        where = f" (at {at})" if at else ""
                        raise AccordError(f"{pact.url}: {exc.message}{where}") from None
                    self.fetched[path.name] = (provider, pact)
                    found.append(path)
                    flags = " (pending)" if pact.pending else ""
                    flags += " (work in progress)" if pact.wip else ""
                    progress(
                        f"{provider}: from the broker: {pact.consumer}: {pact.description}{flags}"
                    )
                if not pacts:
                    progress(f"{provider}: the broker selected no pacts to verify")
        return tuple(found)

    def publish(self, results: list[Any], progress: Any) -> None:
        from accord.verify import pact_verdicts  # noqa: PLC0415

        if not self.publish_results:
            return
        with client(self.url) as api:
            for result in results:
                verdicts = {path.name: ok for path, ok in pact_verdicts(result).items()}
                for name, (provider, pact) in self.fetched.items():
                    if provider != result.provider or not result.pacts_verified:
                        continue
                    passed = "pact" in result.phases and verdicts.get(name, False)
                    api.publish_result(pact, result.version, passed, branch=self.branch)
                    progress(
                        f"{provider}: published {'success' if passed else 'failure'} for"
                        f" {pact.consumer}'s pact as version {result.version}"
                        + (f" on branch {self.branch}" if self.branch else "")
                    )

    def passed(self, results: list[Any]) -> bool:
        """The run's verdict: failures of pending pacts do not count."""
        for result in results:
            if result.error:
                return False
            for case in result.failures():
                entry = self.fetched.get(case.pact.name) if case.pact is not None else None
                if entry is not None and entry[1].pending and self.pending:
                    continue
                return False
        return True
