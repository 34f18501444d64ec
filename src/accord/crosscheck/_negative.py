"""Negative tests: the request problems a recorded error status explains.

A consumer may keep an interaction whose request is wrong on purpose and whose response is
the error the provider answers it with. The request problems that error is *about* are the
point of the test, so they are not reported; everything else about the request still is, and
the recorded status must be documented for the operation (``response-status`` always runs).
swagger-mock-validator skips every request check once the status is 400 or more; Accord
only skips what the status explains, by request part:

============  ==================================================================
status        explains
============  ==================================================================
400, 422      the request's content: body, content type, headers, query, path
401, 403      credentials: missing, or a credential header or query parameter
              that does not fit (API gateways answer a missing key with 403)
404, 410      what names the resource: path parameters and the query
405           the method, on a path the contract has (no operation to check the
              status against: the path answers 405 for a method it lacks)
406           ``Accept``
409           nothing: a conflict is with the resource's state, the request
              itself must still be one the contract accepts
412, 428      the conditional headers (``If-Match``, ``If-None-Match``, ...)
413           the body
414           path and query (the URI)
415           content type and body
431           headers
other         nothing (418, 429, 5xx: not about the request's shape)
============  ==================================================================
"""

from __future__ import annotations

__all__ = ["CONDITIONAL_HEADERS", "PARTS", "explained_parts", "routes_loosely"]

#: the request parts a check may attribute a mismatch to
PARTS = frozenset(
    {
        "accept",
        "body",
        "conditional",
        "content-type",
        "credentials",
        "headers",
        "method",
        "path",
        "query",
    }
)
#: request headers that make a request conditional (RFC 9110 §13.1)
CONDITIONAL_HEADERS = frozenset(
    {"if-match", "if-none-match", "if-modified-since", "if-unmodified-since", "if-range"}
)

_CONTENT = frozenset({"body", "content-type", "headers", "conditional", "query", "path"})
_RESOURCE = frozenset({"path", "query"})
_EXPLAINS: dict[int, frozenset[str]] = {
    400: _CONTENT,
    401: frozenset({"credentials"}),
    403: frozenset({"credentials"}),
    404: _RESOURCE,
    405: frozenset({"method"}),
    406: frozenset({"accept"}),
    410: _RESOURCE,
    412: frozenset({"conditional"}),
    413: frozenset({"body"}),
    414: _RESOURCE,
    415: frozenset({"content-type", "body"}),
    422: _CONTENT,
    428: frozenset({"conditional"}),
    431: frozenset({"headers", "conditional"}),
}


def explained_parts(status: int) -> frozenset[str]:
    """The request parts (:data:`PARTS`) whose problems a recorded ``status`` explains."""
    return _EXPLAINS.get(status, frozenset())


def routes_loosely(status: int) -> bool:
    """Whether a request whose path parameters do not fit may still be routed: the
    recorded status explains the path (a 404 for ``/orders/abc``)."""
    return "path" in explained_parts(status)
