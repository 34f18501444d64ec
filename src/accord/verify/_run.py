"""Running the verification of every provider (in parallel, each independent).

What each run leaves is kept as evidence under ``<report dir>/<provider>/``: the
provider's and its mocks' logs per phase (``pacts/``, ``properties/``), the Pact FFI's
own output per pact, and schemathesis' log and reports (``schemathesis/``).
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import shlex
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from accord._errors import AccordError
from accord.core import PactFile
from accord.verify._launch import running_provider
from accord.verify._messages import watching_events
from accord.verify._model import CaseResult, Progress, ServiceResult, VerifyOptions
from accord.verify._pacts import Only, verify_pacts
from accord.verify._properties import reproducible, run_schemathesis
from accord.verify._report import check_report_dir
from accord.verify._store import ResultsStore
from accord.verify._version import provider_version
from accord.workspace import SECRET_ENV, Workspace, service_secret

__all__ = ["EVIDENCE_MARK", "pact_verdicts", "verify_workspace"]

#: the file that marks a folder as verify's own evidence (and so safe to empty)
EVIDENCE_MARK = ".accord-evidence"


def pact_verdicts(result: ServiceResult) -> dict[Path, bool]:
    """Each verified pact file of ``result``: whether all its interactions passed."""
    found: dict[Path, bool] = {}
    for case in result.cases:
        if case.suite == "pact" and case.pact is not None:
            found[case.pact] = found.get(case.pact, True) and case.passed
    return found


def _pacts_for(
    workspace: Workspace, provider: str, files: tuple[Path, ...] | None = None
) -> list[tuple[Path, str]]:
    found = []
    for path in workspace.pact_paths() if files is None else files:
        pact = PactFile.from_path(path)
        if pact.provider == provider:
            found.append((path, pact.consumer))
    return found


def _orphans(workspace: Workspace, names: list[str], options: VerifyOptions) -> list[ServiceResult]:
    """A failing result for each pact of the workspace whose provider is no service of it.

    Such a pact is verified by no one, silently: a typo in its provider's name, or a pact
    for a service that moved. As Pact's own verifiers fail when there is nothing to
    verify, each fails the run (by name, with the services there are and the closest).
    A run of some providers only reports those meant for one of them (the closest name);
    a run of given pact files or of one interaction has none.
    """
    if options.pact_files is not None or not options.pacts or options.interaction is not None:
        return []
    known = list(workspace.services)
    found: dict[str, ServiceResult] = {}
    for path in workspace.pact_paths():
        pact = PactFile.from_path(path)
        if pact.provider in workspace.services:
            continue
        close = difflib.get_close_matches(pact.provider, known, n=1, cutoff=0.6)
        if options.services and not set(close) & set(names):
            continue
        guess = f" (did you mean {close[0]!r}?)" if close else ""
        message = (
            f"no such provider: {pact.provider!r}; known: {', '.join(known)}{guess}. "
            f"{_shown(path)} is verified by no one: correct its provider's name, declare "
            "the provider in accord.yaml (with `url:` where it runs elsewhere), or remove it"
        )
        result = found.setdefault(pact.provider, ServiceResult(pact.provider))
        result.pact_files.append(path)
        result.cases.append(
            CaseResult("pact", f"{pact.consumer} -> {pact.provider}", False, message,
                       pact.consumer, pact=path)
        )  # fmt: skip
    return list(found.values())


def _provider(
    workspace: Workspace,
    name: str,
    options: VerifyOptions,
    workdir: Path,
    from_pacts: bool,
    pact_mocks: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
) -> AbstractContextManager[str]:
    """A provider to verify: the one at ``--base-url`` (or its ``url:``), or one started here."""
    if options.base_url:
        return nullcontext(options.base_url.rstrip("/"))
    return running_provider(
        workspace, name, workdir, deps_from_pacts=from_pacts, pact_mocks=pact_mocks, env=env
    )


class _Credentials:
    """The headers verification sends each provider: ``--token``, else its ``credentials:``.

    Resolved once per distinct entry and shared between the providers that name the same
    one (the shop's four run one token command, not four). A token command runs with
    ``$ACCORD_JWT_SECRET`` set to the secret the started providers verify signatures with.
    """

    def __init__(self, workspace: Workspace, options: VerifyOptions) -> None:
        self.workspace = workspace
        self.token = options.token
        self._lock = threading.Lock()
        self._found: dict[object, dict[str, str] | AccordError] = {}

    def headers(self, name: str) -> dict[str, str]:
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        found = self.workspace.services[name].credentials
        if found is None:
            return {}
        key = (tuple(sorted(found.headers.items())), found.token_command)
        with self._lock:  # one resolution at a time; the others wait and share it
            if key not in self._found:
                env = {**os.environ, SECRET_ENV: service_secret()}
                try:
                    self._found[key] = found.resolve(self.workspace.root, env)
                except AccordError as exc:
                    self._found[key] = exc
            known = self._found[key]
        if isinstance(known, AccordError):
            raise known
        return dict(known)


def evidence_folder(report_dir: Path, provider: str, keep: Iterable[Path] = ()) -> Path:
    """``<report dir>/<provider>/``, emptied of an earlier run's evidence (and nothing else).

    Files of ``keep`` inside it stay (the pacts an earlier run kept, which a reproduce
    command verifies again).
    """
    folder = report_dir / provider
    kept: dict[Path, bytes] = {}
    if folder.exists():
        if not (folder / EVIDENCE_MARK).is_file():
            raise AccordError(
                f"{folder} exists and holds no earlier verification evidence "
                f"(no {EVIDENCE_MARK}); choose another --report folder"
            )
        inside = folder.resolve()
        kept = {p: p.read_bytes() for p in keep if p.resolve().is_relative_to(inside)}
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / EVIDENCE_MARK).write_text("written by accord verify; emptied by the next run\n")
    for path, content in kept.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return folder


def _kept(pacts: list[tuple[Path, str]], folder: Path) -> list[tuple[Path, str]]:
    """Copies of ``pacts`` in ``folder`` (the run's record), verified in their stead."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for path, consumer in pacts:
        copy = folder / path.name
        if copy.resolve() != path.resolve():
            shutil.copyfile(path, copy)
        out.append((copy, consumer))
    return out


def _rerun(workspace: Workspace, name: str, options: VerifyOptions, *flags: str) -> str:
    """The command that repeats a phase of ``name``'s verification (it starts what it needs).

    Run from here: it names the workspace when it is not found from here.
    """
    running = ("--base-url", options.base_url) if options.base_url else ()
    found = Path.cwd().resolve().is_relative_to(workspace.root.resolve())
    where = () if found else ("--workspace", _shown(workspace.manifest))
    argv = ["accord", "verify", name, "--skip-gates", *where, *running, *flags]
    return " ".join(shlex.quote(a) for a in argv)


def _shown(path: Path) -> str:
    """``path`` as a command names it: relative to here when it is below."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path.resolve())


def _pact_rerun(name: str, options: VerifyOptions, case: CaseResult, workspace: Workspace) -> str:
    """The command that verifies just ``case``'s interaction again, after the run.

    It names the pact file: the workspace's, one given with ``--pact``, or the copy of a
    pact fetched from a broker that the run kept in ``<report>/<provider>/pacts/``.
    """
    flags = ["--no-properties"]
    if case.pact is not None:
        flags += ["--pact", _shown(case.pact)]
    if case.interaction is not None:
        flags += ["--interaction", case.interaction]
        if case.state:
            flags += ["--given", case.state]
    return _rerun(workspace, name, options, *flags)


def _selected(
    pacts: list[tuple[Path, str]], only: Only | None, provider: str
) -> list[tuple[Path, str]]:
    """The pacts holding the interaction ``only`` names (all of them without ``only``)."""
    if only is None:
        return pacts
    found = [
        (path, consumer)
        for path, consumer in pacts
        if any(only.selects(pact, i) for pact in [PactFile.from_path(path)]
               for i in range(len(pact.interactions)))
    ]  # fmt: skip
    if not found:
        given = f" given {only.given!r}" if only.given is not None else ""
        raise AccordError(
            f"no interaction described {only.description!r}{given} in the pacts that name "
            f"{provider!r} as provider ({', '.join(p.name for p, _ in pacts) or 'none'})"
        )
    return found


def _verify_one(
    workspace: Workspace,
    name: str,
    pacts: list[tuple[Path, str]],
    options: VerifyOptions,
    folder: Path,
    progress: Callable[[Progress], None],
    credentials: _Credentials,
    raw: Path | None,
) -> ServiceResult:
    result = ServiceResult(name, evidence=folder)
    result.pact_files = [p for p, _ in pacts]
    spec = workspace.services[name]
    only = Only(options.interaction, options.given) if options.interaction is not None else None
    try:
        pacts = _selected(pacts, only, name) if options.pacts else pacts
        headers = credentials.headers(name)
        if options.pacts and pacts:
            result.pacts_verified = True
            progress(Progress(name, "pact", "running", f"{len(pacts)} pact(s)"))
            started = time.perf_counter()
            mocks: dict[str, str] = {}  # the dependencies' pact-mode mocks, by name
            with _provider(workspace, name, options, folder / "pacts", True, mocks) as base_url:
                states = spec.states_url(base_url)
                paths = [p for p, _ in pacts]
                cases = verify_pacts(
                    name, base_url, paths, headers, states, mocks,
                    evidence=folder / "pacts", only=only, output=raw,
                )  # fmt: skip
            result.cases += [
                c if c.passed
                else dataclasses.replace(c, reproduce=_pact_rerun(name, options, c, workspace))
                for c in cases
            ]  # fmt: skip
            result.phases["pact"] = time.perf_counter() - started
            progress(_phase_done(name, "pact", result))
        elif options.pacts:
            progress(Progress(name, "pact", "skipped", "no pact names it as provider"))
        if options.properties:
            _properties(workspace, name, options, folder, progress, headers, result)
    except AccordError as exc:
        result.error = str(exc)
    return result


def _properties(
    workspace: Workspace,
    name: str,
    options: VerifyOptions,
    folder: Path,
    progress: Callable[[Progress], None],
    headers: dict[str, str],
    result: ServiceResult,
) -> None:
    """Schemathesis against the provider, watching what it publishes meanwhile."""
    spec = workspace.services[name]
    progress(Progress(name, "schemathesis", "running", f"seed {options.seed}"))
    started = time.perf_counter()
    flags = ("--no-pacts", "--seed", str(options.seed))
    rerun = _rerun(workspace, name, options, *flags, "--max-examples", str(options.max_examples))
    here = not options.base_url and spec.startable
    with watching_events(workspace, name, folder / "messages", started_here=here) as events:
        env = events.env if events is not None else None
        with _provider(workspace, name, options, folder / "properties", False, env=env) as url:
            cases = run_schemathesis(
                spec.contract, url, folder / "schemathesis",
                max_examples=options.max_examples, seed=options.seed, headers=headers,
            )  # fmt: skip
            result.phases["schemathesis"] = time.perf_counter() - started
            if events is not None and events.watch is not None:
                events.watch.settle()
    port = spec.port if not options.base_url else None
    result.cases += [
        c if c.passed else reproducible(c, rerun, base_url=url, port=port) for c in cases
    ]
    progress(_phase_done(name, "schemathesis", result))
    if events is not None:
        watched = events.watch.results(rerun) if events.watch is not None else []
        result.cases += [*events.skipped, *watched]
        result.phases["messages"] = time.perf_counter() - started
        progress(_phase_done(name, "messages", result))


def _phase_done(name: str, phase: str, result: ServiceResult) -> Progress:
    cases = [c for c in result.cases if c.suite == phase and not c.skipped]
    failed = sum(1 for c in cases if not c.passed)
    detail = f"{len(cases) - failed}/{len(cases)} in {result.phases[phase]:.1f} s"
    if phase == "messages":  # counts, and the channels nothing was seen on
        mine = [c for c in result.cases if c.suite == phase]
        unseen = sum(1 for c in mine if c.verdict == "no message seen")
        detail = f"{len(cases) - failed}/{len(cases)}"
        detail += f", {unseen} with no message seen" if unseen else ""
        detail += f"; {sum(c.seen or 0 for c in mine)} message(s) in {result.phases[phase]:.1f} s"
        if not cases:
            return Progress(name, phase, "skipped", detail)
    return Progress(name, phase, "failed" if failed else "passed", detail)


def verify_workspace(
    workspace: Workspace,
    options: VerifyOptions,
    progress: Callable[[Progress], None] = lambda _event: None,
) -> list[ServiceResult]:
    """Verify each selected provider against its consumers' pacts and its contract.

    Records, per pact, whether it passed in the results store (for ``can-i-deploy``).
    """
    names = list(options.services or workspace.services)
    if options.base_url and len(names) != 1:
        raise AccordError("--base-url verifies one running provider: name exactly one service")
    unknown = [n for n in names if n not in workspace.services]
    if unknown:
        raise AccordError(
            f"no service named {', '.join(map(repr, unknown))} in {workspace.source.display} "
            f"(services: {', '.join(workspace.services)}); to verify a provider that runs "
            "elsewhere, declare it there with its contract and `url:`, or name a declared "
            "one with `--base-url`"
        )
    # read once (a malformed pact stops the run before anything starts), used twice
    pacts = {name: _pacts_for(workspace, name, options.pact_files) for name in names}
    orphans = _orphans(workspace, names, options)
    store = ResultsStore(options.results_db)  # unusable: fails now, not after the run
    report_dir = check_report_dir(options.report_dir)
    versions = {name: provider_version(workspace, name, options.provider_version) for name in names}
    for name, version in versions.items():
        progress(Progress(name, "start", "info", f"version {version} ({version.source})"))
    for orphan in orphans:  # a warning now, a failure in the results
        for case in orphan.cases:
            progress(Progress(orphan.provider, "start", "info", f"warning: {case.message}"))
    used = {path for found in pacts.values() for path, _ in found}
    for path in options.pact_files or ():  # a pact given that nothing here verifies
        if path not in used:
            provider = PactFile.from_path(path).provider
            named = f"its provider {provider!r}" if provider else "it names no provider"
            raise AccordError(
                f"{path}: {named}, which is not a service verified here ({', '.join(names)})"
            )
    kept = options.pact_files or ()
    folders = {name: evidence_folder(report_dir, name, kept) for name in names}
    if options.keep_pacts:  # fetched into a folder gone after the run: keep them here
        pacts = {name: _kept(pacts[name], folders[name] / "pacts") for name in names}
    credentials = _Credentials(workspace, options)
    lock = threading.Lock()

    def report(event: Progress) -> None:
        with lock:  # one event at a time, whichever thread it comes from
            progress(event)

    def run(name: str) -> ServiceResult:
        outcome = _verify_one(
            workspace, name, pacts[name], options, folders[name], report, credentials, raw
        )
        outcome.version = versions[name].value
        report(Progress(name, "done", "passed" if outcome.passed else "failed", outcome.error))
        return outcome

    raw = None if options.verbose else report_dir / "pact-ffi-output.log"
    if raw is not None:
        raw.unlink(missing_ok=True)
    with ThreadPoolExecutor(max_workers=max(1, options.workers)) as pool:
        results = list(pool.map(run, names))
    for orphan in orphans:
        report(Progress(orphan.provider, "done", "failed", "no such provider"))
    results += orphans
    for result in results:
        events = [c for c in result.cases if c.suite == "messages" and c.seen]
        if events:  # some message was checked (none seen is no result)
            seen = sum(c.seen or 0 for c in events)
            bad = sum(c.violations for c in events)
            store.record_events(workspace, result.provider, seen, bad, versions[result.provider])
        if not result.pacts_verified or options.interaction is not None:
            continue  # not run (or one interaction of it) is not a pact's result at all
        by_pact = pact_verdicts(result)
        for path, consumer in pacts[result.provider]:
            # the pact phase finished (else the provider could not be verified: failed)
            passed = "pact" in result.phases and by_pact.get(path, False)
            store.record(
                workspace, result.provider, path, consumer, passed, versions[result.provider]
            )
    return results
