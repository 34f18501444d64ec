"""Parameter text that breaks its style: a 400 problem naming the parameter, never a 500 and
never a request read as something it did not say (an item split at an encoded comma, a
key dropped for want of its value, bytes that are not UTF-8 read as U+FFFD)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.mock.conftest import ClientFactory, tiny

STRINGS = {"type": "array", "items": {"type": "string"}}
RANGE = {
    "type": "object",
    "properties": {"lo": {"type": "integer"}, "hi": {"type": "integer"}},
}


def _op(where: str, schema: dict[str, Any], **style: Any) -> dict[str, Any]:
    parameter = {"name": "p", "in": where, "required": True, "schema": schema, **style}
    return {"get": {"parameters": [parameter], "responses": {"204": {"description": "ok"}}}}


@pytest.fixture
def mock(client: ClientFactory) -> Any:
    paths = {
        "/simple/{p}": _op("path", {**STRINGS, "const": ["a,b", "c"]}),
        "/label/{p}": _op("path", {**STRINGS, "const": ["a.b", "c"]}, style="label", explode=True),
        "/matrix/{p}": _op("path", {**STRINGS, "const": ["x;y"]}, style="matrix", explode=True),
        "/text/{p}": _op("path", {"type": "string"}),
        "/range/{p}": _op("path", RANGE),
        "/exploded/{p}": _op("path", RANGE, explode=True),
        "/header": _op("header", RANGE),
        "/query": _op("query", RANGE, explode=False),
        "/exploded-query": _op("query", RANGE),
        "/deep": _op("query", RANGE, style="deepObject"),
    }
    return client(tiny(paths))


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/simple/a%2Cb,c", 204),  # the comma of an item is encoded, the delimiter is not
        ("/simple/a,b,c", 400),
        ("/label/.a%2Eb.c", 204),
        ("/label/.a.b.c", 400),
        ("/matrix/;p=x%3By", 204),
        ("/matrix/;p=x;p=y", 400),
        ("/text/caf%C3%A9", 204),
    ],
)
def test_a_path_value_is_split_at_its_delimiters_before_it_is_decoded(
    mock: Any, path: str, status: int
) -> None:
    response = mock.get(path)
    assert response.status_code == status, response.text


@pytest.mark.parametrize("text", ["%FF", "caf%C3", "%C3%28", "ok%E2%82"])
def test_a_path_value_that_is_not_utf8_is_refused(mock: Any, text: str) -> None:
    response = mock.get(f"/text/{text}")
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["pointer"] == "p" and error["in"] == "path"
    assert "not UTF-8" in error["message"]


@pytest.mark.parametrize(
    ("url", "headers", "where", "message"),
    [
        ("/range/lo,1,hi", {}, "path", "'hi' without a value"),
        ("/range/7", {}, "path", "'7' without a value"),
        ("/range/lo,1,lo,2", {}, "path", "'lo' more than once"),
        ("/exploded/lo=1,hi", {}, "path", "'hi' without '='"),
        ("/exploded/lo=1,lo=2", {}, "path", "'lo' more than once"),
        ("/header", {"p": "lo,1,hi"}, "header", "'hi' without a value"),
        ("/header", {"p": "1e999"}, "header", "without a value"),
        ("/query?p=lo,1,lo,2", {}, "query", "'lo' more than once"),
        ("/query?p=hi", {}, "query", "'hi' without a value"),
        ("/deep?p[lo]=1&p[lo]=2", {}, "query", "'lo' more than once"),
        ("/exploded-query?lo=1&lo=2", {}, "query", "'lo' more than once"),
    ],
)
def test_an_object_missing_a_value_or_repeating_a_key_is_refused(
    mock: Any, url: str, headers: dict[str, str], where: str, message: str
) -> None:
    response = mock.get(url, headers=headers)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["pointer"] == "p" and error["in"] == where
    assert message in error["message"]


def test_well_formed_objects_and_the_empty_object_are_still_read(mock: Any) -> None:
    for url, headers in [
        ("/range/lo,1,hi,5", {}),
        ("/exploded/lo=1,hi=5", {}),
        ("/header", {"p": "lo,1,hi,5"}),
        ("/header", {"p": ""}),
        ("/query?p=lo,1", {}),
        ("/deep?p[lo]=1&p[hi]=2", {}),
        ("/exploded-query?lo=1&hi=2", {}),
    ]:
        response = mock.get(url, headers=headers)
        assert response.status_code == 204, (url, response.text)


def test_ten_thousand_items_are_read_in_one_go(mock: Any, client: ClientFactory) -> None:
    numbers = client(tiny({"/n/{p}": _op("path", {"type": "array", "items": {"type": "integer"}})}))
    assert numbers.get("/n/" + ",".join(["7"] * 10_000)).status_code == 204
    refused = numbers.get("/n/" + ",".join(["7"] * 9_999 + ["x"]))
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["pointer"] == "p/9999"
