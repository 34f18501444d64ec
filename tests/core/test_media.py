"""Content-type compatibility (RFC 6838 names, RFC 6839 suffixes, parameters): one answer
for HTTP bodies and for messages."""

from __future__ import annotations

from typing import Any

import pytest

from accord.core import (
    MediaRange,
    can_be_json,
    is_json_media,
    is_xml_media,
    media_compatible,
    parse_content_type,
)

COMPATIBLE = [
    ("application/json", "application/json"),
    ("Application/JSON ; charset=UTF-8", "application/json"),
    ("application/json; charset=utf-8", "application/json; charset=iso-8859-1"),  # RFC 8259 §11
    ("application/vnd.schemaregistry.v1+json", "application/json"),
    ("application/json", "application/vnd.schemaregistry.v1+json"),
    ("application/vnd.apache.avro+json", "application/json"),
    ("application/problem+json", "application/json"),
    ("application/merge-patch+json", "application/*+json"),
    ("application/json", "application/*+json"),
    ("application/vnd.api+json; version=2", "application/vnd.api+json; version=2"),
    ("application/vnd.api+json; version=2", "application/vnd.api+json"),
    ("application/vnd.api+json", "application/json; version=2"),
    ("text/plain; charset=utf-8", "text/plain; charset=UTF-8"),
    ("text/plain; charset=utf-8", "text/plain"),
    ("application/xml", "*/*"),
    ("*/*", "application/json"),
    ("text/csv", "text/*"),
    ('application/json; version="2"', "application/json;version=2"),
    ("application/json; q=0.5", "application/json; q=1"),
]
INCOMPATIBLE = [
    ("text/plain", "application/json"),
    ("application/xml", "application/json"),
    ("application/hal+json", "application/problem+json"),  # two specific types
    ("application/vnd.a+json", "application/vnd.b+json"),
    ("application/vnd.apache.avro+binary", "application/json"),
    ("application/x-ndjson", "application/json"),
    ("application/json; version=1", "application/json; version=2"),
    ("application/vnd.api+json; version=1", "application/json; version=2"),
    ("text/plain; charset=utf-8", "text/plain; charset=iso-8859-1"),
    ("text/json", "application/json"),
    ("application/soap+xml", "application/*+json"),
]


@pytest.mark.parametrize(("actual", "documented"), COMPATIBLE)
def test_compatible(actual: str, documented: str) -> None:
    assert media_compatible(actual, documented)


@pytest.mark.parametrize(("actual", "documented"), INCOMPATIBLE)
def test_incompatible(actual: str, documented: str) -> None:
    assert not media_compatible(actual, documented)
    assert not media_compatible(documented, actual)


def test_json_is_the_json_type_and_every_json_suffix() -> None:
    for value in ("application/json", "application/vnd.schemaregistry.v1+json; version=1",
                  "application/problem+json", "model/gltf+json"):  # fmt: skip
        assert is_json_media(value), value
    for value in ("application/x-ndjson", "application/xml", "text/plain", "*/*", ""):
        assert not is_json_media(value), value


def test_a_range_is_parsed_into_type_subtype_suffix_and_parameters() -> None:
    parsed = MediaRange.parse('Application/Vnd.Schemaregistry.V1+JSON; Version="1"; charset=x')
    assert (parsed.type, parsed.subtype, parsed.suffix) == (
        "application",
        "vnd.schemaregistry.v1+json",
        "json",
    )
    assert parsed.params == (("version", "1"), ("charset", "x"))


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("application/json", ("application", "json", ())),
        ("  Application/JSON ; Charset=UTF-8  ", ("application", "json", (("charset", "UTF-8"),))),
        ('text/plain; a="x;y, z"; b=1', ("text", "plain", (("a", "x;y, z"), ("b", "1")))),
        ('text/plain; a="q\\"z"', ("text", "plain", (("a", 'q"z'),))),
        ("text/plain;;", ("text", "plain", ())),
        ("*/*", ("*", "*", ())),
    ],
)
def test_a_content_type_is_read_strictly(header: str, expected: tuple[str, str, Any]) -> None:
    parsed = parse_content_type(header)
    assert parsed is not None
    assert (parsed.type, parsed.subtype, parsed.params) == expected


@pytest.mark.parametrize(
    "header",
    ["", " ", ";", "application", "application/", "/json", "application json",
     "application/json/x", "application/json; charset", 'text/plain; a="open',
     "application/json, text/plain", "text/plain; a=b c", "t\u00e9xt/plain"],
)  # fmt: skip
def test_a_malformed_content_type_is_none(header: str) -> None:
    assert parse_content_type(header) is None


def test_json_ranges_and_xml_types() -> None:
    for value in ("*/*", "application/*", "application/*+json", "application/json"):
        assert can_be_json(value), value
    for value in ("text/*", "text/plain", "application/xml", "image/*"):
        assert not can_be_json(value), value
    for value in ("application/xml", "text/xml", "image/svg+xml", "Application/Atom+XML"):
        assert is_xml_media(value), value
    assert not is_xml_media("application/json")


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("application/json", "json"),
        ("Application/Vnd.Api+JSON; charset=utf-8", "json"),
        ("text/json", "json"),  # Swashbuckle documents it beside application/json
        ("application/*+json", "json"),
        ("application/x-www-form-urlencoded; charset=utf-8", "form"),
        ("Multipart/Form-Data; boundary=x", "multipart"),
        ("text/plain", "text"),
        ("application/problem+xml", "text"),
        ("application/yaml", "text"),
        ("application/cbor", "binary"),
        ("application/x-ndjson", "binary"),
        ("*/*", "binary"),
        ("application/*", "binary"),
    ],
)
def test_the_syntax_of_a_body(value: str, kind: str) -> None:
    """One answer for codegen (how a client sends a body) and diff (whether a type change
    matters on the wire)."""
    from accord._media import media_kind  # noqa: PLC0415

    assert media_kind(value) == kind


def test_an_accept_header_is_split_outside_quoted_strings() -> None:
    from accord._media import parse_accept  # noqa: PLC0415

    found = parse_accept('text/csv; note="a, b;q=0"; q=0.5, application/json;q=x, bad, */*;q=0')
    assert [(r.media.essence, r.media.params, r.q) for r in found] == [
        ("text/csv", (("note", "a, b;q=0"),), 0.5),
        ("application/json", (), 1.0),  # an unreadable weight counts as 1
        ("*/*", (), 0.0),
    ]
