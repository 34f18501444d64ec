"""One bounded JSON reader (and writer) for every surface that reads untrusted JSON.

:func:`read_json` refuses nesting deeper than ``max_depth`` *before* parsing: orjson
stops at 1024 levels with its own error and ``json`` recurses until ``RecursionError``,
so neither may see a body of 100,000 ``[``. The scan is one C-speed regular expression
over brackets and strings (brackets inside strings do not count). Integers past 64
bits stay exact: orjson would read them as floats, so a run of 19 digits sends the text
to ``json``. Every failure is a :class:`JSONError` whose message completes "the body
is ...".
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

__all__ = ["DEFAULT_MAX_DEPTH", "JSONError", "JSONTooDeep", "dump_json", "nesting", "read_json"]

#: deep enough for any real document or request body
DEFAULT_MAX_DEPTH = 64


class JSONError(ValueError):
    """Bytes that are not acceptable JSON; ``str(error)`` completes "the body is ..."."""


class JSONTooDeep(JSONError):
    """JSON nested deeper than the reader's ``max_depth``."""


#: a string (skipped whole) or one bracket
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)
#: 19 digits in a row: maybe an integer past 64 bits, which only json reads exactly
_LONG_NUMBER = re.compile(r"\d{19}")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


#: one decoder for every read (``json.loads`` with options builds a new one per call)
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
#: one encoder for every write (``json.dumps`` with options builds a new one per call)
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def nesting(text: str, stop: int | None = None) -> int:
    """How deep arrays and objects nest in ``text`` (counting stops once past ``stop``)."""
    depth = deepest = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop is not None and deepest > stop:
                    break
        elif token in "]}":
            depth -= 1
    return deepest


def read_json(data: bytes | str, *, max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """``data`` as a value; raises :class:`JSONError` for bad UTF-8, JSON or nesting."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JSONError(f"not valid UTF-8: {exc.reason} at byte {exc.start}") from None
    else:
        text = data
    # cheap first: only text with more brackets than the limit is scanned exactly
    if text.count("[") + text.count("{") > max_depth and nesting(text, max_depth) > max_depth:
        raise JSONTooDeep(f"JSON that nests deeper than {max_depth} levels")
    if _LONG_NUMBER.search(text) is None:  # orjson turns integers past 64 bits into floats
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass  # json says why
    try:
        if text.startswith("\ufeff"):  # what json.loads says about a byte order mark
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        return _DECODER.decode(text)
    except RecursionError:  # unreachable after the scan above; kept as a last line
        raise JSONTooDeep(f"JSON that nests deeper than {max_depth} levels") from None
    except ValueError as exc:
        raise JSONError(f"not valid JSON: {exc}") from None


def dump_json(value: Any) -> bytes:
    """Compact UTF-8 JSON (integers past 64 bits and non-string keys included)."""
    try:
        return orjson.dumps(value)
    except TypeError:  # beyond orjson: integers past 64 bits, keys that are not strings
        return _ENCODER.encode(value).encode()
