"""Content negotiation: ``Accept`` picks the documented media type; 406 when none fits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from accord.core import Contract, Direction
from accord.mock import MockApp, MockConfig
from accord.mock._accept import parse_accept, preferred
from accord.mock._exchange import Service
from tests.mock.conftest import ClientFactory, tiny
from tests.mock.helpers import mock_client

AUTH = {"Authorization": "Bearer anything"}
JSON_SCHEMA = {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}
V2_SCHEMA = {"type": "object", "required": ["name"], "additionalProperties": False,
             "properties": {"name": {"type": "string", "minLength": 3}}}  # fmt: skip
PROBLEM = {"type": "object", "required": ["status"], "properties": {"status": {"type": "integer"}}}


def _report() -> dict[str, Any]:
    """GET /report: JSON (generated), XML and CSV (examples), v2 JSON; 404 JSON only."""
    content = {
        "application/json": {"schema": JSON_SCHEMA},
        "application/xml": {"examples": {"full": {"value": "<report id='1'/>"},
                                         "only-xml": {"value": "<only/>"}}},
        "text/csv": {"example": "id\n1\n"},
        "application/vnd.report.v2+json": {"schema": V2_SCHEMA},
    }  # fmt: skip
    return {
        "operationId": "getReport",
        "responses": {
            "200": {"description": "ok", "content": content},
            "404": {"description": "missing",
                    "content": {"application/json": {"schema": PROBLEM}}},
        },
    }  # fmt: skip


@pytest.fixture
def contract() -> Contract:
    json_examples = {"full": {"value": {"id": 7}}, "only-json": {"value": {"id": 8}}}
    report = _report()
    report["responses"]["200"]["content"]["application/json"]["examples"] = json_examples
    plain = _report()
    del plain["responses"]["200"]["content"]["application/json"]
    del plain["responses"]["200"]["content"]["application/vnd.report.v2+json"]
    plain["operationId"] = "getPlain"
    return tiny(
        {
            "/report": {"get": report},
            "/generated": {"get": {**_report(), "operationId": "getGenerated"}},
            "/plain": {"get": plain},
            "/report/{id}": {
                "delete": {
                    "parameters": [{"name": "id", "in": "path", "required": True,
                                    "schema": {"type": "integer"}}],
                    "responses": {"204": {"description": "gone"}},
                },
            },
            "/secret": {
                "get": {
                    "security": [{"key": []}],
                    "responses": {"200": {"description": "ok", "content": {
                        "application/json": {"example": {"id": 1}}}}},
                },
            },
        },
        {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}},
    )  # fmt: skip


def _valid(contract: Contract, media: str, body: object) -> bool:
    op = contract.operation("get", "/generated")
    assert op is not None
    schema = op.responses["200"].content[media].schema
    assert schema is not None
    return contract.validator(schema, Direction.RESPONSE).is_valid(body)


# the parser ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/xml", [1]),
        ("text/csv, application/json", [0, 2]),  # equal weights keep the offered order
        ("application/json;q=0.5, text/csv", [2, 0]),
        ("text/*, */*;q=0.1", [2, 0, 1]),
        ("text/*;q=0.9, text/csv;q=0", []),  # the most specific range decides
        ("application/xml;charset=utf-8", [1]),  # parameters do not take part in matching
        ("APPLICATION/XML;Q=0.2, */*;q=0.1", [1, 0, 2]),
        ("image/png", []),
        ("garbage", [0, 1, 2]),  # nothing readable: anything goes
        ("application/json;q=abc", [0]),  # an unreadable weight counts as 1
    ],
)
def test_preferred_ranks_offered_types(accept: str, expected: list[int]) -> None:
    assert preferred(accept, ["application/json", "application/xml", "text/csv"]) == expected


def test_an_offered_wildcard_matches_overlapping_ranges() -> None:
    assert preferred("image/png", ["application/json", "image/*"]) == [1]
    assert preferred("image/png;q=0", ["*/*"]) == []
    assert parse_accept("text/html;level=1;q=0.4;ext=1")[0].q == 0.4


def test_quoted_parameter_values_split_nothing() -> None:
    offered = ["application/json", "application/xml", "text/csv"]
    # a comma inside quotes starts no range (it used to read a text/csv range here)
    assert preferred('application/xml; note="x, text/csv;y=1"', offered) == [1]
    # nor does a semicolon start a parameter (it used to read q=0 and refuse text/csv)
    assert preferred('text/csv; note="a;q=0;"', offered) == [2]
    (only,) = parse_accept('text/csv; note="a\\"b, c"; q=0.3')
    assert (only.type, only.subtype, only.q) == ("text", "csv", 0.3)


# answers -------------------------------------------------------------------------------------
def test_without_preference_the_answer_is_json(client: ClientFactory, contract: Contract) -> None:
    mock = client(contract)
    for accept in (None, "", "*/*", "application/json", "application/*"):
        headers = {} if accept is None else {"Accept": accept}
        response = mock.get("/report", headers=headers)
        assert response.status_code == 200, accept
        assert response.headers["content-type"] == "application/json"
        assert response.json() == {"id": 7}
        assert response.headers["vary"] == "Accept"


def test_accept_chooses_the_media_type_and_its_example(
    client: ClientFactory, contract: Contract
) -> None:
    mock = client(contract)
    xml = mock.get("/report", headers={"Accept": "application/xml"})
    assert (xml.status_code, xml.headers["content-type"]) == (200, "application/xml")
    assert xml.text == "<report id='1'/>"
    csv = mock.get("/report", headers={"Accept": "application/json;q=0.5, text/*"})
    assert (csv.headers["content-type"], csv.text) == ("text/csv", "id\n1\n")
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert mock.get("/report", headers={"Accept": browser}).text == "<report id='1'/>"


def test_json_is_generated_from_the_chosen_media_types_schema(
    client: ClientFactory, contract: Contract
) -> None:
    mock = client(contract)
    v2 = mock.get("/generated", headers={"Accept": "application/vnd.report.v2+json"})
    assert v2.headers["content-type"] == "application/vnd.report.v2+json"
    assert _valid(contract, "application/vnd.report.v2+json", v2.json())
    assert not _valid(contract, "application/json", v2.json())
    dynamic = mock.get(
        "/generated",
        headers={"Accept": "application/vnd.report.v2+json", "Prefer": "dynamic=true"},
    )
    assert _valid(contract, "application/vnd.report.v2+json", dynamic.json())
    plain = mock.get("/generated", headers={"Accept": "application/json"})
    assert _valid(contract, "application/json", plain.json())


def test_non_json_without_example_or_schema_answers_empty(client: ClientFactory) -> None:
    contract = tiny({"/img": {"get": {"responses": {"200": {"description": "ok", "content": {
        "application/json": {"example": {"id": 1}}, "image/png": {}}}}}}})  # fmt: skip
    found = client(contract).get("/img", headers={"Accept": "image/*"})
    assert (found.status_code, found.headers["content-type"], found.content) == (
        200,
        "image/png",
        b"",
    )


def test_nothing_acceptable_is_406_naming_the_offered_types(
    client: ClientFactory, contract: Contract
) -> None:
    mock = client(contract)
    refused = mock.get("/report", headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["title"] == "Not Acceptable"
    for media in ("application/json", "application/xml", "text/csv", "vnd.report.v2+json"):
        assert media in problem["detail"]
    zero = mock.get("/report", headers={"Accept": "application/json;q=0, text/html"})
    assert zero.status_code == 406


def test_406_is_fitted_to_the_documented_error(client: ClientFactory) -> None:
    ok = {"description": "ok", "content": {"application/json": {"example": {"id": 1}}}}
    contract = tiny({
        "/a": {"get": {"responses": {"200": ok, "406": {"description": "no", "content": {
            "application/json": {"schema": PROBLEM}}}}}},
        "/b": {"get": {"responses": {"200": ok, "default": {"description": "error", "content": {
            "application/json": {"schema": {"type": "object", "required": ["code"],
                                            "properties": {"code": {"type": "string"}}},
                                 "example": {"code": "E"}}}}}}},
    })  # fmt: skip
    mock = client(contract)
    documented = mock.get("/a", headers={"Accept": "text/csv"})
    assert (documented.status_code, documented.json()["status"]) == (406, 406)
    fitted = mock.get("/b", headers={"Accept": "text/csv"})
    assert (fitted.status_code, fitted.json()) == (406, {"code": "E"})
    assert "text/csv" in fitted.headers["accord-problem"]


def test_no_content_and_problems_are_never_refused(
    client: ClientFactory, contract: Contract
) -> None:
    mock = client(contract)
    accept = {"Accept": "image/png"}
    assert mock.delete("/report/1", headers=accept).status_code == 204
    assert mock.delete("/report/x", headers=accept).status_code == 400
    assert mock.get("/secret", headers=accept).status_code == 401
    assert mock.get("/nowhere", headers=accept).status_code == 404
    assert mock.post("/report", headers=accept).status_code == 405
    missing = mock.get("/report", headers={**accept, "Prefer": "code=404"})
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/json"


def test_prefer_code_and_example_respect_accept(client: ClientFactory, contract: Contract) -> None:
    mock = client(contract)
    coded = mock.get("/report", headers={"Accept": "text/csv", "Prefer": "code=200"})
    assert (coded.status_code, coded.text) == (200, "id\n1\n")
    full = mock.get("/report", headers={"Accept": "application/xml", "Prefer": "example=full"})
    assert full.text == "<report id='1'/>"
    # the example exists in JSON only: an acceptable JSON is used, else 406
    fallback = "application/xml, application/json;q=0.1"
    only = mock.get("/report", headers={"Accept": fallback, "Prefer": "example=only-json"})
    assert only.json() == {"id": 8}
    refused = mock.get(
        "/report", headers={"Accept": "application/xml", "Prefer": "example=only-json"}
    )
    assert refused.status_code == 406
    # without Accept, an example of another media type is found too
    xml_only = mock.get("/report", headers={"Prefer": "example=only-xml"})
    assert (xml_only.headers["content-type"], xml_only.text) == ("application/xml", "<only/>")
    unknown = mock.get("/report", headers={"Accept": "application/xml", "Prefer": "example=no"})
    assert unknown.status_code == 400 and "only-xml" in unknown.json()["detail"]


def test_a_response_without_json_answers_in_its_first_type(
    client: ClientFactory, contract: Contract
) -> None:
    mock = client(contract)
    first = mock.get("/plain")
    assert (first.headers["content-type"], first.text) == ("application/xml", "<report id='1'/>")
    assert mock.get("/plain", headers={"Accept": "application/json"}).status_code == 406


def test_scenarios_are_held_to_accept(contract: Contract, tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(
        "version: 1\nscenarios:\n  full:\n    getReport: {example: full}\n"
        "  gone:\n    getReport: {status: 404, body: {status: 404}}\n"
    )
    app = MockApp([("tiny", contract)], MockConfig(), mock_files={"tiny": path})
    mock = mock_client(app)
    scripted = mock.get("/report", headers={"X-Accord-Scenario": "full", "Accept": "*/*"})
    assert scripted.json() == {"id": 7}
    refused = mock.get("/report", headers={"X-Accord-Scenario": "full", "Accept": "text/csv"})
    assert refused.status_code == 406 and "application/json" in refused.json()["detail"]
    gone = mock.get("/report", headers={"X-Accord-Scenario": "gone", "Accept": "text/csv"})
    assert gone.status_code == 404
    mock.close()


def test_answers_per_media_type_are_planned_once(contract: Contract) -> None:
    op = contract.operation("get", "/report")
    assert op is not None
    plan = Service("tiny", contract, 0).plan(op).responses["200"]
    xml = plan.acceptable("application/xml")
    assert xml == plan.acceptable("application/xml") and xml[0] is plan.offered()[1]
    assert xml[0].canned() is xml[0].canned()
    assert plan.acceptable("application/json")[0] is plan
    assert plan.media_types()[0] == "application/json"
