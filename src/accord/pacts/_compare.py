"""What differs between the pacts the consumer tests write and the committed ones."""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.pacts._files import consumer_of, merge_pacts, read_pact_dir

__all__ = ["VOLATILE_METADATA", "PactDrift", "comparable", "compare_pacts"]

#: ``metadata`` members that name library versions: they change on an upgrade, not with
#: the contract, so the comparison ignores them
VOLATILE_METADATA = ("pactRust", "pact-python", "pactPython", "pact-js", "pact-jvm")
#: per-interaction members that some pact libraries derive from the rest (a hash)
VOLATILE_INTERACTION = ("key",)


def comparable(doc: Mapping[str, Any]) -> dict[str, Any]:
    """``doc`` without its volatile members, interactions in file order."""
    out = copy.deepcopy(dict(doc))
    metadata = out.get("metadata")
    if isinstance(metadata, dict):
        for key in VOLATILE_METADATA:
            metadata.pop(key, None)
    for interaction in out.get("interactions") or []:
        if isinstance(interaction, dict):
            for key in VOLATILE_INTERACTION:
                interaction.pop(key, None)
    return next(iter(merge_pacts([out]).values()))


def _first_difference(left: Any, right: Any, pointer: str = "") -> tuple[str, Any, Any] | None:
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(set(left) | set(right)):
            if key not in left or key not in right:
                return f"{pointer}/{key}", left.get(key, "<absent>"), right.get(key, "<absent>")
            found = _first_difference(left[key], right[key], f"{pointer}/{key}")
            if found:
                return found
        return None
    if isinstance(left, list) and isinstance(right, list):
        for i, (a, b) in enumerate(zip(left, right, strict=False)):
            found = _first_difference(a, b, f"{pointer}/{i}")
            if found:
                return found
        if len(left) != len(right):
            return f"{pointer} (length)", len(left), len(right)
        return None
    return None if left == right else (pointer or "/", left, right)


def _describe(committed: dict[str, Any], produced: dict[str, Any]) -> str:
    def names(doc: dict[str, Any]) -> set[str]:
        return {str(i.get("description")) for i in doc.get("interactions", [])}

    gone, new = (
        sorted(names(committed) - names(produced)),
        sorted(names(produced) - names(committed)),
    )
    parts = [f"interaction {d!r} is no longer produced" for d in gone]
    parts += [f"interaction {d!r} is new" for d in new]
    if parts:
        return "; ".join(parts)
    found = _first_difference(committed, produced)
    if found is None:  # pragma: no cover - callers only ask about differing documents
        return "differs"
    pointer, old, now = found
    return f"at {pointer}: committed {old!r}, the tests write {now!r}"


@dataclass(slots=True, frozen=True)
class PactDrift:
    """Pact files missing from, extra in, or different in the committed folder."""

    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    changed: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    #: committed pacts of consumers no test here writes for: kept as they are
    foreign: tuple[str, ...] = ()

    @property
    def clean(self) -> bool:
        """True when the committed pacts are what the tests write."""
        return not (self.missing or self.extra or self.changed)

    def lines(self, committed_dir: str) -> list[str]:
        """One readable line per differing file."""
        out = [f"{committed_dir}/{n}: missing (the consumer tests write it)" for n in self.missing]
        out += [f"{committed_dir}/{n}: extra (no consumer test writes it)" for n in self.extra]
        out += [f"{committed_dir}/{n}: differs: {why}" for n, why in self.changed]
        return out


def compare_pacts(
    produced_dir: Path, committed_dir: Path, *, owners: Collection[str] | None = None
) -> PactDrift:
    """Compare the pacts the tests just wrote (``produced_dir``) with the committed ones.

    With ``owners`` (the consumers whose tests ran), a committed pact of any other
    consumer is not "extra" but ``foreign``: written elsewhere, kept as it is.
    """
    produced = {n: comparable(d) for n, d in read_pact_dir(produced_dir).items()}
    committed = {n: comparable(d) for n, d in read_pact_dir(committed_dir).items()}
    foreign: tuple[str, ...] = ()
    if owners is not None:
        mine = set(owners) | {consumer_of(d) for d in produced.values()}
        kept = (n for n, d in committed.items() if n not in produced and consumer_of(d) not in mine)
        foreign = tuple(sorted(kept))
        committed = {n: d for n, d in committed.items() if n not in foreign}
    changed = tuple(
        (name, _describe(committed[name], produced[name]))
        for name in sorted(set(produced) & set(committed))
        if produced[name] != committed[name]
    )
    return PactDrift(
        missing=tuple(sorted(set(produced) - set(committed))),
        extra=tuple(sorted(set(committed) - set(produced))),
        changed=changed,
        foreign=foreign,
    )
