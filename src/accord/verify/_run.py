"""Running the verification of every provider (in parallel, each independent)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from accord._errors import AccordError
from accord.core import PactFile
from accord.runtime import mint_token
from accord.verify._launch import running_provider, service_secret
from accord.verify._model import ServiceResult, VerifyOptions
from accord.verify._pacts import verify_pacts
from accord.verify._properties import run_schemathesis
from accord.verify._report import check_report_dir
from accord.verify._store import ResultsStore
from accord.verify._version import provider_version
from accord.workspace import Workspace

__all__ = ["pact_verdicts", "verify_workspace"]


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


def _provider(
    workspace: Workspace, name: str, options: VerifyOptions, workdir: Path, from_pacts: bool
) -> AbstractContextManager[str]:
    """A provider to verify: the one at ``--base-url``, or a fresh instance started here."""
    if options.base_url:
        return nullcontext(options.base_url.rstrip("/"))
    return running_provider(workspace, name, workdir, deps_from_pacts=from_pacts)


def _verify_one(
    workspace: Workspace,
    name: str,
    pacts: list[tuple[Path, str]],
    options: VerifyOptions,
    token: str,
    scratch: Path,
) -> ServiceResult:
    result = ServiceResult(name)
    result.pact_files = [p for p, _ in pacts]
    try:
        if options.pacts and pacts:
            result.pacts_verified = True
            started = time.perf_counter()
            with _provider(workspace, name, options, scratch / name / "pacts", True) as base_url:
                result.cases += verify_pacts(name, base_url, [p for p, _ in pacts], token)
            result.phases["pact"] = time.perf_counter() - started
        if options.properties:
            started = time.perf_counter()
            with _provider(
                workspace, name, options, scratch / name / "properties", False
            ) as base_url:
                result.cases += run_schemathesis(
                    workspace.services[name].contract, base_url, scratch / name / "schemathesis",
                    max_examples=options.max_examples, seed=options.seed, token=token,
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
        raise AccordError(f"no service named {', '.join(map(repr, unknown))} in this workspace")
    # signed with the secret the providers are started with: they verify signatures
    token = options.token or mint_token(
        {"sub": "accord-verify", "scope": " ".join(workspace.scopes())}, service_secret(), ttl=3600
    )
    store = ResultsStore(options.results_db)  # unusable: fails now, not after the run
    check_report_dir(options.report_dir)
    versions = {name: provider_version(workspace, name, options.provider_version) for name in names}
    for name, version in versions.items():
        progress(f"{name}: results are recorded for version {version} ({version.source})")
    pacts = {
        name: _pacts_for(workspace, name, options.pact_files) for name in names
    }  # read once, used twice
    with tempfile.TemporaryDirectory(prefix="accord-verify-") as tmp:
        scratch = Path(tmp)

        def run(name: str) -> ServiceResult:
            progress(f"verifying {name}")
            outcome = _verify_one(workspace, name, pacts[name], options, token, scratch)
            outcome.version = versions[name].value
            progress(f"{name}: {'passed' if outcome.passed else 'FAILED'}")
            return outcome

        with ThreadPoolExecutor(max_workers=max(1, options.workers)) as pool:
            results = list(pool.map(run, names))
    for result in results:
        if not result.pacts_verified:  # not run is not failed: no result at all
            continue
        by_pact = pact_verdicts(result)
        for path, consumer in pacts[result.provider]:
            # the pact phase finished (else the provider could not be verified: failed)
            passed = "pact" in result.phases and by_pact.get(path, False)
            store.record(
                workspace, result.provider, path, consumer, passed, versions[result.provider]
            )
    return results
