"""``onConflict: "merge"`` (and ``PATCH`` of a pact): a consumer version's pact built from
parts, as test suites split over several CI nodes publish it, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from accord.broker._merge import MergeConflict, merge_pacts
from tests.broker.conftest import reader_pact

PACT = "/pacts/provider/shelf/consumer/reader/version/1"


def part(description: str, path: str = "/books/1", state: str | None = None) -> dict[str, Any]:
    """reader's pact with shelf holding one interaction."""
    pact = reader_pact(description=description)
    interaction = pact["interactions"][0]
    interaction["request"]["path"] = path
    if state is not None:
        interaction["providerStates"] = [{"name": state}]
    return pact


def publish(broker: str, pact: dict[str, Any], on_conflict: str | None = "merge") -> httpx.Response:
    contract = {
        "consumerName": "reader",
        "providerName": "shelf",
        "specification": "pact",
        "contentType": "application/json",
        "content": base64.b64encode(json.dumps(pact).encode()).decode(),
    }
    if on_conflict is not None:
        contract["onConflict"] = on_conflict
    body = {"pacticipantName": "reader", "pacticipantVersionNumber": "1", "contracts": [contract]}
    return httpx.post(broker + "/contracts/publish", json=body, timeout=60)


def descriptions(broker: str) -> list[str]:
    pact = httpx.get(broker + PACT).json()
    return sorted(i["description"] for i in pact["interactions"])


def test_merging_adds_new_interactions_and_replaces_same_ones() -> None:
    existing = part("a book")
    existing["interactions"].append(part("a book", state="it exists")["interactions"][0])
    sent = part("a book", state="it exists")
    sent["interactions"][0]["response"]["status"] = 201  # same request: replaced
    sent["interactions"].append(part("another book", "/books/2")["interactions"][0])
    merged = merge_pacts(existing, sent)
    assert [(i["description"], i.get("providerStates")) for i in merged["interactions"]] == [
        ("a book", None),
        ("a book", [{"name": "it exists"}]),
        ("another book", None),
    ]
    assert merged["interactions"][1]["response"]["status"] == 201
    assert len(existing["interactions"]) == 2  # neither input changes
    assert merged["metadata"] == existing["metadata"]


def test_the_same_description_and_state_with_another_request_is_a_conflict() -> None:
    existing = part("a book", state="it exists")
    with pytest.raises(MergeConflict) as caught:
        merge_pacts(existing, part("a book", "/books/2", state="it exists"))
    assert str(caught.value).startswith(
        "the interaction 'a book' given 'it exists' is already in the pact with another"
        " request (path differ)"
    )
    # another provider state is another interaction (V2 spells it providerState)
    v2 = part("a book")
    v2["interactions"][0]["providerState"] = "it is lent"
    assert len(merge_pacts(existing, v2)["interactions"]) == 2


def test_messages_merge_by_description_and_state() -> None:
    existing = {"consumer": {"name": "c"}, "provider": {"name": "p"},
                "messages": [{"description": "m", "contents": {"a": 1}}]}  # fmt: skip
    sent = {**existing, "messages": [{"description": "m", "contents": {"a": 2}},
                                     {"description": "n", "contents": {}}]}  # fmt: skip
    assert merge_pacts(existing, sent)["messages"] == sent["messages"]


def test_merged_publications_build_one_pact(any_broker: str) -> None:
    first = publish(any_broker, part("a book"))
    assert first.status_code == 200, first.text
    assert "Created reader version 1 pact with shelf" in first.json()["notices"][0]["text"]
    second = publish(any_broker, part("another book", "/books/2"))
    assert second.status_code == 200, second.text
    assert "Merged into reader version 1 pact with shelf" in second.json()["notices"][0]["text"]
    assert descriptions(any_broker) == ["a book", "another book"]
    again = publish(any_broker, part("another book", "/books/2"))
    assert "unchanged" in again.json()["notices"][0]["text"]
    # the default, overwrite, keeps a version's pact immutable
    overwrite = publish(any_broker, part("a third book", "/books/3"), on_conflict=None)
    assert overwrite.status_code == 409
    assert overwrite.json()["errors"][0]["pointer"] == "/contracts/0"
    # a conflicting interaction: 409, with what differs, and nothing changes
    conflict = publish(any_broker, part("a book", "/books/9"))
    assert conflict.status_code == 409
    assert conflict.headers["content-type"] == "application/problem+json"
    assert (
        "the interaction 'a book' is already in the pact with another request (path"
        in (conflict.json()["detail"])
    )
    assert descriptions(any_broker) == ["a book", "another book"]
    # PATCH merges as the Pact Broker's does; the pact's URL names the merged content
    patched = httpx.patch(any_broker + PACT, json=part("a fourth book", "/books/4"))
    assert patched.status_code == 201, patched.text
    assert descriptions(any_broker) == ["a book", "a fourth book", "another book"]
    assert httpx.patch(any_broker + PACT, json=part("a book", "/x")).status_code == 409


def test_concurrent_merges_lose_no_interaction(any_broker: str) -> None:
    parts = [part(f"book {n}", f"/books/{n}") for n in range(12)]
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda p: publish(any_broker, p), parts))
    assert [a.status_code for a in answers] == [200] * 12, [a.text for a in answers]
    assert descriptions(any_broker) == sorted(f"book {n}" for n in range(12))
