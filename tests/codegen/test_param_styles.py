"""Every row of OpenAPI's style examples table, sent by a generated client to a real `accord mock`.

The expected wire text is the specification's, not ours: OpenAPI 3.0.4 and 3.1.1
§4.8.12.4.2 "Style Examples" (which corrected 3.0.3's ``label``/``explode: false`` row,
``.blue.black.brown``, to RFC 6570's ``.blue,black,brown``), with ``color`` one of
``""``, ``"blue"``, ``["blue", "black", "brown"]`` and ``{"R": 100, "G": 200, "B": 150}``.
Cookies follow the ``cookie`` rows of OpenAPI 3.2 (pairs joined by ``"; "``), the only
text that says how an exploded cookie is written; headers have only the ``simple`` style.

Each parameter's schema is a ``const`` of the value, so the mock answers 204 only when it
read back exactly that value, typed (``100``, not ``"100"``); each row is also sent once
with a different value, which the mock must refuse with a 400 naming the parameter.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import httpx
import pytest
import yaml

from tests.codegen.helpers import generated_client
from tests.mock.helpers import Server

STRING, EMPTY = "blue", ""
ARRAY = ["blue", "black", "brown"]
OBJECT = {"R": 100, "G": 200, "B": 150}
VALUES = {"empty": EMPTY, "string": STRING, "array": ARRAY, "object": OBJECT}

#: (in, style, explode, type) -> the text the specification shows
TABLE: dict[tuple[str, str, bool, str], str] = {}


def _rows(where: str, style: str, explode: bool, *texts: str | None) -> None:
    for kind, text in zip(VALUES, texts, strict=True):
        if text is not None:  # n/a in the specification
            TABLE[where, style, explode, kind] = text


_rows("path", "matrix", False, ";color", ";color=blue", ";color=blue,black,brown",
      ";color=R,100,G,200,B,150")  # fmt: skip
_rows("path", "matrix", True, ";color", ";color=blue", ";color=blue;color=black;color=brown",
      ";R=100;G=200;B=150")  # fmt: skip
_rows("path", "label", False, ".", ".blue", ".blue,black,brown", ".R,100,G,200,B,150")
_rows("path", "label", True, ".", ".blue", ".blue.black.brown", ".R=100.G=200.B=150")
_rows("path", "simple", False, None, "blue", "blue,black,brown", "R,100,G,200,B,150")
_rows("path", "simple", True, None, "blue", "blue,black,brown", "R=100,G=200,B=150")
_rows("header", "simple", False, None, "blue", "blue,black,brown", "R,100,G,200,B,150")
_rows("header", "simple", True, None, "blue", "blue,black,brown", "R=100,G=200,B=150")
_rows("query", "form", False, "color=", "color=blue", "color=blue,black,brown",
      "color=R,100,G,200,B,150")  # fmt: skip
_rows("query", "form", True, "color=", "color=blue", "color=blue&color=black&color=brown",
      "R=100&G=200&B=150")  # fmt: skip
_rows("query", "spaceDelimited", False, None, None, "color=blue%20black%20brown",
      "color=R%20100%20G%20200%20B%20150")  # fmt: skip
_rows("query", "pipeDelimited", False, None, None, "color=blue%7Cblack%7Cbrown",
      "color=R%7C100%7CG%7C200%7CB%7C150")  # fmt: skip
_rows("query", "deepObject", True, None, None, None,
      "color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150")  # fmt: skip
_rows("cookie", "form", False, "color=", "color=blue", "color=blue,black,brown",
      "color=R,100,G,200,B,150")  # fmt: skip
_rows("cookie", "form", True, "color=", "color=blue", "color=blue; color=black; color=brown",
      "R=100; G=200; B=150")  # fmt: skip

SCHEMAS: dict[str, dict[str, Any]] = {
    "empty": {"type": "string", "const": EMPTY},
    "string": {"type": "string", "const": STRING},
    "array": {"type": "array", "items": {"type": "string"}, "const": ARRAY},
    "object": {
        "type": "object",
        "properties": {k: {"type": "integer"} for k in OBJECT},
        "const": OBJECT,
    },
}
#: a value of the same type that is not the ``const``
OTHER = {"empty": "x", "string": "red", "array": ["blue"], "object": {"R": 1, "G": 2, "B": 3}}


def _operation_id(where: str, style: str, explode: bool, kind: str) -> str:
    return f"{where}_{style.lower()}_{'exploded' if explode else 'flat'}_{kind}"


def _contract() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for (where, style, explode, kind), _ in TABLE.items():
        op_id = _operation_id(where, style, explode, kind)
        path = f"/{op_id}" + ("/{color}" if where == "path" else "")
        parameter = {
            "name": "color", "in": where, "required": True, "style": style,
            "explode": explode, "schema": SCHEMAS[kind],
        }  # fmt: skip
        paths[path] = {
            "get": {
                "operationId": op_id,
                "parameters": [parameter],
                "responses": {"204": {"description": "read back as sent"}},
            }
        }
    return {"openapi": "3.1.0", "info": {"title": "Styles", "version": "1"}, "paths": paths}


@pytest.fixture(scope="module")
def styles(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ModuleType, str]]:
    """The generated client package, and a real `accord mock` of the same contract."""
    root = tmp_path_factory.mktemp("styles")
    source = root / "styles.yaml"
    source.write_text(yaml.safe_dump(_contract(), sort_keys=False))
    server = Server(str(source), "--quiet", cwd=root)
    try:
        with generated_client(source, "stylespkg") as module:
            server.wait()
            yield module, server.url
    finally:
        server.stop()


def _wire(request: httpx.Request, where: str) -> str:
    """The parameter's text as it went over the wire."""
    if where == "path":  # a segment "." would be dropped as a dot segment: it goes as "%2E"
        segment = request.url.raw_path.decode("ascii").rsplit("/", 1)[1]
        return "." if segment == "%2E" else segment
    if where == "query":
        return request.url.query.decode("ascii")
    return request.headers["color" if where == "header" else "cookie"]


def test_every_row_of_the_style_table_is_written_and_read_as_the_specification_says(
    styles: tuple[ModuleType, str],
) -> None:
    module, url = styles
    sent: list[httpx.Request] = []
    with httpx.Client(event_hooks={"request": [sent.append]}) as http:
        api = module.StylesClient(url, client=http)
        problems = _send_every_row(module, api, sent)
    wrong_wire, refused, accepted = problems
    assert not wrong_wire, "\n".join(wrong_wire)
    assert not refused, "\n".join(refused)
    assert not accepted, "\n".join(accepted)
    assert len(TABLE) == 49


def _by_keyword(method: Any, value: Any) -> Any:
    return method(color=value)


def _send_every_row(
    module: ModuleType, api: Any, sent: list[httpx.Request]
) -> tuple[list[str], list[str], list[str]]:
    """Each row sent with its value, then with another: what went wrong, by kind."""
    wrong_wire, refused, accepted = [], [], []
    for (where, style, explode, kind), expected in TABLE.items():
        method = getattr(api, _operation_id(where, style, explode, kind))
        call = method if where == "path" else functools.partial(_by_keyword, method)
        row = f"{where} {style} explode={explode} {kind}"
        try:
            call(VALUES[kind])
        except module.ApiError as exc:
            refused.append(f"{row}: {exc}")
        wire = _wire(sent[-1], where)
        if wire != expected:
            wrong_wire.append(f"{row}: sent {wire!r}, the specification writes {expected!r}")
        try:
            call(OTHER[kind])
            accepted.append(f"{row}: {OTHER[kind]!r} was accepted")
        except module.ApiError as exc:
            assert exc.status == 400 and exc.problem is not None, row
            assert any(e.get("in") == where for e in exc.problem["errors"]), (row, exc.problem)
    return wrong_wire, refused, accepted


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/path_label_flat_string/blue", "does not start with '.' (label style): 'blue'"),
        ("/path_matrix_flat_string/blue", "does not start with ';' (matrix style): 'blue'"),
        ("/path_matrix_flat_string/;colour=blue", "is not ';color=...' (matrix style)"),
        ("/path_matrix_exploded_array/;color=blue;hue=red", "is not ';color=...' repeated"),
    ],
)
def test_a_path_parameter_not_in_its_style_is_a_400_naming_it(
    styles: tuple[ModuleType, str], path: str, message: str
) -> None:
    _, url = styles
    response = httpx.get(url + path)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["pointer"] == "color" and error["in"] == "path"
    assert message in error["message"]
