"""Runtime support imported by generated code and the services built on it.

Server stubs (``build_app``, ``AppOptions``, ``Reply``, ``HttpProblem``) and what
every service needs besides its handlers (``Database``, ``ProviderStates``, ids,
tokens). Generated clients do not import this package: ``accord generate`` writes
the client runtime (``_client.py``) next to them as ``runtime.py``.

Each name is imported from its module on first use, so ``accord token`` (which
needs ``mint_token`` only) does not pay for httpx and pydantic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accord._lazy import lazy_exports as _lazy_exports

if TYPE_CHECKING:
    from accord.runtime._main import serve_main
    from accord.runtime._messages import MessageProducers, ProducedMessage
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

#: public name -> the module (under accord.runtime) that defines it
_WHERE = {
    "serve_main": "_main",
    "MessageProducers": "_messages",
    "ProducedMessage": "_messages",
    "AppOptions": "_server",
    "HttpProblem": "_server",
    "OperationSpec": "_server",
    "Reply": "_server",
    "Result": "_server",
    "StubError": "_server",
    "build_app": "_server",
    "Database": "_service",
    "ProviderStates": "_service",
    "mint_token": "_service",
    "new_id": "_service",
    "utcnow": "_service",
    "TokenInfo": "_tokens",
    "claims_of_forwarded_jwt": "_tokens",
    "token_info_from_env": "_tokens",
    "verifying_token_info": "_tokens",
}

__all__ = [
    "AppOptions",
    "Database",
    "HttpProblem",
    "MessageProducers",
    "OperationSpec",
    "ProducedMessage",
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

if not TYPE_CHECKING:  # mypy sees the imports above, and no catch-all attribute
    __getattr__, __dir__ = _lazy_exports(__name__, _WHERE)
