"""Merging a pact into the one a consumer version already has (``onConflict: "merge"``).

As the Pact Broker merges (``PactBroker::Pacts::Merger``): each interaction sent replaces
the existing one with the same description and provider state, or is added; an
interaction whose description and provider state are already in the pact with another
request (method, path, query, headers or body) is a conflict, refused with 409. Test
suites split over several CI nodes publish their parts of one pact this way.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MergeConflict", "merge_pacts"]

#: the lists of interactions a pact may hold (V3 message pacts: ``messages``)
_LISTS = ("interactions", "messages")
_REQUEST = ("method", "path", "query", "headers", "body")


class MergeConflict(Exception):
    """An interaction sent for merging has another request than the pact's own."""

    def __init__(self, description: str, states: Any, changed: list[str]) -> None:
        given = f" given {_states_text(states)}" if states else ""
        super().__init__(
            f"the interaction {description!r}{given} is already in the pact with another"
            f" request ({', '.join(changed)} differ): give it another description or"
            " provider state, or publish the pact as a new consumer version"
        )


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
    provider state match an existing one's but whose request does not.
    """
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
                changed = [k for k in _REQUEST if (before or {}).get(k) != (after or {}).get(k)]
                if changed:
                    raise MergeConflict(str(item.get("description")), _states(item), changed)
            current[index] = item
        merged[name] = current
    return merged
