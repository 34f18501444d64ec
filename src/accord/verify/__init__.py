"""``accord verify``: each provider against its consumers' pacts and its contract; can-i-deploy."""

from accord.verify._model import CaseResult, ServiceResult, VerifyOptions
from accord.verify._report import write_html, write_junit
from accord.verify._run import verify_workspace
from accord.verify._store import Deployability, ResultsStore

__all__ = [
    "CaseResult",
    "Deployability",
    "ResultsStore",
    "ServiceResult",
    "VerifyOptions",
    "verify_workspace",
    "write_html",
    "write_junit",
]
