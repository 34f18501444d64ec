"""Media types, as the core exports them: the one implementation is :mod:`accord._media`
(layer 0, so the runtime's guard reads a ``Content-Type`` the same way)."""

from __future__ import annotations

from accord._media import (
    MediaRange,
    can_be_json,
    is_json_media,
    is_xml_media,
    media_compatible,
    media_type,
    parse_content_type,
    select_media,
)

__all__ = [
    "MediaRange",
    "can_be_json",
    "is_json_media",
    "is_xml_media",
    "media_compatible",
    "media_type",
    "parse_content_type",
    "select_media",
]
