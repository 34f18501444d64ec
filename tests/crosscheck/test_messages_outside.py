"""Message pacts as other Pact clients write them, against an AsyncAPI document: binary
(protobuf) contents, a message without contents, pact-jvm's V3 ``metaData`` spelling, and
``accord crosscheck`` given an AsyncAPI document or a workspace whose pacts hold messages."""

from __future__ import annotations

import base64
import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from accord.cli._app import main
from accord.core import AsyncContract, PactFile
from accord.crosscheck import crosscheck_messages

REPO = Path(__file__).resolve().parents[2]
ORDERS = REPO / "contracts/asyncapi/orders.yaml"
PACT = json.loads((REPO / "contracts/pacts/shipping-orders.json").read_text())


@pytest.fixture(scope="module")
def contract() -> AsyncContract:
    return AsyncContract.from_path(ORDERS)


def _v3(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "consumer": {"name": "c"},
        "provider": {"name": "orders"},
        "messages": [{"description": "an order cancelled event", **message}],
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }


def _codes(contract: AsyncContract, pact: dict[str, Any]) -> list[str]:
    return [m.code for m in crosscheck_messages(contract, PactFile.from_dict(pact))]


def test_a_base64_protobuf_body_is_judged_by_its_content_type(contract: AsyncContract) -> None:
    pact = copy.deepcopy(PACT)
    contents = pact["interactions"][0]["contents"]
    contents.update(
        content=base64.b64encode(b"\x08\x96\x01").decode(),
        encoded="base64",
        contentType="application/protobuf",
    )
    found = crosscheck_messages(contract, PactFile.from_dict(pact))
    assert [m.code for m in found] == ["message.content-type.incompatible"]
    assert "application/protobuf" in found[0].message


def test_a_message_without_contents_says_nothing_about_the_payload(
    contract: AsyncContract,
) -> None:
    assert _codes(contract, _v3({"metadata": {"contentType": "application/json"}})) == []


def test_pact_jvm_metadata_spelling_is_read(contract: AsyncContract) -> None:
    pact = _v3({"contents": {"total": 1}, "metaData": {"contentType": "text/plain"}})
    message = PactFile.from_dict(pact).message_interactions[0].message
    assert message is not None and message.content_type == "text/plain"
    found = crosscheck_messages(contract, PactFile.from_dict(pact))
    assert [m.code for m in found] == ["message.content-type.incompatible"]
    assert found[0].pact_path.endswith(".metaData") or "metaData" in found[0].pact_path


def test_crosscheck_command_takes_an_asyncapi_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = REPO / "contracts/pacts/shipping-orders.json"
    assert main(["crosscheck", str(ORDERS), str(good)]) == 0
    pact = copy.deepcopy(PACT)
    pact["interactions"][0]["contents"]["content"]["total"] = "12"
    (tmp_path / "bad.json").write_text(json.dumps(pact))
    assert main(["crosscheck", str(ORDERS), str(tmp_path / "bad.json")]) == 1
    out = capsys.readouterr().out
    assert "bad.json:" in out and "message.payload.incompatible" in out and "orders.yaml:" in out


def test_crosscheck_command_checks_a_workspace_message_pact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(REPO / "contracts", tmp_path / "contracts")
    pact = copy.deepcopy(PACT)
    pact["interactions"][0]["metadata"]["subject"] = "orders.x.shipped"
    (tmp_path / "contracts/pacts/shipping-orders.json").write_text(json.dumps(pact))
    assert main(["crosscheck", "--workspace", str(tmp_path)]) == 1
    assert "message.channel.unknown" in capsys.readouterr().out


def test_a_payload_mismatch_does_not_hide_a_header_mismatch(contract: AsyncContract) -> None:
    pact = copy.deepcopy(PACT)
    pact["interactions"][0]["contents"]["content"]["total"] = "12"
    pact["interactions"][0]["metadata"]["Nats-Msg-Id"] = "x1"
    assert sorted(_codes(contract, pact)) == [
        "message.header.incompatible",
        "message.payload.incompatible",
    ]
