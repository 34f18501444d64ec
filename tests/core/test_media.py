"""Content-type compatibility (RFC 6838 names, RFC 6839 suffixes, parameters): one answer
for HTTP bodies and for messages."""

from __future__ import annotations

import pytest

from accord.core import MediaRange, is_json_media, media_compatible

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
