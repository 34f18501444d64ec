"""Runtime support imported by generated code (``generated/<service>/``): clients and stubs."""

from accord.runtime._client import ApiError, AsyncClientBase, ClientBase, Expect
from accord.runtime._server import (
    HttpProblem,
    OperationSpec,
    Reply,
    StubError,
    TokenInfo,
    build_app,
    claims_of_forwarded_jwt,
)

__all__ = [
    "ApiError",
    "AsyncClientBase",
    "ClientBase",
    "Expect",
    "HttpProblem",
    "OperationSpec",
    "Reply",
    "StubError",
    "TokenInfo",
    "build_app",
    "claims_of_forwarded_jwt",
]
