"""The last step: forward the request to its upstream, check the answer, relay it."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from urllib.parse import SplitResult, urlsplit, urlunsplit

from accord.core import Contract
from accord.gateway._asgi import Receive, Scope, Send, exchange_of, send_bytes, send_problem
from accord.gateway._upstream import Upstream, UpstreamError
from accord.gateway._validate import check_response

__all__ = ["IDENTITY_HEADERS", "Proxy"]

logger = logging.getLogger("accord.gateway")

#: headers only the gateway may set: whatever a client sends under these names is dropped
IDENTITY_HEADERS = frozenset({"x-accord-subject", "x-accord-scopes"})
#: RFC 9110 hop-by-hop headers, plus the framing the gateway sets itself
_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
#: the upstream client hands over the decoded body, so its coding no longer applies; the id is
#: ours; Date and Server describe the hop that answers the client, which sets its own
_NOT_RELAYED = frozenset(
    name.encode() for name in _HOP | {"content-encoding", "x-request-id", "date", "server"}
)
#: headers holding a URL that may point at an upstream
_LOCATIONS = frozenset({b"location", b"content-location"})
#: set by the gateway itself (X-Forwarded-For is extended, the others describe this hop)
_FORWARDED = {"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"}
_DROPPED = _HOP | IDENTITY_HEADERS | _FORWARDED | {"x-request-id", "traceparent"}


def _origin(url: SplitResult) -> tuple[str, str, int | None]:
    scheme = url.scheme.lower() or "http"
    return scheme, (url.hostname or "").lower(), url.port or {"http": 80, "https": 443}.get(scheme)


class Proxy:
    """Forwards to the upstream with the verified identity; validates answers if asked."""

    def __init__(
        self,
        upstreams: Mapping[str, Upstream],
        contracts: Mapping[str, Contract],
        validate_responses: str,
    ) -> None:
        self.upstreams = upstreams
        self.contracts = contracts
        self.validate_responses = validate_responses

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ex = exchange_of(scope)
        assert ex.match is not None and ex.service is not None
        upstream = self.upstreams[ex.service]
        headers = self._headers(scope, ex.client)
        if not ex.authorization_verified:  # a service never sees a credential we did not check
            headers = [(k, v) for k, v in headers if k != "authorization"]
        headers += [("x-request-id", ex.request_id), ("traceparent", ex.traceparent)]
        if ex.subject is not None:
            headers.append(("x-accord-subject", ex.subject))
        if ex.match.operation.security and (ex.subject is not None or ex.scopes):
            headers.append(("x-accord-scopes", " ".join(ex.scopes)))
        raw_path = bytes(scope.get("raw_path") or str(scope["path"]).encode())
        target = raw_path.partition(b"?")[0].decode("ascii")
        query = bytes(scope.get("query_string") or b"")
        if query:
            target += "?" + query.decode("latin-1")
        try:
            answer = await upstream.send(ex.method, target, headers, ex.body)
        except UpstreamError as exc:
            extra = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
            await send_problem(send, ex, exc.status, exc.detail, headers=extra)
            return
        if self.validate_responses != "off":
            content_type = answer.header(b"content-type")
            contract = self.contracts[ex.service]
            errors = check_response(
                contract, ex.match.operation, answer.status, content_type, answer.body
            )
            if errors:
                logger.warning(
                    "response of %s breaks the contract: %s",
                    ex.match.operation.name,
                    json.dumps({"request_id": ex.request_id, "errors": errors[:10]}),
                )
                if self.validate_responses == "enforce":
                    detail = f"{ex.service} answered outside its contract"
                    await send_problem(send, ex, 502, detail, errors=errors)
                    return
        out = self._relayed(answer.headers, upstream.url)
        out += ex.extra_headers
        if ex.method == "HEAD":  # no content, but the length the GET would have
            length = answer.header(b"content-length")
            out += [(b"content-length", length.encode())] if length.isdigit() else []
            await send({"type": "http.response.start", "status": answer.status, "headers": out})
            await send({"type": "http.response.body", "body": b""})
            return
        await send_bytes(send, answer.status, answer.body, out)

    def _relayed(self, headers: list[tuple[bytes, bytes]], base: str) -> list[tuple[bytes, bytes]]:
        """The upstream's headers a client may see: no hop-by-hop ones (nor those its
        ``Connection`` names), no ``Date``/``Server`` (this hop's server sets its own), and
        no absolute ``Location`` into an upstream (it becomes relative to the gateway)."""
        named = {
            token.strip().lower().encode("latin-1")
            for key, value in headers
            if key.lower() == b"connection"
            for token in value.decode("latin-1").split(",")
        }
        out: list[tuple[bytes, bytes]] = []
        for key, value in headers:
            name = key.lower()
            if name in _NOT_RELAYED or name in named:
                continue
            if name in _LOCATIONS:
                out.append((key, self._relative(value.decode("latin-1"), base).encode("latin-1")))
            else:
                out.append((key, value))
        return out

    def _relative(self, url: str, base: str) -> str:
        """``url`` without its origin when it points into an upstream (``base`` first)."""
        if not url.lower().startswith(("http://", "https://", "//")):
            return url
        try:
            target = urlsplit(url)
            origin = _origin(target)
        except ValueError:
            return url
        for upstream in (base, *(u.url for u in self.upstreams.values())):
            root = urlsplit(upstream)
            if _origin(root) != origin:
                continue
            prefix = root.path.rstrip("/")
            path = target.path or "/"
            if prefix and (path == prefix or path.startswith(prefix + "/")):
                path = path[len(prefix) :] or "/"
            return urlunsplit(("", "", path, target.query, target.fragment))
        return url

    @staticmethod
    def _headers(scope: Scope, client: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        forwarded = host = ""
        for raw_name, raw_value in scope.get("headers") or ():
            name = raw_name.decode("latin-1").lower()
            value = raw_value.decode("latin-1")
            if name == "x-forwarded-for":
                forwarded = value
            elif name == "host":
                host = value
            if name not in _DROPPED:
                out.append((name, value))
        out.append(("x-forwarded-for", f"{forwarded}, {client}" if forwarded else client))
        out.append(("x-forwarded-proto", str(scope.get("scheme") or "http")))
        if host:
            out.append(("x-forwarded-host", host))
        return out
