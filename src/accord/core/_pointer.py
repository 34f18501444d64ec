"""JSON pointers (RFC 6901): how every place in a contract is named."""

from __future__ import annotations

__all__ = ["decode_pointer", "encode_pointer"]


def encode_pointer(parts: tuple[str | int, ...] | list[str | int]) -> str:
    """Build a JSON pointer (RFC 6901) from path parts."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def decode_pointer(pointer: str) -> list[str]:
    """Split a JSON pointer into its unescaped parts (``""`` is the root)."""
    if pointer in ("", "#"):
        return []
    if pointer.startswith("#"):
        pointer = pointer[1:]
    if not pointer.startswith("/"):
        raise ValueError(f"a JSON pointer starts with '/': {pointer!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/")]
