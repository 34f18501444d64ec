"""A ~30 MiB document (just under the 32 MiB load limit) still gives exact positions.

The positions are what a reader of the text sees: each expected ``line:col`` is found
by searching the generated text for a unique marker, independently of the reader.
Not timed: ``benchmarks/bench_envelope.py`` holds the time and memory envelope.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accord.core import Contract, SourceFile, encode_pointer, load_source

#: one operation and its schema; every value that a test locates is unique per ``i``
PATH_ITEM = """\
  /items{i}/{{id}}:
    get:
      operationId: getItem{i}
      summary: "Item number {i}"
      tags: [tag{i}, shared]
      parameters:
        - name: id
          in: path
          required: true
          schema: {{type: string, maxLength: {i}}}
      responses:
        '200':
          description: item {i} found
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Item{i}'
"""
SCHEMA = """\
    Item{i}:
      type: object
      required: [id{i}]
      properties:
        id{i}:
          type: string
          description: |
            The identifier of item {i},
            over two lines.
        count{i}:
          type: integer
          minimum: {i}
"""
TARGET = 30 * 1024 * 1024


def _position(text: str, marker: str) -> tuple[int, int]:
    at = text.index(marker)
    assert text.find(marker, at + 1) == -1, f"marker {marker!r} is not unique"
    return text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[SourceFile, str, int]:
    unit = len(PATH_ITEM.format(i=10_000)) + len(SCHEMA.format(i=10_000))
    n = TARGET // unit
    head = "openapi: 3.0.3\ninfo:\n  title: Big\n  version: '1'\npaths:\n"
    paths = "".join(PATH_ITEM.format(i=i) for i in range(n))
    schemas = "".join(SCHEMA.format(i=i) for i in range(n))
    text = head + paths + "components:\n  schemas:\n" + schemas + "x-last: &end last\n"
    path = tmp_path_factory.mktemp("big") / "big.yaml"
    path.write_text(text, "utf-8")
    return load_source(path), text, n


@pytest.mark.slow
def test_a_30_mib_document_gives_exact_positions(big: tuple[SourceFile, str, int]) -> None:
    source, text, n = big
    assert 28 * 1024 * 1024 < len(text) < 32 * 1024 * 1024
    assert len(source.data["paths"]) == n
    for i in (0, 1, n // 2, n - 1):
        op = ["paths", f"/items{i}/{{id}}", "get"]
        schema = ["components", "schemas", f"Item{i}"]
        # (marker, offset of the value in it): a scalar points at its value (at `|` for a
        # block scalar), a block collection at its key, a flow sequence item at the item
        cases = {
            (*op, "summary"): (f'"Item number {i}"', 0),
            (*op, "operationId"): (f"getItem{i}\n", 0),
            (*op, "responses", "200", "description"): (f"item {i} found", 0),
            (*op, "tags", 0): (f"tag{i},", 0),
            (*op, "parameters", 0, "schema", "maxLength"): (f"maxLength: {i}}}", 11),
            (*schema, "required", 0): (f"id{i}]", 0),
            (*schema, "properties", f"id{i}", "description"): (
                f"|\n            The identifier of item {i},",
                0,
            ),
            (*schema, "properties", f"count{i}"): (f"count{i}:", 0),
            (*schema, "properties", f"count{i}", "minimum"): (f"minimum: {i}\n", 9),
        }
        for parts, (marker, offset) in cases.items():
            line, col = _position(text, marker)
            loc = source.locate(encode_pointer(list(parts)))
            assert (loc.line, loc.column) == (line, col + offset), (parts, marker)
        key = source.source_map.locate_key(encode_pointer([*op, "summary"]))
        line, col = _position(text, f'"Item number {i}"')
        assert (key.line, key.column) == (line, col - len("summary: "))
        missing = source.locate(encode_pointer([*op, "responses", "404", "description"]))
        responses = source.locate(encode_pointer([*op, "responses"]))
        assert (missing.line, missing.column) == (responses.line, responses.column)
    last = source.locate("/x-last")
    assert (last.line, last.column) == _position(text, "&end last")


@pytest.mark.slow
def test_a_30_mib_json_document_is_located_on_demand(
    big: tuple[SourceFile, str, int], tmp_path: Path
) -> None:
    source, _, n = big
    text = json.dumps(source.data)  # one line of ~25 MiB: large columns
    doc = tmp_path / "big.json"
    doc.write_text(text, "utf-8")
    contract = Contract.from_path(doc)
    i = n - 1
    op = contract.operation("get", f"/items{i}/{{id}}")
    assert op is not None
    loc = op.place.child("summary").locate()
    assert (loc.line, loc.column) == _position(text, f'"Item number {i}"')
