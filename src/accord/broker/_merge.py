"""Merging a pact into the one a consumer version already has (``onConflict: "merge"``).

As the Pact Broker merges (``PactBroker::Pacts::Merger``): each interaction sent replaces
the existing one with the same description and provider state, or is added; an
interaction whose description and provider state are already in the pact with another
request (method, path, query, headers or body) is a conflict, refused with 409. Requests
are compared as HTTP reads them: header names whatever their case, a header value alone or
in a list of one, a V2 query string and the V3 mapping it stands for. A pact of another
major specification version than the stored one is refused too (409): its interactions
are written another way (V4 bodies, V2 states), and one pact holds one version's. Test
suites split over several CI nodes publish their parts of one pact this way.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

__all__ = ["MergeConflict", "merge_pacts"]

#: the lists of interactions a pact may hold (V3 message pacts: ``messages``)
_LISTS = ("interactions", "messages")
_REQUEST = ("method", "path", "query", "headers", "body")


class MergeConflict(Exception):
    """An interaction sent for merging has another request than the pact's own, or the
    pact sent is of another specification version."""

    @classmethod
    def request(cls, description: str, states: Any, changed: list[str]) -> MergeConflict:
        given = f" given {_states_text(states)}" if states else ""
        return cls(
            f"the interaction {description!r}{given} is already in the pact with another"
            f" request ({', '.join(changed)} differ): give it another description or"
            " provider state, or publish the pact as a new consumer version"
        )


def _major(pact: dict[str, Any]) -> str:
    """The pact's specification major version (``"3"`` for ``3.0.0``; V1 is written as V2
    is, and a pact naming none is V2)."""
    metadata = pact.get("metadata")
    version: Any = None
    if isinstance(metadata, dict):
        for key in ("pactSpecification", "pact-specification", "pactSpecificationVersion"):
            named = metadata.get(key)
            version = named.get("version") if isinstance(named, dict) else named
            if version is not None:
                break
    major = str(version or "2").strip().lstrip("vV").split(".")[0]
    return "2" if major == "1" else major


def _headers(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    return {str(k).lower(): v if isinstance(v, list) else [v] for k, v in value.items()}


def _query(value: Any) -> Any:
    if isinstance(value, str):  # V2: the query string
        out: dict[str, list[str]] = {}
        for key, item in parse_qsl(value, keep_blank_values=True):
            out.setdefault(key, []).append(item)
        return out
    if isinstance(value, dict):
        return {k: v if isinstance(v, list) else [v] for k, v in value.items()}
    return value


#: how a request's part is compared (as HTTP reads it)
_COMPARED = {"headers": _headers, "query": _query}


def _changed(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """The parts of two requests that differ."""
    out = []
    for key in _REQUEST:
        same = _COMPARED.get(key, lambda v: v)
        if same((before or {}).get(key)) != same((after or {}).get(key)):
            out.append(key)
    return out


def _states_text(states: Any) -> str:
    if isinstance(states, list):
        names = [s.get("name") if isinstance(s, dict) else s for s in states]
        return ", ".join(repr(n) for n in names)
    return repr(states)


def _states(interaction: dict[str, Any]) -> Any:
    """The provider state(s), whichever way the specification version spells them."""
    for key in ("provider_state", "providerState", "providerStates"):
        if interaction.get(key) is not None:
            return interaction[key]
    return None


def _key(interaction: Any) -> tuple[Any, str]:
    """(description, provider state(s)): what identifies an interaction in a merge."""
    if not isinstance(interaction, dict):
        return None, repr(interaction)
    return interaction.get("description"), repr(_states(interaction))


def _request(interaction: Any) -> dict[str, Any] | None:
    request = interaction.get("request") if isinstance(interaction, dict) else None
    return request if isinstance(request, dict) else None


def merge_pacts(existing: dict[str, Any], sent: dict[str, Any]) -> dict[str, Any]:
    """``existing`` with ``sent``'s interactions merged in (a new dict; neither changes).

    Raises :class:`MergeConflict` for the first interaction whose description and
    provider state match an existing one's but whose request does not, and for a pact of
    another major specification version.
    """
    if _major(existing) != _major(sent):
        raise MergeConflict(
            f"the pact stored is specification V{_major(existing)} and the one sent is"
            f" V{_major(sent)}: interactions of both cannot make one pact; publish it as a"
            " new consumer version"
        )
    merged = dict(existing)
    for name in _LISTS:
        incoming = sent.get(name)
        if not isinstance(incoming, list):
            continue
        current = list(merged.get(name) or [])
        where = {_key(item): i for i, item in enumerate(current)}
        for item in incoming:
            index = where.get(_key(item))
            if index is None:
                where[_key(item)] = len(current)
                current.append(item)
                continue
            before, after = _request(current[index]), _request(item)
            if before is not None or after is not None:  # messages have no request
                changed = _changed(before, after)
                if changed:
                    raise MergeConflict.request(
                        str(item.get("description")), _states(item), changed
                    )
            current[index] = item
        merged[name] = current
    return merged
