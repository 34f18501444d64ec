"""Pacts for verification through Accord's client: selectors, pending and WIP pacts,
results published with the provider's version and branch, and the matrix after."""

from __future__ import annotations

from pathlib import Path

import httpx

from accord.broker import BrokerClient, BrokerSettings, PactToVerify
from tests.broker.conftest import reader_pact, write_pact


def chosen(pacts: list[PactToVerify]) -> list[tuple[str, bool, bool]]:
    """(the pact's first book title + interactions, pending, wip) per selected pact."""
    return sorted(
        ("+".join(i["description"] for i in p.content["interactions"]), p.pending, p.wip)
        for p in pacts
    )


def test_selectors_pending_and_wip(any_broker: str, tmp_path: Path) -> None:
    broker = any_broker
    main = write_pact(tmp_path, reader_pact("Dune", "a book"), "main.json")
    feature = reader_pact("Dune", "a book")
    feature["interactions"].append({**feature["interactions"][0], "description": "a review"})
    feat = write_pact(tmp_path, feature, "feat.json")
    httpx.put(f"{broker}/pacticipants/reader", json={"mainBranch": "main"})
    httpx.put(f"{broker}/pacticipants/shelf", json={"mainBranch": "main"})
    with BrokerClient(BrokerSettings(broker)) as api:
        api.publish([main], "r1", branch="main")
        api.publish([feat], "r2", branch="feat-x", tags=["beta"])
        api.create_environment("prod", production=True)
        api.record("reader", "r1", "prod")

        def select(
            *selectors: dict[str, object], branch: str = "main", wip: str | None = None
        ) -> list[tuple[str, bool, bool]]:
            return chosen(api.pacts_for_verification(
                "shelf", selectors=list(selectors), provider_branch=branch, wip_since=wip
            ))  # fmt: skip

        assert select({"mainBranch": True}) == [("a book", True, False)]
        # the same content picked twice is verified once, with both reasons
        both = api.pacts_for_verification(
            "shelf", selectors=[{"mainBranch": True}, {"deployedOrReleased": True}]
        )
        assert len(both) == 1
        assert (
            "main branch" in both[0].description and "deployed or released" in both[0].description
        )
        assert select({"branch": "feat-x"}) == [("a book+a review", True, False)]
        assert select({"matchingBranch": True}, branch="feat-x") == [
            ("a book+a review", True, False)
        ]
        assert select({"branch": "gone", "fallbackBranch": "main"}) == [("a book", True, False)]
        assert select({"tag": "beta", "latest": True}) == [("a book+a review", True, False)]
        assert select({"environment": "prod"}) == [("a book", True, False)]
        assert select({"mainBranch": True, "consumer": "someone-else"}) == []
        assert select() == [("a book", True, False)]  # no selectors: the main branch's latest
        # WIP: feat-x's pact, pending and not selected, comes along
        assert select({"mainBranch": True}, wip="2000-01-01") == [
            ("a book", True, False), ("a book+a review", True, True),
        ]  # fmt: skip
        assert select({"mainBranch": True}, wip="2999-01-01") == [("a book", True, False)]

        # a success from the main branch ends pending (for main, and a new branch inherits)
        for pact in api.pacts_for_verification("shelf", selectors=[{"mainBranch": True}],
                                               provider_branch="main"):  # fmt: skip
            api.publish_result(pact, "s1", True, branch="main")
        assert select({"mainBranch": True}) == [("a book", False, False)]
        assert select({"mainBranch": True}, branch="feat-new") == [("a book", False, False)]
        # ...but not for a branch that has versions of its own and never verified it
        httpx.put(f"{broker}/pacticipants/shelf/branches/old-work/versions/s0", json={})
        assert select({"mainBranch": True}, branch="old-work") == [("a book", True, False)]
        version = httpx.get(f"{broker}/pacticipants/shelf/versions/s1").json()
        assert version["branch"] == "main"

        # a WIP pact verified successfully on main is no longer WIP
        wip = [p for p in api.pacts_for_verification("shelf", selectors=[{"mainBranch": True}],
               provider_branch="main", wip_since="2000-01-01") if p.wip]  # fmt: skip
        assert len(wip) == 1
        api.publish_result(wip[0], "s1", True, branch="main")
        assert select({"mainBranch": True}, wip="2000-01-01") == [("a book", False, False)]

        # the matrix: shelf s1 verified both pacts; r1 is in prod
        assert api.can_i_deploy("shelf", "s1", "prod")["summary"]["deployable"] is True
        # against the latest shelf (s0, created last, never verified anything): no
        latest = api.can_i_deploy("reader", "r2")["summary"]
        assert latest["deployable"] is False
        assert "latest version of shelf (s0)" in latest["reason"]
        assert api.can_i_deploy("reader", "r2", "prod")["summary"]["deployable"] is False
        api.record("shelf", "s1", "prod")
        assert api.can_i_deploy("reader", "r2", "prod")["summary"]["deployable"] is True
        answer = api.can_i_deploy("shelf", "s0", "prod")
        assert answer["summary"]["deployable"] is False
        assert (
            "There is no verified pact between version r1 of reader"
            in (answer["summary"]["reason"])
        )
        # a branch name with a slash travels percent-encoded in one path segment
        put = httpx.put(f"{broker}/pacticipants/shelf/branches/feat%2Fy/versions/s9", json={})
        assert put.status_code == 201 and put.json()["branch"] == "feat/y"
