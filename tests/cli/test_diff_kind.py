"""``accord diff`` tells AsyncAPI from OpenAPI by the first 64 KiB of a document, and reads
the whole document only when they do not say (a 30 MiB contract is not read a third time)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from accord.cli import _cmd_diff

OPTIONS = SimpleNamespace(max_bytes=32 * 1024 * 1024)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\n", True),
        ("# a comment first\nopenapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n", False),
        (json.dumps({"asyncapi": "2.6.0", "info": {"title": "t", "version": "1"}}), True),
        (json.dumps({"info": {"title": "t", "version": "1"}, "openapi": "3.1.0"}), False),
        (json.dumps({"info": {"title": "t"}, "openapi": "3.1.0"}, indent=2), False),
        (json.dumps({"info": {"asyncapi": "x"}, "openapi": "3.1.0"}, indent=2), False),
    ],
)
def test_the_kind_comes_from_the_start(tmp_path: Path, text: str, expected: bool) -> None:
    path = tmp_path / "doc.yaml"
    path.write_text(text)
    assert _cmd_diff._is_asyncapi(str(path), OPTIONS) is expected


def test_a_key_past_the_first_64_kib_is_found_by_reading_the_document(tmp_path: Path) -> None:
    path = tmp_path / "doc.yaml"
    filler = "".join(f"x-note-{n}: {'a' * 100}\n" for n in range(1000))  # ~110 KB first
    path.write_text(filler + "asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\n")
    assert _cmd_diff._is_asyncapi(str(path), OPTIONS) is True


def test_a_nested_key_named_asyncapi_is_not_the_document_kind(tmp_path: Path) -> None:
    path = tmp_path / "doc.yaml"
    path.write_text(
        "openapi: 3.0.3\ninfo:\n  asyncapi: no\n  title: t\n  version: '1'\npaths: {}\n"
    )
    assert _cmd_diff._is_asyncapi(str(path), OPTIONS) is False


def test_a_fifo_is_not_opened_for_sniffing(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    assert _cmd_diff._head(str(fifo), 65536) == b""  # returns at once, never blocks


def test_a_top_level_key_past_the_first_64_kib_is_found_without_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # keys sorted, as in Stripe's document: `openapi:` comes after `components:`
    path = tmp_path / "doc.yaml"
    filler = "".join(f"  s{n}: {{type: string, description: {'a' * 100}}}\n" for n in range(1000))
    path.write_text(f"components:\n{filler}info: {{title: t, version: '1'}}\nopenapi: 3.0.3\n")

    def parse(*_: object, **__: object) -> None:
        raise AssertionError("the document was parsed to learn its kind")

    monkeypatch.setattr("accord.core.load_source", parse)
    assert _cmd_diff._is_asyncapi(str(path), OPTIONS) is False
    path.write_text(f"components:\n{filler}asyncapi: 3.0.0\n")
    assert _cmd_diff._is_asyncapi(str(path), OPTIONS) is True


def test_both_kinds_at_column_zero_are_decided_by_parsing(tmp_path: Path) -> None:
    path = tmp_path / "doc.yaml"
    filler = "".join(f"x-note-{n}: {'a' * 100}\n" for n in range(1000))
    path.write_text(f'{filler}openapi: 3.0.3\ninfo: {{title: "a\nasyncapi: no", version: "1"}}\n')
    assert _cmd_diff._is_asyncapi(str(path), OPTIONS) is False
