"""Pact documents as files: one per (consumer, provider), merged and written deterministically."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from accord._errors import AccordError

__all__ = [
    "PactMergeError",
    "dump_pact",
    "merge_pacts",
    "pact_consumer",
    "pact_file_name",
    "read_pact_dir",
    "write_pacts",
]

Pact = dict[str, Any]


class PactMergeError(AccordError):
    """Two tests describe the same interaction (description and states) differently."""


def pact_file_name(doc: Mapping[str, Any]) -> str:
    """``<consumer>-<provider>.json``, the name pact libraries give the file."""
    return f"{doc['consumer']['name']}-{doc['provider']['name']}.json"


def _identity(interaction: Mapping[str, Any]) -> str:
    """What makes an interaction unique in a pact: its description and provider states."""
    states = interaction.get("providerStates") or interaction.get("providerState") or []
    return json.dumps([interaction.get("description", ""), states], sort_keys=True)


def _sorted(doc: Pact) -> Pact:
    out = dict(doc)
    for key in ("interactions", "messages"):
        if isinstance(doc.get(key), list):
            out[key] = sorted(doc[key], key=_identity)
    return out


def merge_pacts(docs: Iterable[Mapping[str, Any]]) -> dict[str, Pact]:
    """One document per (consumer, provider) file name, interactions sorted and de-duplicated.

    The first document of a pair gives its metadata; an interaction that two documents
    describe differently raises :class:`PactMergeError` naming it.
    """
    merged: dict[str, Pact] = {}
    seen: dict[str, dict[str, Any]] = {}
    for doc in docs:
        name = pact_file_name(doc)
        target = merged.setdefault(name, {**doc, "interactions": []})
        known = seen.setdefault(name, {})
        for interaction in doc.get("interactions", []):
            identity = _identity(interaction)
            if identity in known:
                if known[identity] != interaction:
                    raise PactMergeError(
                        f"{name}: interaction {interaction.get('description')!r} is described "
                        "twice, differently; give each test's interactions their own description"
                    )
                continue
            known[identity] = interaction
            target["interactions"].append(interaction)
    return {name: _sorted(doc) for name, doc in sorted(merged.items())}


def dump_pact(doc: Mapping[str, Any]) -> str:
    """The file's text: sorted keys, two-space indentation, a final newline."""
    return json.dumps(_sorted(dict(doc)), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _is_pact(path: Path) -> bool:
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(doc, dict) and "consumer" in doc and "provider" in doc


def read_pact_dir(directory: Path) -> dict[str, Pact]:
    """Every pact file of ``directory`` by file name (files that are not pacts are skipped)."""
    if not directory.is_dir():
        return {}
    return {
        p.name: json.loads(p.read_text("utf-8"))
        for p in sorted(directory.glob("*.json"))
        if _is_pact(p)
    }


def consumer_of(doc: Any) -> str | None:
    """The consumer a pact document names (None: not a pact, or no name)."""
    consumer = doc.get("consumer") if isinstance(doc, dict) else None
    name = consumer.get("name") if isinstance(consumer, dict) else None
    return str(name) if name is not None and "provider" in doc else None


def pact_consumer(path: Path) -> str | None:
    """The consumer a pact file names (None: not a pact)."""
    try:
        return consumer_of(json.loads(path.read_text("utf-8")))
    except (OSError, ValueError):
        return None


def write_pacts(
    directory: Path,
    docs: Mapping[str, Mapping[str, Any]],
    *,
    clean: bool,
    owners: Collection[str] | None = None,
) -> list[Path]:
    """Write ``docs`` (file name -> document) into ``directory``; returns the files changed.

    Files whose text is already right are left alone. With ``clean``, pact files of the
    folder that ``docs`` does not name are removed (and returned too), but only those
    whose consumer is in ``owners`` when it is given: pacts another tool wrote (a pact-js
    consumer of another repository, a partner's) are never touched. Each file is
    written to a temporary name and renamed.
    """
    directory.mkdir(parents=True, exist_ok=True)
    changed: list[Path] = []
    for name, doc in sorted(docs.items()):
        path = directory / name
        text = dump_pact(doc)
        if path.is_file() and path.read_text("utf-8") == text:
            continue
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
        changed.append(path)
    if clean:
        for path in sorted(directory.glob("*.json")):
            if path.name in docs:
                continue
            consumer = pact_consumer(path)
            if consumer is not None and (owners is None or consumer in owners):
                path.unlink()
                changed.append(path)
    return changed
