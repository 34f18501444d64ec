"""The mock answers in the type it promises: XML from the schema's ``xml`` hints in every
mode, 401s that name the credential the operation wants, security headers never made up,
and ``--from-pacts SERVICE`` on that service's port."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from accord.core import Contract
from accord.mock import MockApp, MockConfig
from accord.mock._xml import parse_xml, xml_to_data
from tests.mock.conftest import ClientFactory, tiny
from tests.mock.helpers import mock_client

REPO = Path(__file__).resolve().parents[2]
XML = {"Accept": "application/xml"}
PET = {
    "type": "object",
    "required": ["id", "name"],
    "xml": {"name": "pet"},
    "properties": {
        "id": {"type": "integer", "minimum": 1, "xml": {"attribute": True}},
        "name": {"type": "string", "minLength": 1},
        "tags": {"type": "array", "xml": {"wrapped": True},
                 "items": {"type": "string", "xml": {"name": "tag"}}},
    },
}  # fmt: skip
REF = {"$ref": "#/components/schemas/Pet"}


def _both(example: Any = None) -> dict[str, Any]:
    json_media: dict[str, Any] = {"schema": REF}
    if example is not None:
        json_media["example"] = example
    return {"application/json": json_media, "application/xml": {"schema": REF}}


@pytest.fixture
def contract() -> Contract:
    created = {"description": "created", "content": _both()}
    return tiny(
        {
            "/pets": {
                "post": {
                    "operationId": "addPet",
                    "requestBody": {"required": True,
                                    "content": {"application/json": {"schema": REF}}},
                    "responses": {"201": created},
                },
            },
            "/pets/{id}": {
                "get": {
                    "operationId": "getPet",
                    "parameters": [{"name": "id", "in": "path", "required": True,
                                    "schema": {"type": "integer"}}],
                    "responses": {"200": {"description": "ok", "content": _both(
                        {"id": 7, "name": "rex", "tags": ["good", "dog"]})}},
                },
            },
            "/generated": {
                "get": {
                    "operationId": "generated",
                    "responses": {"200": {"description": "ok", "content": _both()}},
                },
            },
        },
        {"schemas": {"Pet": PET}},
    )  # fmt: skip


def _xml(response: Any, contract: Contract) -> dict[str, Any]:
    """The XML body as data, read back with the schema (and checked against it)."""
    assert response.status_code in (200, 201), response.text
    assert response.headers["content-type"] == "application/xml"
    root = parse_xml(response.content)
    assert isinstance(root, ElementTree.Element), root
    assert root.tag == "pet"
    op = contract.operation("get", "/pets/{id}")
    assert op is not None
    schema = op.responses["200"].content["application/xml"].schema
    assert schema is not None
    data = xml_to_data(contract, schema, root)
    assert contract.validator(schema).is_valid(data), data
    return data  # type: ignore[no-any-return]


def test_examples_are_answered_as_xml(client: ClientFactory, contract: Contract) -> None:
    response = client(contract).get("/pets/7", headers=XML)
    assert response.text.endswith(
        '<pet id="7"><name>rex</name><tags><tag>good</tag><tag>dog</tag></tags></pet>'
    )
    assert _xml(response, contract) == {"id": 7, "name": "rex", "tags": ["good", "dog"]}


def test_generated_and_dynamic_answers_are_xml(client: ClientFactory, contract: Contract) -> None:
    mock = client(contract)
    assert set(_xml(mock.get("/generated", headers=XML), contract)) >= {"id", "name"}
    dynamic = mock.get("/generated", headers={**XML, "Prefer": "dynamic=true"})
    assert set(_xml(dynamic, contract)) >= {"id", "name"}


def test_stateful_answers_follow_accept(client: ClientFactory, contract: Contract) -> None:
    mock = client(contract, stateful=True)
    created = mock.post("/pets", json={"id": 41, "name": "ziggy", "tags": ["new"]}, headers=XML)
    stored = _xml(created, contract)
    assert stored["name"] == "ziggy"
    read = mock.get(f"/pets/{stored['id']}", headers=XML)
    assert _xml(read, contract) == stored
    assert mock.get(f"/pets/{stored['id']}").json() == stored  # JSON when Accept allows it


def test_scenarios_answer_in_the_accepted_type(contract: Contract, tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(
        "version: 1\nscenarios:\n  named:\n    getPet: {body: {id: 3, name: scripted, tags: [a]}}\n"
    )
    app = MockApp([("tiny", contract)], MockConfig(), mock_files={"tiny": path})
    mock = mock_client(app)
    headers = {"X-Accord-Scenario": "named"}
    as_xml = mock.get("/pets/3", headers={**headers, **XML})
    assert _xml(as_xml, contract) == {"id": 3, "name": "scripted", "tags": ["a"]}
    assert mock.get("/pets/3", headers=headers).json()["name"] == "scripted"
    mock.close()


def _secured(scheme: dict[str, Any], headers: dict[str, Any] | None = None) -> Contract:
    response: dict[str, Any] = {"description": "ok", "content": {
        "application/json": {"schema": {"type": "object"}}}}  # fmt: skip
    if headers:
        response["headers"] = headers
    return tiny(
        {"/thing": {"get": {"operationId": "getThing", "security": [{"guard": []}],
                            "responses": {"200": response, "401": response}}}},
        {"securitySchemes": {"guard": scheme}},
    )  # fmt: skip


def test_a_401_names_the_api_key_the_operation_wants(client: ClientFactory) -> None:
    mock = client(_secured({"type": "apiKey", "in": "query", "name": "token"}))
    refused = mock.get("/thing")
    assert refused.status_code == 401
    detail = refused.json()["detail"]
    assert "an API key in the query `token` (guard)" in detail and "Bearer" not in detail
    assert "www-authenticate" not in refused.headers  # HTTP has no challenge for API keys
    assert mock.get("/thing", params={"token": "t"}).status_code == 200


def test_a_401_for_basic_auth_challenges_basic(client: ClientFactory) -> None:
    refused = client(_secured({"type": "http", "scheme": "basic"})).get("/thing")
    assert refused.headers["www-authenticate"] == 'Basic realm="accord-mock"'
    assert "`Authorization: Basic <user:password, base64>` (guard)" in refused.json()["detail"]


def test_security_headers_are_never_generated(client: ClientFactory) -> None:
    text = {"schema": {"type": "string", "minLength": 5}}
    headers = {"WWW-Authenticate": text, "Set-Cookie": text, "X-Trace": text}
    mock = client(_secured({"type": "http", "scheme": "bearer"}, headers))
    auth = {"Authorization": "Bearer t"}
    answered = mock.get("/thing", headers=auth)
    assert "set-cookie" not in answered.headers and len(answered.headers["x-trace"]) >= 5
    documented = mock.get("/thing", headers={**auth, "Prefer": "code=401"})
    assert documented.status_code == 401
    assert documented.headers["www-authenticate"] == 'Bearer realm="accord-mock"'


def test_from_pacts_serves_on_the_provider_port(monkeypatch: pytest.MonkeyPatch) -> None:
    from accord.cli._cmd_mock import _workspace_pacts  # noqa: PLC0415
    from accord.workspace import Workspace  # noqa: PLC0415

    monkeypatch.chdir(REPO)
    ports = {name: spec.port for name, spec in Workspace.from_path(REPO).services.items()}
    for service in ("orders", "catalog"):
        pacts, port = _workspace_pacts([service])
        assert pacts and {p.provider for p in pacts} == {service}
        assert port == ports[service]
    _, shared = _workspace_pacts([])  # several providers: the shared default port
    assert shared == 8000


def test_nested_form_fields_are_read_back_typed(client: ClientFactory) -> None:
    tier = {
        "type": "object",
        "required": ["up_to"],
        "properties": {"up_to": {"type": "integer"}, "flat": {"type": "boolean"}},
    }
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["tiers"],
        "properties": {
            "tiers": {"type": "array", "items": tier},
            "product": {
                "anyOf": [
                    {"type": "string"},
                    {"type": "object", "properties": {"n": {"type": "integer"}}},
                ]
            },
            "rates": {
                "anyOf": [
                    {"type": "array", "items": {"type": "string"}},
                    {"type": "string", "enum": [""]},
                ]
            },
        },
    }
    mock = client(tiny({"/prices": {"post": {
        "requestBody": {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": schema}}},
        "responses": {"204": {"description": "ok"}}}}}))  # fmt: skip
    form = "tiers[0][up_to]=10&tiers[0][flat]=true&product[n]=3&rates=r1"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    assert mock.post("/prices", content=form, headers=headers).status_code == 204
    wrong = mock.post("/prices", content="tiers[0][up_to]=ten", headers=headers)
    assert wrong.status_code == 400 and "/tiers/0/up_to" in wrong.text
