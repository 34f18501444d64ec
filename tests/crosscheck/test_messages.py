"""Message pacts against the provider's AsyncAPI document: channel, direction, payload,
headers and content type, each mismatch located in both files."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from accord.core import AsyncContract, PactFile
from accord.crosscheck import MESSAGE_CODES, crosscheck_messages, crosscheck_workspace
from accord.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
PACT = json.loads((REPO / "contracts/pacts/shipping-orders.json").read_text())


@pytest.fixture(scope="module")
def contract() -> AsyncContract:
    return AsyncContract.from_path(REPO / "contracts/asyncapi/orders.yaml")


def _codes(contract: AsyncContract, pact: dict[str, Any]) -> list[tuple[str, str]]:
    found = crosscheck_messages(contract, PactFile.from_dict(pact))
    for m in found:
        assert m.pact_location.line > 0 and m.spec_location is not None
        assert "orders.yaml" in m.spec_location.file
    return [(m.code, m.message) for m in found]


def _confirmed(pact: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = next(i for i in pact["interactions"] if "confirmed" in i["description"])
    return found


def test_the_shop_pact_fits_the_contract(contract: AsyncContract) -> None:
    assert _codes(contract, PACT) == []


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        (lambda i: i["metadata"].update(subject="orders.x.shipped"), "message.channel.unknown",
         "orders.x.shipped"),
        (lambda i: i["contents"]["content"].update(total="12"), "message.payload.incompatible",
         "/total"),
        (lambda i: i["contents"]["content"]["lines"][0].update(colour="red"),
         "message.payload.incompatible", "colour"),
        (lambda i: i["metadata"].update({"Nats-Msg-Id": "nope"}), "message.header.incompatible",
         "Nats-Msg-Id"),
        (lambda i: i["contents"].update(contentType="application/xml"),
         "message.content-type.incompatible", "application/xml"),
    ],
)  # fmt: skip
def test_each_disagreement_has_its_code(
    contract: AsyncContract, change: Any, code: str, words: str
) -> None:
    pact = copy.deepcopy(PACT)
    change(_confirmed(pact))
    found = _codes(contract, pact)
    assert [c for c, _ in found] == [code], found
    assert words in found[0][1]


def test_every_message_code_is_covered() -> None:
    covered = {"message.channel.unknown", "message.payload.incompatible",
               "message.header.incompatible", "message.content-type.incompatible",
               "message.operation.direction",
               # test_message_matchers.py: a matcher's class narrower than the schema
               "message.payload.narrower", "message.header.narrower",
               # test_messages_outside.py: a synchronous request's class wider than the schema
               "message.payload.wider", "message.header.wider"}  # fmt: skip
    assert covered == set(MESSAGE_CODES)


def test_a_channel_the_provider_only_receives_on(tmp_path: Path) -> None:
    text = (REPO / "contracts/asyncapi/orders.yaml").read_text()
    received = text.replace("action: send", "action: receive")
    (tmp_path / "orders.yaml").write_text(received)
    contract = AsyncContract.from_path(tmp_path / "orders.yaml")
    assert {c for c, _ in _codes(contract, PACT)} == {"message.operation.direction"}


def test_the_workspace_crosscheck_includes_message_pacts(tmp_path: Path) -> None:
    assert crosscheck_workspace(Workspace.from_path(REPO)) == []
    shutil.copytree(REPO / "contracts", tmp_path / "contracts")
    pact = copy.deepcopy(PACT)
    _confirmed(pact)["contents"]["content"]["total"] = "12"
    (tmp_path / "contracts/pacts/shipping-orders.json").write_text(json.dumps(pact))
    found = crosscheck_workspace(Workspace.from_path(tmp_path))
    assert [(f.rule, f.location.file.endswith("shipping-orders.json")) for f in found] == [
        ("message.payload.incompatible", True)
    ]
