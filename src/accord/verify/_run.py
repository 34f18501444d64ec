"""Running the verification of every provider (in parallel, each independent)."""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from accord._errors import AccordError
from accord.core import PactFile
from accord.verify._launch import running_provider, service_secret
from accord.verify._model import ServiceResult, VerifyOptions
from accord.verify._pacts import verify_pacts
from accord.verify._properties import run_schemathesis
from accord.verify._report import check_report_dir
from accord.verify._store import ResultsStore
from accord.verify._version import provider_version
from accord.workspace import Workspace

__all__ = ["verify_workspace"]


def _pacts_for(workspace: Workspace, provider: str) -> list[tuple[Path, str]]:
    found = []
    for path in workspace.pact_paths():
        pact = PactFile.from_path(path)
        if pact.provider == provider:
            found.append((path, pact.consumer))
    return found


def _provider(
    workspace: Workspace, name: str, options: VerifyOptions, workdir: Path, from_pacts: bool
) -> AbstractContextManager[str]:
    """A provider to verify: the one at ``--base-url`` (or its ``url:``), or one started here."""
    if options.base_url:
        return nullcontext(options.base_url.rstrip("/"))
    return running_provider(workspace, name, workdir, deps_from_pacts=from_pacts)


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
                env = {**os.environ, "ACCORD_JWT_SECRET": service_secret()}
                try:
                    self._found[key] = found.resolve(self.workspace.root, env)
                except AccordError as exc:
                    self._found[key] = exc
            known = self._found[key]
        if isinstance(known, AccordError):
            raise known
        return dict(known)


def _verify_one(
    workspace: Workspace,
    name: str,
    pacts: list[tuple[Path, str]],
    options: VerifyOptions,
    scratch: Path,
    credentials: _Credentials,
) -> ServiceResult:
    result = ServiceResult(name)
    result.pact_files = [p for p, _ in pacts]
    spec = workspace.services[name]
    try:
        headers = credentials.headers(name)
        if options.pacts and pacts:
            result.pacts_verified = True
            started = time.perf_counter()
            with _provider(workspace, name, options, scratch / name / "pacts", True) as base_url:
                states = spec.states_url(base_url)
                paths = [p for p, _ in pacts]
                result.cases += verify_pacts(name, base_url, paths, headers, states)
            result.phases["pact"] = time.perf_counter() - started
        if options.properties:
            started = time.perf_counter()
            with _provider(
                workspace, name, options, scratch / name / "properties", False
            ) as base_url:
                result.cases += run_schemathesis(
                    workspace.services[name].contract, base_url, scratch / name / "schemathesis",
                    max_examples=options.max_examples, seed=options.seed, headers=headers,
                )  # fmt: skip
            result.phases["schemathesis"] = time.perf_counter() - started
    except AccordError as exc:
        result.error = str(exc)
    return result


def verify_workspace(
    workspace: Workspace,
    options: VerifyOptions,
    progress: Callable[[str], None] = lambda _message: None,
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
    store = ResultsStore(options.results_db)  # unusable: fails now, not after the run
    check_report_dir(options.report_dir)
    versions = {name: provider_version(workspace, name, options.provider_version) for name in names}
    for name, version in versions.items():
        progress(f"{name}: results are recorded for version {version} ({version.source})")
    pacts = {name: _pacts_for(workspace, name) for name in names}  # read once, used twice
    credentials = _Credentials(workspace, options)
    with tempfile.TemporaryDirectory(prefix="accord-verify-") as tmp:
        scratch = Path(tmp)

        def run(name: str) -> ServiceResult:
            progress(f"verifying {name}")
            outcome = _verify_one(workspace, name, pacts[name], options, scratch, credentials)
            outcome.version = versions[name].value
            progress(f"{name}: {'passed' if outcome.passed else 'FAILED'}")
            return outcome

        with ThreadPoolExecutor(max_workers=max(1, options.workers)) as pool:
            results = list(pool.map(run, names))
    for result in results:
        if not result.pacts_verified:  # not run is not failed: no result at all
            continue
        by_consumer: dict[str, bool] = {}
        for case in result.cases:
            if case.suite == "pact":
                by_consumer[case.consumer] = by_consumer.get(case.consumer, True) and case.passed
        for path, consumer in pacts[result.provider]:
            # the pact phase finished (else the provider could not be verified: failed)
            passed = "pact" in result.phases and by_consumer.get(consumer, False)
            store.record(
                workspace, result.provider, path, consumer, passed, versions[result.provider]
            )
    return results
