"""Standard HTTP headers: sent or received without a contract having to mention them.

The lists are swagger-mock-validator's, so that the ``*.header.unknown`` warnings agree.
"""

from __future__ import annotations

__all__ = ["STANDARD_REQUEST_HEADERS", "STANDARD_RESPONSE_HEADERS"]

#: request headers every client may send without the contract mentioning them
STANDARD_REQUEST_HEADERS = frozenset(
    [
        "accept",
        "accept-charset",
        "accept-datetime",
        "accept-encoding",
        "accept-language",
        "authorization",
        "cache-control",
        "connection",
        "content-length",
        "content-md5",
        "content-type",
        "cookie",
        "date",
        "expect",
        "forwarded",
        "from",
        "host",
        "if-match",
        "if-modified-since",
        "if-none-match",
        "if-range",
        "if-unmodified-since",
        "max-forwards",
        "origin",
        "pragma",
        "proxy-authorization",
        "range",
        "referer",
        "te",
        "upgrade",
        "user-agent",
        "via",
        "warning",
    ]
)

#: response headers any HTTP server may send without the contract mentioning them
STANDARD_RESPONSE_HEADERS = frozenset(
    [
        "access-control-allow-origin",
        "accept-patch",
        "accept-ranges",
        "age",
        "allow",
        "alt-svc",
        "cache-control",
        "connection",
        "content-disposition",
        "content-encoding",
        "content-language",
        "content-length",
        "content-location",
        "content-md5",
        "content-range",
        "date",
        "etag",
        "expires",
        "last-modified",
        "link",
        "location",
        "p3p",
        "pragma",
        "proxy-authenticate",
        "public-key-pins",
        "refresh",
        "retry-after",
        "server",
        "set-cookie",
        "status",
        "strict-transport-security",
        "trailer",
        "transfer-encoding",
        "tsv",
        "upgrade",
        "vary",
        "via",
        "warning",
        "www-authenticate",
        "x-frame-options",
    ]
)
