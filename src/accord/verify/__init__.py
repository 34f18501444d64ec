"""``accord verify``: each provider against its consumers' pacts and its contract; can-i-deploy."""

from accord.verify._model import CaseResult, ServiceResult, VerifyOptions
from accord.verify._report import write_html, write_junit
from accord.verify._run import verify_workspace
from accord.verify._store import Deployability, ResultsStore
from accord.verify._version import ProviderVersion, provider_version

__all__ = [
    "CaseResult",
    "Deployability",
    "ProviderVersion",
    "ResultsStore",
    "ServiceResult",
    "VerifyOptions",
    "provider_version",
    "verify_workspace",
    "write_html",
    "write_junit",
]
