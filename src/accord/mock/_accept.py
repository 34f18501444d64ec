"""Proactive content negotiation (RFC 9110 section 12.5.1): which offered media types an
``Accept`` header prefers.

The header is read by :func:`accord._media.parse_accept` (a comma or a semicolon inside a
quoted parameter value splits nothing). Media-range parameters are ignored for matching;
only ``q`` weighs. A type is
weighed by the most specific range that matches it (``text/plain`` before
``text/*`` before ``*/*``). A header with no readable range (``""``, ``foo``)
accepts anything, as most servers treat it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from accord._media import MediaRange as ContentType
from accord._media import parse_accept as read_accept

__all__ = ["MediaRange", "accepts_anything", "parse_accept", "preferred"]


@dataclass(slots=True, frozen=True)
class MediaRange:
    """One element of ``Accept``: ``type/subtype`` (either may be ``*``) and its weight."""

    type: str
    subtype: str
    q: float

    def specificity(self, type_: str, subtype: str) -> int:
        """How exactly this range names ``type_/subtype`` (2, 1, 0), or -1 when it does not.

        An offered wildcard (a contract documenting ``*/*`` or ``image/*``) matches
        every range that overlaps it.
        """
        if not (_overlap(self.type, type_) and _overlap(self.subtype, subtype)):
            return -1
        return (self.type != "*") + (self.subtype != "*")


def accepts_anything(header: str | None) -> bool:
    """The cheap check of the hot path: no ``Accept``, an empty one, or ``*/*``."""
    return header is None or header == "*/*" or not header.strip()


@functools.lru_cache(maxsize=256)
def parse_accept(header: str) -> tuple[MediaRange, ...]:
    """The readable ranges of an ``Accept`` header, in the order sent, as
    :func:`accord._media.parse_accept` reads them (quoted strings split nothing)."""
    return tuple(MediaRange(r.media.type, r.media.subtype, r.q) for r in read_accept(header))


def preferred(header: str, offered: Sequence[str]) -> list[int]:
    """Indices of the ``offered`` media types ``header`` accepts, best first.

    Equal weights keep the order of ``offered``; an unreadable header accepts all.
    """
    ranges = parse_accept(header)
    if not ranges:
        return list(range(len(offered)))
    weights: list[tuple[float, int]] = []
    for index, name in enumerate(offered):
        q = _quality(ranges, name)
        if q > 0:
            weights.append((-q, index))
    return [index for _, index in sorted(weights)]


def _quality(ranges: tuple[MediaRange, ...], name: str) -> float:
    offered = ContentType.parse(name)
    type_, subtype = offered.type, offered.subtype or "*"
    if type_ == "*" or subtype == "*":  # the contract can answer in several types
        return max((r.q for r in ranges if r.specificity(type_, subtype) >= 0), default=0.0)
    best, q = -1, 0.0
    for found in ranges:
        level = found.specificity(type_, subtype)
        if level >= 0 and (level > best or (level == best and found.q > q)):
            best, q = level, found.q
    return q


def _overlap(one: str, other: str) -> bool:
    return one == other or "*" in (one, other)
