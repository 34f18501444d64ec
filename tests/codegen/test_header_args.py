"""Header arguments of generated clients are typed from their schemas and sent as OpenAPI says.

They were all ``str``: ``limit=5`` failed mypy and ``ids=[1, 2]`` went out as Python's text.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest
import yaml

from accord import Contract
from accord.mock import MockApp, MockConfig
from tests.codegen.helpers import generated_client, strict_mypy
from tests.mock.helpers import mock_client

CONTRACT = """
openapi: 3.0.3
info: {title: Headers, version: "1"}
paths:
  /items:
    get:
      operationId: listItems
      parameters:
        - {name: X-Limit, in: header, required: true, schema: {type: integer, maximum: 50}}
        - {name: X-Dry-Run, in: header, schema: {type: boolean}}
        - {name: X-Ids, in: header, schema: {type: array, items: {type: integer}}}
        - name: X-Range
          in: header
          explode: true
          schema:
            type: object
            properties: {lo: {type: integer}, hi: {type: integer}}
            additionalProperties: false
        - {name: X-Mode, in: header, schema: {type: string, enum: [fast, slow]}}
        - {name: X-Ratio, in: header, schema: {type: number}}
      responses: {"204": {description: ok}}
"""

USE = textwrap.dedent(
    """\
    from __future__ import annotations

    from headerspkg.client import HeadersClient


    def use(client: HeadersClient) -> None:
        client.list_items(x_limit=5, x_dry_run=True, x_ids=[1, 2], x_range={"lo": 1}, x_mode="fast")
        client.list_items(x_limit="5")
        client.list_items(x_limit=5, x_dry_run="yes")
        client.list_items(x_limit=5, x_ids=["a"])
        client.list_items(x_limit=5, x_ratio=0.5)
    """
)


@pytest.fixture
def headers(tmp_path: Path) -> Iterator[ModuleType]:
    source = tmp_path / "headers.yaml"
    source.write_text(textwrap.dedent(CONTRACT))
    with generated_client(source, "headerspkg") as module:
        yield module


def test_header_arguments_are_typed_as_their_schemas_say(headers: ModuleType) -> None:
    hints = headers.HeadersClient.list_items.__annotations__
    assert hints["x_limit"] == "int"
    assert hints["x_dry_run"] == "bool | None"
    assert hints["x_ids"] == "list[int] | None"
    assert hints["x_range"] == "dict[str, Any] | None"
    assert hints["x_ratio"] == "float | None"
    server = (Path(headers.__file__).parent / "server.py").read_text()
    assert "x_limit: str" in server  # handlers still receive the header's text


def test_header_arguments_are_serialised_in_the_simple_style_and_the_mock_reads_them(
    headers: ModuleType,
) -> None:
    sent: list[httpx.Request] = []
    mock = mock_client(MockApp([Contract.from_dict(yaml.safe_load(CONTRACT))], MockConfig()))
    mock.event_hooks = {"request": [sent.append], "response": []}
    api = headers.HeadersClient("http://mock.test", client=mock)
    api.list_items(
        x_limit=5, x_dry_run=False, x_ids=[1, 2], x_range={"lo": 1, "hi": 9}, x_mode="slow",
        x_ratio=0.5,
    )  # fmt: skip
    got = sent[-1].headers
    assert (got["x-limit"], got["x-dry-run"], got["x-ids"]) == ("5", "false", "1,2")
    assert (got["x-range"], got["x-mode"], got["x-ratio"]) == ("lo=1,hi=9", "slow", "0.5")
    with pytest.raises(headers.ApiError) as refused:
        api.list_items(x_limit=51, x_ids=[1, 2])
    assert refused.value.status == 400
    assert refused.value.problem is not None
    assert [e["pointer"] for e in refused.value.problem["errors"]] == ["X-Limit"]


@pytest.mark.slow
def test_mypy_rejects_header_arguments_of_the_wrong_type(
    headers: ModuleType, tmp_path: Path
) -> None:
    module = tmp_path / "use.py"
    module.write_text(USE)
    proc = strict_mypy(module, tmp_path)
    out = proc.stdout
    errors = sorted({int(line.split(":")[1]) for line in out.splitlines() if ": error:" in line})
    assert errors == [8, 9, 10], out
    assert 'Argument "x_limit" to "list_items" of "HeadersClient" has incompatible type' in out
