"""The client and stub come out formatted: black (the formatter they used to go through, kept
as the oracle) leaves every generated file unchanged, and ``accord generate`` no longer loads
it. A spread of documents covers each shape: long names, no operations, every security
scheme, every body kind, query styles, a one-operation table, a long contract path."""

from __future__ import annotations

import ast
import json
import random
import re
import string
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import black
import pytest
from black.mode import TargetVersion

from accord.codegen import _layout
from accord.codegen._generate import render_package
from accord.codegen._layout import (
    Pair,
    Seq,
    Union,
    annotation,
    docstring,
    import_from,
    lines,
    parameter,
    quote,
)
from accord.core import Contract
from tests.conftest import CORPUS

REPO = Path(__file__).resolve().parents[2]
MODE = black.Mode(line_length=100, target_versions={TargetVersion.PY311})
OPENAPI = CORPUS / "openapi"


def black_formatted(text: str) -> str:
    return black.format_str(text, mode=MODE)


@pytest.mark.parametrize(
    "document",
    [
        REPO / "contracts/openapi/orders.yaml",
        REPO / "contracts/openapi/catalog.yaml",
        OPENAPI / "twilio/twilio_conversations_v1.json",  # 100+ character model names
        OPENAPI / "twilio/twilio_verify_v3.json",  # no operations
        OPENAPI / "oai-examples/v3.0/uspto.yaml",
        OPENAPI / "apis-guru-3.1/listennotes.com__2.0.json",
        OPENAPI / "petstore/swagger-petstore-v3.yaml",  # API key + OAuth2, XML and form bodies
        OPENAPI / "oai-examples/v3.1/tictactoe.yaml",  # basic, bearer, API key, OAuth2
        OPENAPI / "pactflow/example-provider-openapi.yaml",  # query styles (explode: false)
        OPENAPI / "oai-examples/v3.0/callback-example.yaml",  # a one-operation table
    ],
    ids=lambda p: p.name,
)
def test_black_leaves_the_client_and_the_stub_unchanged(document: Path, tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["nested"] * 12, "pkg")  # a long contract path in server.py
    files = render_package(Contract.from_path(document), "svc", deep)
    for name in ("client.py", "server.py"):
        assert black_formatted(files[name]) == files[name], name


def synthetic_document(seed: int) -> dict[str, Any]:
    """A document whose every annotation position holds long, nullable, nested types: path,
    query, header and cookie parameters, required and optional bodies, several 2xx responses
    (a union) and a redirect (``| None``), model names of 8 to 40 and 60 to 96 characters."""
    rng = random.Random(seed)
    v31 = seed % 2 == 1  # ``type: [x, "null"]``; 3.0 says ``nullable: true``

    def word(low: int, high: int) -> str:
        size = rng.randint(low, high)
        return rng.choice(string.ascii_uppercase) + "".join(
            rng.choice(string.ascii_lowercase) for _ in range(size - 1)
        )

    def nullable(schema: dict[str, Any]) -> dict[str, Any]:
        return {**schema, "type": [schema["type"], "null"]} if v31 else {**schema, "nullable": True}

    names = [word(8, 40) for _ in range(3)] + [word(60, 96) for _ in range(3)]

    def schema(depth: int = 0) -> dict[str, Any]:
        roll = rng.random()
        if roll < 0.35:
            return {"$ref": f"#/components/schemas/{rng.choice(names)}"}
        if roll < 0.7 and depth < 3:
            found: dict[str, Any] = {"type": "array", "items": schema(depth + 1)}
        elif roll < 0.85:
            found = {"type": rng.choice(["string", "integer", "number", "boolean"])}
        else:
            found = {"type": "object", "properties": {"x": {"type": "string"}}}
        return nullable(found) if rng.random() < 0.6 else found

    def param(where: str) -> dict[str, Any]:
        required = where == "path" or rng.random() < 0.3
        return {"name": word(3, 60).lower(), "in": where, "required": required, "schema": schema()}

    paths: dict[str, Any] = {}
    for i in range(rng.randint(3, 6)):
        in_path = [param("path") for _ in range(rng.randint(0, 2))]
        others = [param(w) for w in ("query", "header", "cookie") for _ in range(rng.randint(0, 2))]
        operation: dict[str, Any] = {
            "operationId": f"{word(4, 70).lower()}_{i}",
            "parameters": in_path + others,
            "responses": {},
        }
        if rng.random() < 0.8:
            media = {"application/json": {"schema": schema()}}
            operation["requestBody"] = {"required": rng.random() < 0.5, "content": media}
        for status in rng.sample(["200", "201", "202", "302"], rng.randint(1, 3)):
            response: dict[str, Any] = {"description": "x"}
            if status != "302":
                response["content"] = {"application/json": {"schema": schema()}}
            operation["responses"][status] = response
        path = f"/r{i}" + "".join(f"/{{{p['name']}}}" for p in in_path)
        paths[path] = {rng.choice(["get", "post", "put"]): operation}
    schemas = {n: {"type": "object", "properties": {"v": {"type": "string"}}} for n in names}
    return {
        "openapi": "3.1.0" if v31 else "3.0.3",
        "info": {"title": f"Synthetic {seed}", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas},
    }


#: a split in each annotation position, as it reads in the generated files: the line that
#: opens it, then (past lines inside its brackets) a ``| `` line at the same indent
_THEN_BAR = r"\n(?:\1 .*\n|\1[\])].*\n)*\1\| "
SPLITS = {
    "a parameter's union, bracketed": r"^ +\w+: \($",
    "a return, bracketed": r"^ +\) -> \($",
    "a return's subscript": r"^ +\) -> (Result|list)\[$",
    "a dict value's union": r"^( +)\d{3}: (?!\(\n).*" + _THEN_BAR,
    "body='s union": r"^( +)body=.*" + _THEN_BAR,
    "a tuple item's union": r"\d{3}: \(\n( +)(?!\| ).*" + _THEN_BAR,
    "a list item's union": r"list\[\n( +)(?!\| ).*" + _THEN_BAR,
}
SEEDS = 20


def test_black_leaves_the_client_and_stub_of_synthetic_documents_unchanged(
    tmp_path: Path,
) -> None:
    texts = []
    for seed in range(SEEDS):
        spec = tmp_path / f"synthetic{seed}.json"
        spec.write_text(json.dumps(synthetic_document(seed)))
        files = render_package(Contract.from_path(spec), "svc", tmp_path / "svc")
        for name in ("client.py", "server.py"):
            assert black_formatted(files[name]) == files[name], f"seed {seed}: {name}"
            texts.append(files[name])
    found = {
        label: len(re.findall(split, "\n".join(texts), re.M)) for label, split in SPLITS.items()
    }
    assert all(found.values()), found  # every position was stressed


SHAPES = [
    Seq("x = f", ("1", "2")),
    Seq("x = f", tuple(f"argument_{i}" for i in range(12))),
    Seq("x = f", tuple(f"argument_number_{i}" for i in range(12))),
    Seq("y = ", tuple(f'"k{i}": v{i}' for i in range(3)), "{", literal=True),
    Seq("y = ", tuple(f'"key_number_{i}": value_{i}' for i in range(6)), "{", literal=True),
    Seq("z = ", (Seq("", ('"a_long_name_' + "x" * 70 + '"', '"b"'), literal=True),), literal=True,
        one_tuple=True),
    Seq("w = ", ('"only_key": ' + "x" * 95,), "{", literal=True),
    Seq("v = f", (Pair("security=", Seq("", (Seq("", ('"a"',), literal=True, one_tuple=True),),
                                          literal=True, one_tuple=True)),)),
    Seq(
        "result = outer_function",
        (
            '"first"',
            Pair("keyword=", Seq("", tuple(f'"k{i}": v{i}' for i in range(9)), "{", literal=True)),
            Seq("inner_call", tuple(f"positional_{i}" for i in range(8))),
        ),
    ),
]  # fmt: skip


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: _layout.flat(s)[:30])
def test_each_shape_is_laid_out_as_black_lays_it_out(shape: Seq) -> None:
    text = "\n".join(lines(shape, 0)) + "\n"
    assert black_formatted(_layout.flat(shape) + "\n") == text


LONG = "models." + "X" * 85


@pytest.mark.parametrize(
    "shape",
    [
        Seq("x = f", ('"a"', Seq("", (Pair("200: ", annotation(f"list[{LONG}]")),), "{",
                                 literal=True))),
        Seq("T = ", (Pair("200: ", Seq("", (annotation(f"list[{LONG}]"), '"a/b"'), literal=True)),),
            "{", literal=True),
        Seq("x = OperationSpec", ("a=1", Pair("body=", annotation(f"list[list[{LONG}]]")))),
        Seq("def method", ("self", annotation(f"body: list[{LONG}]")), tail=" -> None:",
            is_def=True),
    ],
    ids=["dict-value", "response-tuple", "keyword", "parameter"],
)  # fmt: skip
def test_long_subscripts_split_as_black_splits_them(shape: Seq) -> None:
    body = "    return\n" if shape.is_def else ""
    text = "\n".join(lines(shape, 0)) + "\n" + body
    assert black_formatted(_layout.flat(shape) + "\n" + body) == text


@pytest.mark.parametrize(
    "param",
    [
        f"body: list[{LONG}] | None = None",  # bracketed, then the subscript split too
        f"items: list[list[{LONG[:70]}]] | None = None",  # one part a line
        f"name_of_a_param: {LONG[:60]} | None = None",  # the union on one line in brackets
        f"body: {LONG[:40]} | list[{LONG[:40]}] | None = None",
        f"long_parameter_name_{'y' * 60}: str | None = None",  # fits: left alone
        f"body: {LONG}",  # nothing to split
    ],
)
def test_long_parameters_split_as_black_splits_them(param: str) -> None:
    shape = Seq("def method", ("self", parameter(param), "*", "other: int | None = None"),
                tail=" -> None:", is_def=True)  # fmt: skip
    text = "class C:\n" + "\n".join(lines(shape, 4)) + "\n        return\n"
    source = f"class C:\n    {_layout.flat(shape)}\n        return\n"
    assert black_formatted(source) == text


def test_annotations_are_read_as_unions_and_subscripts() -> None:
    assert annotation("models.Order") == "models.Order"
    assert annotation("dict[str, Any]") == Seq("dict", ("str", "Any"), "[")
    assert annotation(f"list[{LONG}] | None") == Union("", (Seq("list", (LONG,), "["), "None"))
    nested = "list[list[models.A | None] | None]"
    assert _layout.flat(annotation(nested)) == nested
    assert isinstance(annotation(nested), Seq)


def _name(rng: random.Random) -> str:
    return "models." + "".join(rng.choice("ABCDEFGH") for _ in range(rng.randint(1, 92)))


def _annotation(rng: random.Random, depth: int = 0) -> str:
    """What ``TypeMapper`` and the response unions write: models, builtins, lists, ``| None``."""
    roll = rng.random()
    if depth < 3 and roll < 0.35:
        text = f"list[{_annotation(rng, depth + 1)}]"
    elif depth < 3 and roll < 0.45:
        text = f"list[{_name(rng)} | None]"
    elif roll < 0.6:
        text = rng.choice(
            ["str", "int", "Any", "dict[str, Any]", "bytes | IO[bytes] | Iterable[bytes]"]
        )
    else:
        text = _name(rng)
    if rng.random() < 0.3:
        text += " | " + rng.choice(["None", _name(rng), f"list[{_name(rng)}]"])
    if rng.random() < 0.4 and not text.endswith("| None") and text != "Any":
        text += " | None"
    return text


def _positions(text: str) -> Iterator[tuple[Seq, int, str]]:
    """``text`` in each place the emitters write an annotation: (statement, indent, body)."""
    ret = "        return\n"
    yield (
        Seq(
            "def method",
            ("self", parameter(f"body: {text}"), "*", parameter(f"limit: {text} | None = None")),
            tail=" -> None:",
            is_def=True,
        ),
        4,
        ret,
    )
    yield Seq("def method", ("self", parameter("x: int")), tail=f" -> {text}:", is_def=True), 4, ret
    yield Seq("def method", ("self",), tail=f" -> Result[{text}]:", is_def=True), 4, ret
    expect = Seq("", (Pair("200: ", annotation(text)),), "{", literal=True)
    call = Seq("self._call", ('"op"', '"GET"', '"/p"', expect))
    yield Seq("return cast", ('"x"', call)), 8, ""
    expect = Seq("", (Pair("200: ", annotation(text)), Pair("201: ", "None")), "{", literal=True)
    yield Seq("self._call", ('"op"', '"GET"', '"/p"', expect)), 8, ""
    responses = Seq(
        "",
        (Pair("200: ", Seq("", (annotation(text), '"application/json"'), literal=True)),),
        "{",
        literal=True,
    )
    spec = Seq(
        "OperationSpec",
        ('operation_id="x"', Pair("body=", annotation(text)), Pair("responses=", responses)),
    )
    yield Seq("OPERATIONS = ", (Pair('"op": ', spec),), "{", literal=True, magic=True), 0, ""


@pytest.mark.parametrize("seed", range(4))
def test_annotations_in_every_position_are_laid_out_as_black_lays_them_out(seed: int) -> None:
    """Lists of unions of lists, long names on both sides of the limit, as a parameter (with
    and without a default), a return (bare and in ``Result[...]``), a dict value, a keyword
    and a tuple item: black (given the one-line form, or the written one where a trailing
    comma is part of it) lays each out as :func:`lines` does."""
    rng = random.Random(seed)
    for _ in range(12):
        text = _annotation(rng)
        for shape, indent, body in _positions(text):
            head = (
                ("class C:\n", "class C:\n    def f(self) -> None:\n")[indent // 4 - 1]
                if indent
                else ""
            )
            written = head + "\n".join(lines(shape, indent)) + "\n" + body
            one_line = head + " " * indent + _layout.flat(shape) + "\n" + body
            assert black_formatted(written if shape.magic else one_line) == written, text


@pytest.mark.parametrize("params", [1, 3, 9])
@pytest.mark.parametrize("returns", ["None", "Result[models.Thing]", "models." + "X" * 90])
def test_signatures_are_laid_out_as_black_lays_them_out(params: int, returns: str) -> None:
    names = ("self", *(f"parameter_{i}: str | None = None" for i in range(params - 1)))
    shape = Seq("def method_with_a_long_name", names, tail=f" -> {returns}:", is_def=True)
    body = '        """Doc."""\n        ...\n'
    text = "class C:\n" + "\n".join(lines(shape, 4)) + "\n" + body
    source = f"class C:\n    {_layout.flat(shape)}\n{body}"
    assert black_formatted(source) == text


@pytest.mark.parametrize(
    "text", ["plain", "it's", 'say "hi"', "both ' and \"", 'two "" one \'', "back\\slash", "é\n"]
)
def test_quote_is_a_literal_black_keeps(text: str) -> None:
    literal = quote(text)
    assert ast.literal_eval(literal) == text
    assert black_formatted(f"x = {literal}\n") == f"x = {literal}\n"


DOCSTRINGS = [
    "One line.",
    "  padded  ",
    '"Quoted" at the start',
    'ends with a "quote" ',
    "ends with a backslash \\\\",
    "first\n  second, indented\n    third, deeper\n",
    "first\n\tleading tab\n\n  trailing spaces   \n",
    "a long last line\n" + "word " * 19 + "end",
    "title\r\nwith a CRLF",
    "a backslash-newline \\\n continued",
]


@pytest.mark.parametrize("body", DOCSTRINGS)
@pytest.mark.parametrize("indent", [4, 8])
def test_docstrings_are_rewritten_as_black_rewrites_them(body: str, indent: int) -> None:
    head = "class C:\n" if indent == 4 else "class C:\n    def f(self) -> None:\n"
    source = f'{head}{" " * indent}"""{body}"""\n'
    assert black_formatted(source) == head + docstring(body, indent) + "\n"


@pytest.mark.parametrize("count", [2, 7, 12])
def test_imports_are_laid_out_as_black_lays_them_out(count: int) -> None:
    names = [f"ImportedName{i}" for i in range(count)]
    text = "\n".join(import_from("some.module", names)) + "\n"
    assert black_formatted(f"from some.module import {', '.join(names)}\n") == text


def test_a_table_written_with_a_trailing_comma_stays_one_item_a_line() -> None:
    table = Seq("T = ", ('"a": 1',), "{", literal=True, magic=True)
    assert black_formatted('T = {"a": 1,}\n') == "\n".join(lines(table, 0)) + "\n"


def test_generate_loads_neither_black_nor_what_it_does_not_use(tmp_path: Path) -> None:
    """``accord generate --contract`` start-up: no formatter, no workspace layer (its HTTP and
    process helpers), no validator library, no Pact or AsyncAPI model, no rich, no AsyncAPI
    emitters."""
    code = (
        "import sys; from accord.cli._app import main; sys.argv = ['accord', 'generate', "
        f"'--contract', 'contracts/openapi/orders.yaml', '--out', {str(tmp_path / 'pkg')!r}]\n"
        "try: main()\nexcept SystemExit: pass\n"
        "print(sorted(m for m in ('black', 'accord.workspace', 'jsonschema_rs', "
        "'accord.core._pact', 'accord.core._asyncapi', 'urllib.request', 'rich', "
        "'accord.codegen._events') if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout + proc.stderr
    assert (tmp_path / "pkg" / "client.py").is_file()
