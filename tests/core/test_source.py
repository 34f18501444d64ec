"""Reading YAML/JSON into plain data with a source map (accord.core._source)."""

from __future__ import annotations

import contextlib
import gc
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from accord._errors import AliasBombError, DocumentTooLarge, LoadError
from accord.core import decode_pointer, encode_pointer, load_source
from tests.core.helpers import WriteFile

SPEC = """\
    openapi: 3.0.3
    info:
      title: Shop
    paths:
      /orders/{id}:
        get:
          summary: Get one
          tags:
            - orders
            - admin
    """

JSON_SPEC = """\
    {
      "a": {
        "b": [1, {"c": 2}]
      }
    }
    """


# loading --------------------------------------------------------------------------------


def test_yaml_loads_as_plain_data(write: WriteFile) -> None:
    source = load_source(write("api.yaml", SPEC))
    assert source.format == "yaml"
    assert source.data["info"] == {"title": "Shop"}
    assert source.data["paths"]["/orders/{id}"]["get"]["tags"] == ["orders", "admin"]
    assert source.duplicate_keys == []


def test_json_loads_as_plain_data(write: WriteFile) -> None:
    source = load_source(write("doc.json", JSON_SPEC))
    assert source.format == "json"
    assert source.data == {"a": {"b": [1, {"c": 2}]}}


def test_json_is_detected_by_content_not_suffix(write: WriteFile) -> None:
    source = load_source(write("doc.yaml", '{"openapi": "3.1.0"}'))
    assert source.format == "json"
    assert source.data == {"openapi": "3.1.0"}


# source map -----------------------------------------------------------------------------


def test_yaml_locate_gives_line_and_column_of_the_value(write: WriteFile) -> None:
    source = load_source(write("api.yaml", SPEC))
    loc = source.locate("/paths/~1orders~1{id}/get/summary")
    assert (loc.line, loc.column) == (7, 16)
    assert loc.pointer == "/paths/~1orders~1{id}/get/summary"
    assert loc.file.endswith("api.yaml")


def test_yaml_locate_sequence_item_and_parts_form(write: WriteFile) -> None:
    source = load_source(write("api.yaml", SPEC))
    loc = source.locate(["paths", "/orders/{id}", "get", "tags", 1])
    assert (loc.line, loc.column) == (10, 11)
    assert loc.pointer == "/paths/~1orders~1{id}/get/tags/1"


def test_locate_missing_pointer_falls_back_to_closest_ancestor(write: WriteFile) -> None:
    source = load_source(write("api.yaml", SPEC))
    loc = source.locate("/paths/~1orders~1{id}/post/summary")
    item = source.locate("/paths/~1orders~1{id}")
    assert (loc.line, loc.column) == (item.line, item.column)
    assert loc.line == 5  # libyaml marks a block mapping where its parent's key starts
    assert loc.pointer == "/paths/~1orders~1{id}/post/summary"


def test_locate_key_points_at_the_key_not_the_value(write: WriteFile) -> None:
    source = load_source(write("api.yaml", SPEC))
    key = source.source_map.locate_key("/info/title")
    value = source.locate("/info/title")
    assert (key.line, key.column) == (3, 3)
    assert (value.line, value.column) == (3, 10)


def test_json_source_map_is_composed_lazily(write: WriteFile) -> None:
    source = load_source(write("doc.json", JSON_SPEC))
    assert source.source_map._positions is None  # nothing read until a location is wanted
    loc = source.locate("/a/b/1/c")
    assert (loc.line, loc.column) == (3, 20)
    assert source.source_map._positions is not None


def test_location_str_has_file_line_col_and_pointer(write: WriteFile) -> None:
    source = load_source(write("api.yaml", SPEC))
    text = str(source.locate("/info/title"))
    assert text.endswith("api.yaml:3:10")


# YAML 1.2 core schema -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("2024-01-01", "2024-01-01"),
        ("12:30", "12:30"),
        ("1e3", 1000.0),
        ('"100"', "100"),
        ("'100'", "100"),
        ("100", 100),
        ("010", 10),
        ("0x1F", 31),
        ("0o17", 15),
        ("1.5", 1.5),
        ("true", True),
        ("False", False),
        ("~", None),
        ("null", None),
        (".inf", math.inf),
        ("-.inf", -math.inf),
    ],
)
def test_yaml_12_core_schema_scalars(write: WriteFile, literal: str, expected: object) -> None:
    value = load_source(write("s.yaml", f"v: {literal}\n")).data["v"]
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize("literal", [".nan", ".NaN", ".NAN"])
def test_yaml_12_nan_is_a_float(write: WriteFile, literal: str) -> None:
    value = load_source(write("s.yaml", f"v: {literal}\n")).data["v"]
    assert isinstance(value, float)
    assert math.isnan(value)


def test_yaml_12_upper_case_inf_is_a_float(write: WriteFile) -> None:
    assert load_source(write("s.yaml", "v: .INF\n")).data["v"] == math.inf


def test_mapping_keys_are_always_strings(write: WriteFile) -> None:
    data = load_source(write("s.yaml", "200: ok\n404: missing\ntrue: t\n1.5: f\n")).data
    assert data == {"200": "ok", "404": "missing", "true": "t", "1.5": "f"}


# errors ---------------------------------------------------------------------------------


def test_invalid_utf8_is_a_load_error_with_line_and_column(write: WriteFile) -> None:
    path = write("bad.yaml", b"a: 1\nb: caf\xe9\n")
    with pytest.raises(LoadError, match="invalid UTF-8") as info:
        load_source(path)
    assert info.value.location is not None
    assert (info.value.location.line, info.value.location.column) == (2, 7)


def test_malformed_yaml_is_a_load_error_with_line(write: WriteFile) -> None:
    path = write("bad.yaml", "a: 1\nb: [1, 2\nc: 3\n")
    with pytest.raises(LoadError, match="malformed YAML") as info:
        load_source(path)
    assert info.value.location is not None
    assert info.value.location.line == 3


def test_malformed_json_is_a_load_error_with_line_and_column(write: WriteFile) -> None:
    path = write("bad.json", '{"a": 1,\n "b": [1, 2,]}')
    with pytest.raises(LoadError, match="malformed JSON") as info:
        load_source(path)
    assert info.value.location is not None
    assert (info.value.location.line, info.value.location.column) == (2, 13)


def test_missing_file_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no such file") as info:
        load_source(tmp_path / "nope.yaml")
    assert info.value.location is not None
    assert info.value.location.file.endswith("nope.yaml")


def test_directory_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="directory"):
        load_source(tmp_path)


def test_file_over_max_bytes_is_document_too_large(write: WriteFile) -> None:
    path = write("big.yaml", "a: " + "x" * 100 + "\n")
    with pytest.raises(DocumentTooLarge, match="limit"):
        load_source(path, max_bytes=10)
    assert issubclass(DocumentTooLarge, LoadError)
    # exactly at the limit is fine
    assert load_source(path, max_bytes=path.stat().st_size).data == {"a": "x" * 100}


# aliases --------------------------------------------------------------------------------


def test_billion_laughs_alias_bomb_is_refused(write: WriteFile) -> None:
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 10):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    path = write("bomb.yaml", "\n".join(lines) + "\n")
    with pytest.raises(AliasBombError, match="alias bomb"):
        load_source(path)


@pytest.mark.parametrize("text", ["a: &a [*a]\n", "a: &a\n  b: *a\n"])
def test_recursive_alias_is_refused(write: WriteFile, text: str) -> None:
    with pytest.raises(AliasBombError, match="recursive") as info:
        load_source(write("rec.yaml", text))
    assert info.value.location is not None
    assert info.value.location.line == 1


def test_harmless_aliases_still_load(write: WriteFile) -> None:
    text = """\
        defaults: &d
          type: string
          maxLength: 10
        a: *d
        b: *d
        list: &l [1, 2]
        c: *l
        """
    data = load_source(write("ok.yaml", text)).data
    assert data["a"] == data["b"] == data["defaults"] == {"type": "string", "maxLength": 10}
    assert data["c"] == [1, 2]


# depth ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["[" * 100_000, "[" * 100_000 + "]" * 100_000])
def test_deeply_nested_json_is_a_load_error_not_recursion_error(
    write: WriteFile, text: str
) -> None:
    with pytest.raises(LoadError, match="nests too deeply"):
        load_source(write("deep.json", text))


def test_deeply_nested_yaml_is_a_load_error_not_a_crash(write: WriteFile) -> None:
    # run in a child interpreter: a crash (e.g. a C stack overflow) must fail this test,
    # not kill the whole test session
    path = write("deep.yaml", "a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    script = textwrap.dedent(
        f"""
        from accord._errors import LoadError
        from accord.core import load_source
        try:
            load_source({str(path)!r})
        except LoadError as exc:
            print("LoadError:", exc)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, f"interpreter died with {done.returncode}: {done.stderr[-500:]}"
    assert "LoadError:" in done.stdout


# duplicates, BOM, pointers --------------------------------------------------------------


def test_duplicate_yaml_keys_are_recorded_and_last_wins(write: WriteFile) -> None:
    source = load_source(write("dup.yaml", "a: 1\na: 2\nb:\n  c: 1\n  c: 3\n"))
    assert source.data == {"a": 2, "b": {"c": 3}}
    assert [pointer for pointer, _ in source.duplicate_keys] == ["/a", "/b/c"]
    assert "duplicate key 'c'" in source.duplicate_keys[1][1]


def test_duplicate_json_keys_are_recorded_too(write: WriteFile) -> None:
    source = load_source(write("dup.json", '{"a": 1, "b": {"c": 1, "c": 3}}'))
    assert source.data == {"a": 1, "b": {"c": 3}}
    assert [pointer for pointer, _ in source.duplicate_keys] == ["/b/c"]


@pytest.mark.parametrize(
    ("name", "body"), [("bom.yaml", b"a: 1\nb: [x]\n"), ("bom.json", b'{"a": 1, "b": ["x"]}')]
)
def test_utf8_bom_is_accepted(write: WriteFile, name: str, body: bytes) -> None:
    source = load_source(write(name, b"\xef\xbb\xbf" + body))
    assert source.data == {"a": 1, "b": ["x"]}
    loc = source.locate("/a")
    assert loc.line == 1


def test_pointer_encoding_round_trips_tilde_and_slash() -> None:
    parts: list[str | int] = ["paths", "/orders/{id}", "a~b", 0]
    pointer = encode_pointer(parts)
    assert pointer == "/paths/~1orders~1{id}/a~0b/0"
    assert decode_pointer(pointer) == ["paths", "/orders/{id}", "a~b", "0"]
    assert decode_pointer("#" + pointer) == decode_pointer(pointer)
    assert decode_pointer("") == []
    with pytest.raises(ValueError, match="starts with '/'"):
        decode_pointer("paths")


@pytest.mark.parametrize(
    "anchor",
    [
        '{"l0":&l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
        "l0: !!seq &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
        "l0:\n  &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
    ],
)
def test_alias_bombs_are_refused_wherever_the_anchor_sits(write: WriteFile, anchor: str) -> None:
    """Documents without anchors skip the alias walk; every place an anchor can sit keeps it."""
    flow = anchor.startswith("{")
    lines = [anchor]
    for level in range(1, 10):
        seq = "[" + ", ".join([f"*l{level - 1}"] * 9) + "]"
        lines.append(f'"l{level}":&l{level} {seq}' if flow else f"l{level}: &l{level} {seq}")
    text = (",\n".join(lines) + "}\n") if flow else ("\n".join(lines) + "\n")
    with pytest.raises(AliasBombError, match="alias bomb"):
        load_source(write("bomb.yaml", text))


def test_a_document_with_ampersands_but_no_anchor_loads(write: WriteFile) -> None:
    text = "a: Terms & Conditions\nb: 'R&D &amp; more'\nc: [x&y, '& z']\n"
    assert load_source(write("amp.yaml", text)).data["a"] == "Terms & Conditions"


# the collector pause ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["a: [1, {b: 2}]\n", "a: [1\n", "a: &x [*x]\n"])
@pytest.mark.parametrize("enabled", [True, False])
def test_reading_leaves_the_garbage_collector_as_it_found_it(
    write: WriteFile, text: str, enabled: bool
) -> None:
    """Reading pauses the cyclic GC (millions of objects, no cycles), errors or not."""
    was = gc.isenabled()
    try:
        if not enabled:
            gc.disable()
        with contextlib.suppress(LoadError):
            load_source(write("doc.yaml", text))
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()
