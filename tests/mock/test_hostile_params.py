"""Parameter text that breaks its style: a 400 problem naming the parameter, never a 500 and
never a request read as something it did not say (an item split at an encoded comma, a
key dropped for want of its value, bytes that are not UTF-8 read as U+FFFD)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from accord.core import Contract
from accord.mock import MockApp, MockConfig
from tests.conftest import CORPUS
from tests.mock.conftest import ClientFactory, tiny
from tests.mock.helpers import mock_client

STRINGS = {"type": "array", "items": {"type": "string"}}
RANGE = {
    "type": "object",
    "properties": {"lo": {"type": "integer"}, "hi": {"type": "integer"}},
}


def _op(where: str, schema: dict[str, Any], **style: Any) -> dict[str, Any]:
    parameter = {"name": "p", "in": where, "required": True, "schema": schema, **style}
    return {"get": {"parameters": [parameter], "responses": {"204": {"description": "ok"}}}}


#: one operation per style under test (a gateway test reads the same table through both)
PATHS = {
    "/simple/{p}": _op("path", {**STRINGS, "const": ["a,b", "c"]}),
    "/label/{p}": _op("path", {**STRINGS, "const": ["a.b", "c"]}, style="label", explode=True),
    "/matrix/{p}": _op("path", {**STRINGS, "const": ["x;y"]}, style="matrix", explode=True),
    "/text/{p}": _op("path", {"type": "string"}),
    "/range/{p}": _op("path", RANGE),
    "/exploded/{p}": _op("path", RANGE, explode=True),
    "/header": _op("header", RANGE),
    "/query": _op("query", RANGE, explode=False),
    "/exploded-query": _op("query", RANGE),
    "/flat-query": _op("query", {**STRINGS, "const": ["a,b", "c"]}, explode=False),
    "/deep": _op("query", RANGE, style="deepObject"),
}


@pytest.fixture
def mock(client: ClientFactory) -> Any:
    return client(tiny(PATHS))


#: (path, status): values the mock splits where the client put its delimiters
SPLIT = [
    ("/simple/a%2Cb,c", 204),  # the comma of an item is encoded, the delimiter is not
    ("/simple/a,b,c", 400),
    ("/label/.a%2Eb.c", 204),
    ("/label/.a.b.c", 400),
    ("/matrix/;p=x%3By", 204),
    ("/matrix/;p=x;p=y", 400),
    ("/text/caf%C3%A9", 204),
    ("/flat-query?p=a%2Cb,c", 204),  # the query too: the comma of an item is encoded
    ("/flat-query?p=a,b,c", 400),
]


@pytest.mark.parametrize(("path", "status"), SPLIT)
def test_a_value_is_split_at_its_delimiters_before_it_is_decoded(
    mock: Any, path: str, status: int
) -> None:
    response = mock.get(path)
    assert response.status_code == status, response.text


NOT_UTF8 = ["%FF", "caf%C3", "%C3%28", "ok%E2%82"]


@pytest.mark.parametrize("text", NOT_UTF8)
def test_a_path_value_that_is_not_utf8_is_refused(mock: Any, text: str) -> None:
    response = mock.get(f"/text/{text}")
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["pointer"] == "p" and error["in"] == "path"
    assert "not UTF-8" in error["message"]


#: (url, headers, where, message) of objects the mock refuses
REFUSED = [
    ("/range/lo,1,hi", {}, "path", "'hi' without a value"),
    ("/range/7", {}, "path", "'7' without a value"),
    ("/range/lo,1,lo,2", {}, "path", "'lo' more than once"),
    ("/exploded/lo=1,hi", {}, "path", "'hi' without '='"),
    ("/exploded/lo=1,lo=2", {}, "path", "'lo' more than once"),
    ("/header", {"p": "lo,1,hi"}, "header", "'hi' without a value"),
    ("/header", {"p": "1e999"}, "header", "without a value"),
    ("/query?p=lo,1,lo,2", {}, "query", "'lo' more than once"),
    ("/query?p=hi", {}, "query", "'hi' without a value"),
    ("/query?p=lo,1&p=hi,2", {}, "query", "was given more than once"),  # one was dropped
    ("/flat-query?p=a%2Cb,c&p=", {}, "query", "was given more than once"),
    ("/deep?p[lo]=1&p[lo]=2", {}, "query", "'lo' more than once"),
    ("/exploded-query?lo=1&lo=2", {}, "query", "'lo' more than once"),
]


@pytest.mark.parametrize(("url", "headers", "where", "message"), REFUSED)
def test_an_object_missing_a_value_or_repeating_a_key_is_refused(
    mock: Any, url: str, headers: dict[str, str], where: str, message: str
) -> None:
    response = mock.get(url, headers=headers)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["pointer"] == "p" and error["in"] == where
    assert message in error["message"]


#: (url, headers) the mock reads
READ = [
    ("/range/lo,1,hi,5", {}),
    ("/exploded/lo=1,hi=5", {}),
    ("/header", {"p": "lo,1,hi,5"}),
    ("/header", {"p": ""}),
    ("/query?p=lo,1", {}),
    ("/deep?p[lo]=1&p[hi]=2", {}),
    ("/exploded-query?lo=1&hi=2", {}),
]


def test_well_formed_objects_and_the_empty_object_are_still_read(mock: Any) -> None:
    for url, headers in READ:
        response = mock.get(url, headers=headers)
        assert response.status_code == 204, (url, response.text)


def test_ten_thousand_items_are_read_in_one_go(mock: Any, client: ClientFactory) -> None:
    numbers = client(tiny({"/n/{p}": _op("path", {"type": "array", "items": {"type": "integer"}})}))
    assert numbers.get("/n/" + ",".join(["7"] * 10_000)).status_code == 204
    refused = numbers.get("/n/" + ",".join(["7"] * 9_999 + ["x"]))
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["pointer"] == "p/9999"


#: corpus documents whose parameters declare styles (deepObject, exploded arrays and objects)
STYLED = [
    "petstore/swagger-petstore-v3.yaml",
    "apis-guru-3.1/listennotes.com__2.0.json",
    "apis-guru-3.1/openai.com__2.3.0.json",
    "stripe/spec3-2023-08-09.yaml",
]
HOSTILE = ["%FF", "a%2Cb,c", "lo,1,hi", "k,1,k,2", ",".join(["1"] * 10_000)]


@pytest.mark.slow
@pytest.mark.parametrize("name", STYLED)
def test_hostile_parameter_text_on_corpus_documents_is_never_a_5xx(name: str) -> None:
    """Every path, query, header and cookie parameter of real documents, sent text that breaks
    its style twice over: a 4xx naming a parameter or an answer, never a 5xx; a deepObject
    property given twice (Stripe's ``created[gt]``) is refused."""
    contract = Contract.from_path(CORPUS / "openapi" / name)
    mock = mock_client(MockApp([contract], MockConfig()))
    sent = 0
    try:
        for op in contract.operations:
            for param in [p for p in op.parameters if p.location != "header" or p.name.isascii()]:
                for text in HOSTILE:
                    url, headers = _hostile(op.path, param, text)
                    answer = mock.request(op.method.upper(), url, headers=headers)
                    sent += 1
                    assert answer.status_code < 500 or answer.status_code == 501, (url, answer.text)
                    if answer.status_code == 400 and answer.json().get("errors"):
                        assert all("pointer" in e for e in answer.json()["errors"]), answer.text
    finally:
        mock.close()
    assert sent > 50


def _hostile(template: str, param: Any, text: str) -> tuple[str, dict[str, str]]:
    path = re.sub(r"\{([^}]+)\}", lambda m: text if m.group(1) == param.name else "x1", template)
    headers = {"Authorization": "Bearer t"}
    if param.location == "query":
        key = f"{param.name}[a]" if param.style == "deepObject" else param.name
        return f"{path}?{key}={text}&{key}={text}", headers
    if param.location == "header" and param.name.lower() != "authorization":
        headers[param.name] = text.replace("%", "")
    if param.location == "cookie":
        headers["Cookie"] = f"{param.name}={text}; {param.name}={text}"
    return path, headers


@pytest.mark.parametrize(("style", "explode"), [("deepObject", True), ("form", True)])
def test_an_object_or_integer_parameter_is_read_either_way(
    client: ClientFactory, style: str, explode: bool
) -> None:
    """Stripe's ``created``: ``anyOf`` an object (``created[gt]=1``) or an integer
    (``created=5``). Neither was read (the parameter's types were those of no member), so
    ``created[gt]=soon`` went unchecked."""
    schema = {
        "anyOf": [
            {"type": "object", "properties": {"gt": {"type": "integer"}}},
            {"type": "integer"},
        ]
    }
    mock = client(tiny({"/v1/charges": _op("query", schema, style=style, explode=explode)}))
    key = "p[gt]" if style == "deepObject" else "gt"
    assert mock.get(f"/v1/charges?{key}=1").status_code == 204
    assert mock.get("/v1/charges?p=5").status_code == 204
    for refused in (f"{key}=soon", f"{key}=1&{key}=2", "p=soon"):
        answer = mock.get(f"/v1/charges?{refused}")
        assert answer.status_code == 400, (refused, answer.text)
        assert answer.json()["errors"][0]["pointer"].startswith("p"), answer.text
