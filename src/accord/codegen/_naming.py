"""Python names for contract names: operationIds, parameters, services."""

from __future__ import annotations

import keyword
import re

__all__ = ["class_name", "identifier", "snake", "title_class_name"]

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_INVALID = re.compile(r"[^0-9a-zA-Z_]+")


def snake(name: str) -> str:
    """``createOrder`` -> ``create_order``; ``Idempotency-Key`` -> ``idempotency_key``."""
    spaced = _CAMEL.sub("_", name)
    return identifier(_INVALID.sub("_", spaced).strip("_").lower())


def identifier(name: str) -> str:
    """A valid, non-keyword Python identifier close to ``name``."""
    cleaned = _INVALID.sub("_", name).strip("_") or "x"
    if cleaned[0].isdigit():
        cleaned = "_" + cleaned
    if keyword.iskeyword(cleaned) or keyword.issoftkeyword(cleaned) or cleaned in {"self", "body"}:
        cleaned += "_"
    return cleaned


def class_name(name: str) -> str:
    """``payments`` -> ``Payments``; ``order-history`` -> ``OrderHistory``."""
    parts = [p for p in _INVALID.split(name) if p]
    return identifier("".join(p[:1].upper() + p[1:] for p in parts) or "Service")


def title_class_name(title: str) -> str:
    """``Swagger Petstore - OpenAPI 3.0`` -> ``SwaggerPetstoreOpenAPI`` (numbers dropped)."""
    words = [p for p in _INVALID.split(title) if p and not p.isdigit()]
    return class_name(" ".join(words) or title)
