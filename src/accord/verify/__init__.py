"""``accord verify``: each provider against its consumers' pacts and its contract; can-i-deploy."""

from accord.verify._model import CaseResult, Progress, ServiceResult, VerifyOptions
from accord.verify._report import RunInfo, run_info, write_html, write_junit
from accord.verify._run import pact_verdicts, verify_workspace
from accord.verify._store import Deployability, ResultsStore
from accord.verify._version import ProviderVersion, git_branch, git_commit, provider_version

__all__ = [
    "CaseResult",
    "Deployability",
    "Progress",
    "ProviderVersion",
    "ResultsStore",
    "RunInfo",
    "ServiceResult",
    "VerifyOptions",
    "git_branch",
    "git_commit",
    "pact_verdicts",
    "provider_version",
    "run_info",
    "verify_workspace",
    "write_html",
    "write_junit",
]
