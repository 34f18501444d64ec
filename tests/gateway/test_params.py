"""The gateway reads parameter text as the mock does (split where the client put its
delimiters, then decoded), and forwards the raw path and query to the upstream unchanged."""

from __future__ import annotations

from typing import Any

import httpx

from accord.core import Contract
from accord.gateway import GatewayApp
from accord.mock import MockApp, MockConfig
from tests.gateway.conftest import Echo, Server, config, run
from tests.mock.conftest import tiny
from tests.mock.helpers import mock_client
from tests.mock.test_hostile_params import NOT_UTF8, PATHS, READ, REFUSED, SPLIT

#: (url, headers, refused) from the mock's own table of hostile parameter text
ROWS: list[tuple[str, dict[str, str], bool]] = [
    *((url, {}, status == 400) for url, status in SPLIT),
    *((url, headers, True) for url, headers, _, _ in REFUSED),
    *((url, headers, False) for url, headers in READ),
    *((f"/text/{text}", {}, True) for text in NOT_UTF8),
]


def _gateway(contract: Contract, upstream: Any) -> GatewayApp:
    cfg = config(upstreams={"tiny": "http://tiny.test"})
    transports = {"tiny": httpx.ASGITransport(app=upstream)}
    return GatewayApp({"tiny": contract}, cfg, transports=transports)


def test_the_gateway_and_the_mock_give_the_same_verdict_on_hostile_parameters() -> None:
    contract = tiny(PATHS)
    echo = Echo("tiny")
    answers = run(_gateway(contract, echo), *(("GET", url, {"headers": h}) for url, h, _ in ROWS))
    with mock_client(MockApp([contract], MockConfig())) as mock:
        verdicts = []
        for (url, headers, refused), through in zip(ROWS, answers, strict=True):
            mocked = mock.get(url, headers=headers)
            verdicts.append((url, headers, refused, mocked.status_code, through.status_code))
    wrong = [v for v in verdicts if (v[3] == 400, v[4] == 400) != (v[2], v[2])]
    assert not wrong, wrong  # (url, headers, refused, mock status, gateway status)
    for _, _, refused, mocked_status, gateway_status in verdicts:
        assert (mocked_status, gateway_status) == ((400, 400) if refused else (204, 200))
    # what the gateway let through reached the upstream; what it refused did not
    assert len(echo.seen) == sum(not refused for _, _, refused in ROWS)


def test_the_raw_path_and_query_reach_a_real_upstream_unchanged() -> None:
    contract = tiny(PATHS)
    targets = [
        "/simple/a%2Cb,c",
        "/simple/a%2cb,c",  # lower-case hex is not rewritten either
        "/label/.a%2Eb.c",
        "/matrix/;p=x%3By",
        "/text/caf%C3%A9%7E%20%2B",
        "/flat-query?p=a%2Cb,c",
        "/flat-query?p=a%2cb,c",
    ]
    echo = Echo("tiny")
    with Server(echo) as upstream:
        cfg = config(upstreams={"tiny": upstream.url})
        answers = run(GatewayApp({"tiny": contract}, cfg), *(("GET", t, {}) for t in targets))
    assert [a.status_code for a in answers] == [200] * len(targets), [a.text for a in answers]
    seen = [s["raw_path"] + ("?" + s["query"] if s["query"] else "") for s in echo.seen]
    assert seen == targets
