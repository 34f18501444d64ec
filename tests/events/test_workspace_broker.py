"""The NATS server ``accord up`` starts is read from the workspace's event contracts; a
``servers`` that is not a mapping (a hostile or broken document) names none, and does not
crash ``accord up`` (it raised AttributeError)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from accord.workspace import Workspace
from accord.workspace._broker import local_broker

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("servers", ["[oops]", "42", "{local: 7}", "null"])
def test_servers_that_are_not_a_mapping_name_no_broker(tmp_path: Path, servers: str) -> None:
    shutil.copytree(REPO / "contracts", tmp_path / "contracts")
    doc = tmp_path / "contracts/asyncapi/orders.yaml"
    text = doc.read_text()
    start, end = text.index("servers:\n"), text.index("channels:\n")
    doc.write_text(text[:start] + f"servers: {servers}\n" + text[end:])
    assert local_broker(Workspace.from_path(tmp_path)) is None
