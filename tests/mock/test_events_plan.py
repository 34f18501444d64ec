"""What ``accord mock`` plans to publish on an AsyncAPI document: the channels take turns,
and ``--rate`` is per channel (two channels at 10/s: a message every 50 ms)."""

from __future__ import annotations

from pathlib import Path

from accord.core import AsyncContract
from accord.mock import EventMock, EventMockConfig

DOC = """\
asyncapi: 3.0.0
info: {title: two, version: "1"}
channels:
  a: {address: "a.{id}", parameters: {id: {}}, messages: {m: {payload: {type: integer}}}}
  b: {address: b, messages: {m: {payload: {type: string}, examples: [{payload: hi}]}}}
operations:
  sendA: {action: send, channel: {$ref: "#/channels/a"}}
  sendB: {action: send, channel: {$ref: "#/channels/b"}}
"""


def _mock(tmp_path: Path, count: int, rate: float) -> EventMock:
    (tmp_path / "two.yaml").write_text(DOC)
    contract = AsyncContract.from_path(tmp_path / "two.yaml")
    return EventMock(contract, EventMockConfig("nats://127.0.0.1:1", count, rate, seed=3))


def test_the_channels_take_turns(tmp_path: Path) -> None:
    plan = _mock(tmp_path, 3, 10).planned()
    assert [s.split(".")[0] for s, _b, _h in plan] == ["a", "b", "a", "b", "a", "b"]
    assert [b for s, b, _h in plan if s == "b"] == [b'"hi"'] * 3
    assert plan == _mock(tmp_path, 3, 10).planned()  # the same seed, the same messages


def test_the_rate_is_per_channel(tmp_path: Path) -> None:
    assert _mock(tmp_path, 3, 10).interval == 0.05
    assert _mock(tmp_path, 3, 0).interval == 0.0
