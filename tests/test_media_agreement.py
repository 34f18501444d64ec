"""One reading of a request's ``Content-Type`` across every part that reads one.

A table of content types (case, whitespace, parameters, quoted parameters, RFC 6839
suffixes, ranges, malformed headers) is sent to the same operation through the mock, the
gateway and a runtime (connexion) service, and recorded in a pact for crosscheck. Each
must reach the same verdict: the body accepted, the body checked against the schema of the
most specific documented key and refused, the type refused (415), or the header refused as
malformed (400, problem+json, never a 5xx).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from accord._findings import Severity
from accord.core import Contract, PactFile, select_media
from accord.crosscheck import crosscheck
from accord.mock import MockApp
from accord.runtime import AppOptions, OperationSpec, build_app
from tests.gateway.conftest import Echo, config
from tests.mock.helpers import mock_client

NAMED = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
V2 = {"type": "object", "required": ["v2"]}  # the body below never fits it
SUFFIXED = {"type": "object", "required": ["suffixed"]}


def _operation(op_id: str, content: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
    problem = {"application/problem+json": {"schema": {"type": "object"}}}
    return {
        "post": {
            "operationId": op_id,
            "requestBody": {"required": required, "content": content},
            "responses": {
                "201": {"description": "made"},
                **{str(s): {"description": "refused", "content": problem} for s in (400, 415, 422)},
            },
        }
    }


SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "media", "version": "1"},
    "paths": {
        # a specific type, a more specific +json type and a bare range of another type
        "/things": _operation(
            "makeThing",
            {
                "application/json": {"schema": NAMED},
                "application/vnd.acme.v2+json": {"schema": V2},
                "text/*": {"schema": {"type": "string"}},
            },
        ),
        # ranges only: application/*+json is more specific than */*
        "/ranges": _operation(
            "makeRange",
            {"*/*": {"schema": {}}, "application/*+json": {"schema": SUFFIXED}},
        ),
        "/single": _operation("makeSingle", {"application/json": {"schema": NAMED}}),
        "/form": _operation(
            "makeForm", {"application/x-www-form-urlencoded": {"schema": NAMED}}, required=False
        ),
    },
}
BODY = b'{"name": "x"}'

OK, INVALID, UNSUPPORTED, MALFORMED = "ok", "invalid", "unsupported", "malformed"
#: (path, Content-Type, verdict)
TABLE = [
    ("/things", "application/json", OK),
    ("/things", "APPLICATION/JSON", OK),
    ("/things", "application/json ; charset=UTF-8", OK),
    ("/things", "application/json;charset=utf-8", OK),
    ("/things", 'application/json; charset="utf-8"', OK),
    ("/things", 'application/json; profile="urn:a;b"', OK),  # ``;`` inside quotes
    ("/things", "application/json;", OK),  # an empty parameter is allowed by the grammar
    ("/things", "application/problem+json", OK),  # RFC 6839: JSON, read as application/json
    ("/things", "Application/Vnd.Acme+JSON", OK),
    ("/things", "application/vnd.acme.v2+json", INVALID),  # the exact key wins over json
    ("/things", "application/vnd.acme.v2+json; charset=utf-8", INVALID),
    ("/things", "application/xml", UNSUPPORTED),
    ("/things", "application/x-ndjson", UNSUPPORTED),
    ("/things", "application/json-seq", UNSUPPORTED),
    ("/things", "image/png", UNSUPPORTED),
    ("/things", "*/*", UNSUPPORTED),  # a range is not the type of a body
    ("/things", "application/*", UNSUPPORTED),
    ("/things", "application/", MALFORMED),
    ("/things", "/json", MALFORMED),
    ("/things", ";", MALFORMED),
    ("/things", "", MALFORMED),
    ("/things", "application json", MALFORMED),
    ("/things", "application/json/x", MALFORMED),
    ("/things", "application/json; charset", MALFORMED),
    ("/things", 'application/json; charset="utf-8', MALFORMED),
    ("/things", "application/json, text/plain", MALFORMED),
    ("/ranges", "application/vnd.acme+json", INVALID),  # application/*+json, not */*
    ("/ranges", "application/json", INVALID),
    ("/ranges", "application/octet-stream", OK),  # */*: any body, no schema
    ("/ranges", "", MALFORMED),
    # no Content-Type: read as the only documented type (RFC 9110 §8.3 lets a recipient
    # examine the data); with several documented, none is chosen
    ("/single", None, OK),
    ("/things", None, UNSUPPORTED),
]
IDS = [f"{path}:{'absent' if ctype is None else ctype or 'empty'}" for path, ctype, _ in TABLE]


def _verdict(response: httpx.Response) -> str:
    assert response.status_code < 500, response.text
    if response.is_success:
        return OK
    assert response.headers["content-type"].startswith("application/problem+json")
    detail = str(response.json().get("detail", "")).lower()
    if response.status_code == 415:
        return UNSUPPORTED
    assert response.status_code in (400, 422), response.text
    return MALFORMED if "content-type" in detail and "not a media type" in detail else INVALID


class Service:
    """The runtime stub's handlers: accept every body."""

    def make_thing(self, body: Any) -> None:
        return None

    def make_range(self, body: Any) -> None:
        return None

    def make_single(self, body: Any) -> None:
        return None

    def make_form(self, body: Any) -> None:
        return None


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, httpx.Client]]:
    from accord.gateway import GatewayApp  # noqa: PLC0415

    contract = Contract.from_dict(SPEC, name="media.yaml")
    mock = mock_client(MockApp([contract]))
    echo = httpx.ASGITransport(app=Echo("media"))
    cfg = config(upstreams={"media": "http://media.test"})
    gateway = GatewayApp({"media": contract}, cfg, transports={"media": echo})
    path = Path(tmp_path_factory.mktemp("runtime")) / "media.json"
    path.write_text(json.dumps(SPEC))
    operations = {
        op_id: OperationSpec(op_id, handler, "post", route, body=Any, default_status=201)
        for op_id, handler, route in (
            ("makeThing", "make_thing", "/things"),
            ("makeRange", "make_range", "/ranges"),
            ("makeSingle", "make_single", "/single"),
            ("makeForm", "make_form", "/form"),
        )
    }
    runtime = build_app(path, Service(), operations, AppOptions(access_log=False))
    opened = {
        "mock": mock,
        "gateway": httpx.Client(transport=_Sync(gateway), base_url="http://gw.test"),
        "runtime": httpx.Client(transport=_Sync(runtime), base_url="http://svc.test"),
    }
    yield opened
    for client in opened.values():
        client.close()


class _Sync(httpx.BaseTransport):
    """A synchronous transport over an ASGI app."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        import asyncio  # noqa: PLC0415

        body = request.read()

        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport) as inner:
                found = await inner.request(
                    request.method, str(request.url), headers=request.headers, content=body
                )
                await found.aread()
                return found

        found = asyncio.run(go())
        return httpx.Response(found.status_code, headers=found.headers, content=found.content)


def _crosscheck(path: str, content_type: str | None) -> str:
    request: dict[str, Any] = {"method": "POST", "path": path, "body": json.loads(BODY)}
    if content_type is not None:
        request["headers"] = {"Content-Type": content_type}
    interaction = {"description": "make", "request": request, "response": {"status": 201}}
    pact = PactFile.from_dict(
        {"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": [interaction]}
    )
    found = crosscheck(Contract.from_dict(SPEC), pact)
    codes = {m.code for m in found if m.severity is Severity.ERROR}
    if not codes:
        return OK
    if codes <= {"request.body.incompatible"}:
        return INVALID
    if codes == {"request.content-type.malformed"}:
        return MALFORMED
    return UNSUPPORTED if "request.content-type.incompatible" in codes else ",".join(codes)


@pytest.mark.parametrize(("path", "content_type", "verdict"), TABLE, ids=IDS)
def test_every_server_reads_a_content_type_the_same_way(
    clients: dict[str, httpx.Client], path: str, content_type: str | None, verdict: str
) -> None:
    headers = {} if content_type is None else {"content-type": content_type}
    found = {
        name: _verdict(client.post(path, content=BODY, headers=headers))
        for name, client in clients.items()
    }
    assert found == dict.fromkeys(clients, verdict)


#: where a pact's request Content-Type genuinely reads otherwise than a live request's
CROSSCHECK_DIFFERS: dict[tuple[str, str | None], str] = {
    # a pact recording no Content-Type is a request.content-type.missing warning (as in
    # swagger-mock-validator: the consumer's HTTP library usually adds one on the wire), and
    # its body, of no known type among several, is not checked; a server answers 415
    ("/things", None): OK,
}


@pytest.mark.parametrize(("path", "content_type", "verdict"), TABLE, ids=IDS)
def test_crosscheck_reads_a_pact_content_type_the_same_way(
    path: str, content_type: str | None, verdict: str
) -> None:
    """A malformed header is request.content-type.malformed, a range or a type no key takes
    request.content-type.incompatible, and the body is checked against the most specific
    key's schema. The rows a pact reads otherwise are asserted as they are."""
    expected = CROSSCHECK_DIFFERS.get((path, content_type), verdict)
    assert _crosscheck(path, content_type) == expected


def test_the_selection_is_the_most_specific_key() -> None:
    content = {"*/*": 1, "text/*": 2, "text/plain": 3, "text/plain; charset=utf-8": 4}
    assert select_media(content, "text/plain; charset=UTF-8") == 4
    assert select_media(content, "text/plain") == 3
    assert select_media(content, "text/plain; charset=latin1") == 3
    assert select_media(content, "text/csv") == 2
    assert select_media(content, "image/png") == 1
    assert select_media({"application/json": 1}, None) == 1  # the only documented type
    assert select_media({"application/json": 1, "text/plain": 2}, None) is None


def test_no_content_type_and_no_bytes_is_no_body(clients: dict[str, httpx.Client]) -> None:
    """Not an empty body of the only documented type (an empty form would miss ``name``):
    an optional body left out, a required one missing. connexion, behind the runtime's
    guard, still reads an absent optional form body as an empty form (its validator is
    chosen from the first documented type): asserted as it is, and in the report."""
    expected = {"/form": (True, True, False), "/single": (False, False, False)}
    for path, verdicts in expected.items():
        found = tuple(client.post(path).is_success for client in clients.values())
        assert found == verdicts, path


@pytest.mark.parametrize(
    ("content_type", "body", "problem"),
    [
        ("application/json", b'{"name": "x"}', None),
        ("application/problem+json; charset=utf-8", b'{"name": "x"}', None),
        ("application/problem+json", b"{}", "'name' is a required property"),
        ("", b'{"name": "x"}', None),  # no header: the only documented type
        ("text/plain", b"x", "content type 'text/plain' is not documented"),
        ("application/", b"x", "Content-Type 'application/' is malformed"),
    ],
)
def test_the_gateway_reads_an_upstream_answer_by_the_same_rule(
    content_type: str, body: bytes, problem: str | None
) -> None:
    from accord.gateway._validate import check_response  # noqa: PLC0415

    spec = {
        **SPEC,
        "paths": {
            "/one": {
                "get": {
                    "operationId": "getOne",
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": NAMED}},
                        }
                    },
                }
            }
        },
    }
    contract = Contract.from_dict(spec)  # fmt: skip
    operation = contract.operation("GET", "/one")
    assert operation is not None
    errors = check_response(contract, operation, 200, content_type, body)
    messages = [e["message"].replace('"', "'") for e in errors]
    assert messages == ([] if problem is None else [problem])
