"""Regular expressions run by a Rust engine: linear time, whatever the pattern or the text.

Pact matchers and schema ``pattern`` s come from documents, and the text they are run on from
requests: Python's backtracking ``re`` would let ``^(a+)+$`` on ``"a" * 30 + "!"`` hold a
server for minutes. jsonschema-rs's engine (Rust's ``regex``, with a bounded backtracker for
lookarounds and back references) answers at once, and says when it cannot read a pattern.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

__all__ = ["rust_regex"]


@functools.lru_cache(maxsize=2048)  # documents repeat their patterns
def rust_regex(pattern: str, *, whole: bool = False) -> Callable[[str], bool] | None:
    """A test of whether a text matches ``pattern`` (found anywhere in it, or the whole of
    it with ``whole``); None when the engine cannot read the pattern."""
    import jsonschema_rs  # noqa: PLC0415

    text = f"^(?:{pattern})$" if whole else pattern
    try:
        return jsonschema_rs.validator_for({"type": "string", "pattern": text}).is_valid
    except (jsonschema_rs.ValidationError, ValueError):
        return None
