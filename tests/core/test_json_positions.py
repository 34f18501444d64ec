"""JSON source positions (read lazily, collection by collection) agree with the YAML
reader's on every value and every key: the YAML reader is the oracle, since every JSON
text is also YAML and it was what located JSON findings before."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from accord.core._json_positions import JsonPositions
from accord.core._pointer import encode_pointer
from accord.core._source import SourceMap, parse_source
from accord.core._yaml import read_yaml
from tests.conftest import CORPUS


def _pointers(value: Any, parts: list[str | int]) -> Iterator[str]:
    yield encode_pointer(parts)
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _pointers(child, [*parts, key])
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _pointers(child, [*parts, i])


def _disagreements(text: str, limit: int = 5) -> list[str]:
    """Pointers (and the two answers) where the JSON index and the YAML reader differ."""
    _, positions, _ = read_yaml(text, "doc.json")
    by_yaml = SourceMap("doc.json", positions)
    by_json = SourceMap("doc.json", JsonPositions(text))
    data = json.loads(text)
    wrong = []
    extra = ["/nope", "/0/nope", "/a/b/c/d"]  # absent: the closest ancestor, by both
    for pointer in [*_pointers(data, []), *extra]:
        for how in ("locate", "locate_key"):
            if pointer == "" and how == "locate_key":
                continue
            want, got = getattr(by_yaml, how)(pointer), getattr(by_json, how)(pointer)
            if want != got:
                wrong.append(f"{how}({pointer!r}): yaml {want}, json {got}")
                if len(wrong) >= limit:
                    return wrong
    return wrong


CASES = {
    "minified": '{"a":{"b":[1,2,{"c":null}],"d":"x"},"e":[]}',
    "pretty": json.dumps({"a": {"b": [1, 2, {"c": None}], "d": "x"}, "e": [], "f": {}}, indent=2),
    "crlf": '{\r\n  "a": [\r\n    1,\r\n    "two"\r\n  ],\r\n  "b": {"c": true}\r\n}\r\n',
    "lone cr": '{\r"a": 1,\r"b": [2,\r3]}',
    "escapes in keys and values": r'{"a\"b": {"c\\d": "e\"}f", "~/": [" ]}{,"]}, "\u00e9": 1}',
    "non-ascii columns": '{"ключ": "значение", "b": {"日本": ["語", "x"]}, "c": "\U0001f600"}',
    "unicode line breaks inside strings": '{"a": "x\u2028y\u2029z\x85w",\n "b": {"c": 1}}',
    "escaped control characters": '{"a": "x\\fy\\u000bz\\u001c",\n"b": [1,\n2]}',
    "leading whitespace": '\n\n {"a" : [ 1 , {\n"b"  :  2 } ] ,"c":{ } }',
    "numbers and literals": '{"a": -1.5e10, "b": [true, false, null, 0, 1E-2], "c": {"d": 1e999}}',
    "array root": '[{"a": 1}, [2, [3, {"b": "c"}]], "d", []]',
    "scalar root": '"just a string"',
    "deep": '{"a":' * 60 + "1" + "}" * 60,
}


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_json_positions_match_the_yaml_readers_everywhere(text: str) -> None:
    assert _disagreements(text) == []


def test_tabs_which_the_yaml_reader_refuses_are_located_too() -> None:
    # libyaml cannot read this JSON (a tab where YAML wants indentation), so JSON findings
    # in such a file used to be placed at 1:1
    text = '{\n\t"a": {\n\t\t"b": [1,\t2]\n\t}\n}'
    smap = SourceMap("t.json", JsonPositions(text))
    assert str(smap.locate("/a/b/1")) == "t.json:3:12"
    assert str(smap.locate_key("/a/b")) == "t.json:3:3"
    assert str(smap.locate("")) == "t.json:1:1"


def test_an_absent_child_is_located_at_its_closest_ancestor() -> None:
    text = '{"paths": {\n  "/a": {"get": {}}}}'
    smap = SourceMap("x.json", JsonPositions(text))
    assert (smap.locate("/paths/~1a/post").line, smap.locate("/paths/~1a/post").column) == (2, 9)
    assert smap.locate("/paths/~1a/get/0").column == 17  # an object has no item 0
    assert smap.locate_key("/paths/~1a").column == 3


def test_the_source_map_of_a_json_file_indexes_little_beyond_what_is_asked_for() -> None:
    # the first location reads the top levels in one pass (each deeper value is skipped
    # by the C scanner); deeper collections are read only on the paths asked for
    body = {f"k{i}": {"a": {"b": {"c": {"d": {"e": {"z": i}}}}}} for i in range(200)}
    text = json.dumps(body)
    source = parse_source(text.encode(), "big.json")
    location = source.locate("/k150/a/b/c/d/e/z")
    assert location.line == 1 and text.find('"z": 150') + 6 == location.column
    index = source.source_map._index()
    assert isinstance(index, JsonPositions)
    deep = {m.start() for m in re.finditer(r'\{"e"', text)}  # the 200 `d` objects
    assert len(deep) == 200 and len(deep & set(index._members)) == 1
    # a wide document is read within a bound, not whole
    wide = json.dumps({f"k{i}": {"v": [i, {"w": i}]} for i in range(30_000)})
    source = parse_source(wide.encode(), "wide.json")
    assert source.locate("/k7/v/1/w").column == wide.find('"w": 7}') + 6
    index = source.source_map._index()
    assert isinstance(index, JsonPositions) and len(index._members) < 25_000


def _corpus_json() -> list[Path]:
    files = []
    for path in sorted((CORPUS).rglob("*.json")):
        if path.stat().st_size <= 3_000_000:
            files.append(path)
    return files


@pytest.mark.slow
def test_json_positions_match_the_yaml_readers_on_every_corpus_json_file() -> None:
    files = _corpus_json()
    assert len(files) > 500, "the shared corpus is missing"
    compared, wrong = 0, {}
    for path in files:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        try:
            data = json.loads(text)
            _, _, duplicates = read_yaml(text, path.name)
        except Exception:  # not JSON, or not YAML either: nothing to compare
            continue
        if duplicates or not isinstance(data, dict | list):
            continue  # duplicate keys are located by the YAML reader itself
        compared += 1
        found = _disagreements(text, limit=2)
        if found:
            wrong[str(path.relative_to(CORPUS))] = found
    assert compared > 500
    assert wrong == {}
