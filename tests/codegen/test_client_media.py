"""Which error responses a generated client reads as JSON: by media type, not by substring.

The runtime tested ``"json" in content_type``, which took ``application/jsonlines`` and
``application/x-json-stream`` for JSON. It is standalone (no ``accord`` import), so it has a
small reader of its own; it must give the servers' answer (``accord._media``) on every row.
"""

from __future__ import annotations

import json

import httpx
import pytest

from accord._media import is_json_media
from accord.runtime._client import ApiError, _is_json

PROBLEM = {"title": "Out of stock", "detail": "sku tea-1 has 0 left"}

#: content type -> whether its body is JSON
ROWS = {
    "application/json": True,
    "application/problem+json": True,
    "application/vnd.api+json; charset=utf-8": True,
    "Application/Problem+JSON": True,
    "application/json;charset=UTF-8": True,
    'application/hal+json ; profile="a;b"': True,
    "text/json": True,
    "application/jsonlines": False,
    "application/x-json-stream": False,
    "application/json-seq": False,
    "application/x-ndjson": False,
    "text/plain; note=json": False,
    "application/jsonx+xml": False,
    "json": False,
    "/json": False,
    "": False,
}


@pytest.mark.parametrize(("ctype", "expected"), ROWS.items())
def test_an_error_body_is_parsed_only_when_its_media_type_is_json(
    ctype: str, expected: bool
) -> None:
    response = httpx.Response(
        409, content=json.dumps(PROBLEM).encode(), headers={"content-type": ctype}
    )
    error = ApiError(response, "placeOrder")
    assert (error.problem == PROBLEM) is expected
    assert str(error) == (
        "placeOrder: HTTP 409 Out of stock: sku tea-1 has 0 left"
        if expected
        else "placeOrder: HTTP 409 Conflict"
    )


@pytest.mark.parametrize("ctype", [c for c in ROWS if c.count("/") == 1 and c[0] != "/"])
def test_the_runtime_and_the_servers_agree_on_what_is_json(ctype: str) -> None:
    assert _is_json(ctype) is is_json_media(ctype)
