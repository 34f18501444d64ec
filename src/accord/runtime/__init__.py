"""Runtime support imported by generated code and the services built on it.

Clients (``ClientBase``, ``AsyncClientBase``, ``ApiError``), server stubs
(``build_app``, ``AppOptions``, ``Reply``, ``HttpProblem``) and what every service
needs besides its handlers (``Database``, ``ProviderStates``, ids, tokens).
"""

from accord.runtime._client import ApiError, AsyncClientBase, ClientBase, Expect
from accord.runtime._main import serve_main
from accord.runtime._server import (
    AppOptions,
    HttpProblem,
    OperationSpec,
    Reply,
    Result,
    StubError,
    build_app,
)
from accord.runtime._service import Database, ProviderStates, mint_token, new_id, utcnow
from accord.runtime._tokens import (
    TokenInfo,
    claims_of_forwarded_jwt,
    token_info_from_env,
    verifying_token_info,
)

__all__ = [
    "ApiError",
    "AppOptions",
    "AsyncClientBase",
    "ClientBase",
    "Database",
    "Expect",
    "HttpProblem",
    "OperationSpec",
    "ProviderStates",
    "Reply",
    "Result",
    "StubError",
    "TokenInfo",
    "build_app",
    "claims_of_forwarded_jwt",
    "mint_token",
    "new_id",
    "serve_main",
    "token_info_from_env",
    "utcnow",
    "verifying_token_info",
]
