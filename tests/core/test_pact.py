"""Pact files V2-V4 read into one model (accord.core._pact)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from accord._errors import LoadError, PactError
from accord.core import Body, PactFile, ProviderState
from tests.core.helpers import WriteFile

V2_HTTP = "pacts/pact-python/v2-http.json"
V3_HTTP = "pacts/pact-python/v3-http.json"
V4_HTTP = "pacts/pactflow/pactflow-example-consumer-pactflow-example-provider.json"
V3_MESSAGE = "pacts/pact-python/v3-message.json"


def _pact(version: str, *interactions: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "consumer": {"name": "web"},
        "provider": {"name": "orders"},
        "interactions": list(interactions),
        "metadata": {"pactSpecification": {"version": version}},
        **extra,
    }


def _http(request: dict[str, Any], response: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "description": "an interaction",
        "request": {"method": "GET", "path": "/orders", **request},
        "response": response if response is not None else {"status": 200},
    }


# corpus: V2 -----------------------------------------------------------------------------


def test_v2_corpus_pact_reads_cleanly(corpus: Path) -> None:
    pact = PactFile.from_path(corpus / V2_HTTP)
    assert pact.problems == []
    assert (pact.consumer, pact.provider, pact.spec_version) == (
        "Example App",
        "Example API",
        "2.0.0",
    )
    assert len(pact.interactions) == 3
    assert [i.is_http for i in pact.interactions] == [True, True, True]
    assert [i.pointer for i in pact.interactions] == [f"/interactions/{n}" for n in range(3)]


def test_v2_provider_state_becomes_provider_states(corpus: Path) -> None:
    pact = PactFile.from_path(corpus / V2_HTTP)
    assert [i.provider_states for i in pact.interactions] == [
        (ProviderState("there is an alligator named Mary"),),
        (ProviderState("there is not an alligator named Mary"),),
        (ProviderState("an error occurs retrieving an alligator"),),
    ]


def test_v2_requests_and_responses(corpus: Path) -> None:
    first = PactFile.from_path(corpus / V2_HTTP).interactions[0]
    assert first.request is not None and first.response is not None
    assert first.request.method == "GET"  # upper-cased from "get"
    assert first.request.path == "/alligators/Mary"
    assert first.request.headers == {"accept": ("application/json",)}
    assert first.request.body == Body()
    assert first.response.status == 200
    assert first.response.headers == {"content-type": ("application/json;charset=utf-8",)}
    assert first.response.body == Body(True, {"name": "Mary"}, "application/json;charset=utf-8")
    assert first.response.body.is_json


def test_v2_flat_matching_rules_are_normalised(corpus: Path) -> None:
    first = PactFile.from_path(corpus / V2_HTTP).interactions[0]
    assert first.response is not None
    assert first.response.matching_rules == {
        "body": {"$.name": {"combine": "AND", "matchers": [{"match": "type"}]}}
    }


def test_v2_flat_matching_rules_for_every_category() -> None:
    rules = {
        "$.body": {"match": "type"},
        "$.body[0].name": {"match": "type"},
        "$.body.items[*].id": {"match": "regex", "regex": "\\d+"},
        "$.headers.Accept": {"match": "regex", "regex": "json"},
        "$.query.limit": {"match": "regex", "regex": "\\d+"},
    }
    pact = PactFile.from_dict(_pact("2.0.0", _http({"matchingRules": rules})))
    request = pact.interactions[0].request
    assert request is not None
    assert pact.problems == []
    normalised = request.matching_rules
    assert set(normalised) == {"body", "header", "query"}
    assert set(normalised["body"]) == {"$", "$[0].name", "$.items[*].id"}
    assert normalised["header"] == {
        "Accept": {"combine": "AND", "matchers": [{"match": "regex", "regex": "json"}]}
    }
    assert normalised["query"]["limit"]["matchers"] == [{"match": "regex", "regex": "\\d+"}]


def test_v2_path_rule_is_normalised_like_a_v3_path_rule() -> None:
    rule = {"match": "regex", "regex": "/orders/\\d+"}
    v2 = PactFile.from_dict(_pact("2.0.0", _http({"matchingRules": {"$.path": rule}})))
    v3_rules = {"path": {"combine": "AND", "matchers": [rule]}}
    v3 = PactFile.from_dict(_pact("3.0.0", _http({"matchingRules": v3_rules})))
    assert v2.interactions[0].request is not None and v3.interactions[0].request is not None
    assert v2.interactions[0].request.matching_rules == v3.interactions[0].request.matching_rules


def test_v2_query_string_is_parsed_to_tuples() -> None:
    pact = PactFile.from_dict(_pact("2.0.0", _http({"query": "a=1&b=two%20words&a=3&empty="})))
    request = pact.interactions[0].request
    assert request is not None
    assert request.query == {"a": ("1", "3"), "b": ("two words",), "empty": ("",)}


def test_v2_pact_without_metadata_is_v2() -> None:
    data = _pact("x", _http({}))
    del data["metadata"]
    assert PactFile.from_dict(data).spec_version == "2.0.0"


# corpus: V3 -----------------------------------------------------------------------------


def test_v3_corpus_pact(corpus: Path) -> None:
    pact = PactFile.from_path(corpus / V3_HTTP)
    assert pact.problems == []
    assert (pact.consumer, pact.provider, pact.spec_version) == (
        "http-consumer-1",
        "http-provider",
        "3.0.0",
    )
    [interaction] = pact.interactions
    assert interaction.provider_states == (ProviderState("No book fixtures required"),)
    request = interaction.request
    assert request is not None
    assert (request.method, request.path) == ("POST", "/api/books")
    assert request.headers == {"content-type": ("application/json",)}
    assert request.body.present and request.body.is_json
    assert request.body.content["isbn"] == "0099740915"
    assert request.matching_rules["body"]["$.author"] == {
        "combine": "AND",
        "matchers": [{"match": "type"}],
    }
    assert interaction.response is not None
    assert interaction.response.body.content_type == "application/ld+json; charset=utf-8"
    assert interaction.response.body.is_json  # +json counts as JSON


def test_v3_query_dict_becomes_tuples() -> None:
    query = {"a": ["1", "3"], "b": "2", "n": [5]}
    pact = PactFile.from_dict(_pact("3.0.0", _http({"query": query})))
    request = pact.interactions[0].request
    assert request is not None
    assert request.query == {"a": ("1", "3"), "b": ("2",), "n": ("5",)}


def test_v3_provider_state_params() -> None:
    interaction = _http({})
    interaction["providerStates"] = [{"name": "an order", "params": {"id": 7}}, {"name": "x"}]
    pact = PactFile.from_dict(_pact("3.0.0", interaction))
    assert pact.interactions[0].provider_states == (
        ProviderState("an order", {"id": 7}),
        ProviderState("x"),
    )


# corpus: V4 -----------------------------------------------------------------------------


def test_v4_corpus_pact_bodies_use_content_and_content_type(corpus: Path) -> None:
    pact = PactFile.from_path(corpus / V4_HTTP)
    assert pact.problems == []
    assert pact.spec_version == "4.0"
    assert (pact.consumer, pact.provider) == (
        "pactflow-example-consumer",
        "pactflow-example-provider",
    )
    assert len(pact.interactions) == 4
    assert all(i.type == "Synchronous/HTTP" and i.is_http for i in pact.interactions)
    create = pact.interactions[0]
    assert create.request is not None and create.response is not None
    assert create.request.body == Body(
        True,
        {"id": "100", "name": "Latitude Go", "type": "CREDIT_CARD", "version": "v1"},
        "application/json",
    )
    assert create.request.headers["authorization"] == ("Bearer 2019-01-14T11:34:18.045Z",)
    # the body's own contentType wins over the header's
    assert create.response.headers["content-type"] == ("application/json; charset=utf-8",)
    assert create.response.body.content_type == "application/json"
    assert create.pending is False
    assert "Authorization" in create.request.matching_rules["header"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"content": "aGk=", "contentType": "application/octet-stream", "encoded": "base64"},
            b"hi",
        ),
        ({"content": '{"a": 1}', "contentType": "application/json", "encoded": "json"}, {"a": 1}),
        ({"content": "plain", "contentType": "text/plain", "encoded": False}, "plain"),
    ],
)
def test_v4_encoded_bodies_are_decoded(body: dict[str, Any], expected: Any) -> None:
    interaction = {**_http({"body": body}), "type": "Synchronous/HTTP"}
    pact = PactFile.from_dict(_pact("4.0", interaction))
    request = pact.interactions[0].request
    assert pact.problems == []
    assert request is not None
    assert request.body.content == expected
    assert request.body.content_type == body["contentType"]


def test_v4_bad_base64_body_is_a_problem() -> None:
    body = {"content": "!!!", "contentType": "application/octet-stream", "encoded": "base64"}
    pact = PactFile.from_dict(_pact("4.0", {**_http({"body": body}), "type": "Synchronous/HTTP"}))
    assert pact.problems == [
        ("/interactions/0/request/body/content", "body is marked base64 but is not")
    ]


# messages -------------------------------------------------------------------------------


def test_message_pact_interactions_are_not_http(corpus: Path) -> None:
    pact = PactFile.from_path(corpus / V3_MESSAGE)
    assert pact.problems == []
    assert (pact.consumer, pact.provider, pact.spec_version) == (
        "message-consumer-2",
        "message-provider",
        "3.0.0",
    )
    [message] = pact.interactions
    assert message.type == "Asynchronous/Messages"
    assert message.is_http is False
    assert message.request is None and message.response is None
    assert message.pointer == "/messages/0"
    assert message.provider_states[0].name.startswith("A book with id")
    assert pact.http_interactions == []


def test_v4_message_interaction_in_interactions_is_not_http() -> None:
    message = {"description": "an event", "type": "Asynchronous/Messages", "contents": {}}
    pact = PactFile.from_dict(_pact("4.0", message, _http({})))
    assert [i.is_http for i in pact.interactions] == [False, True]
    assert len(pact.http_interactions) == 1


# headers --------------------------------------------------------------------------------


def test_header_names_are_lower_cased_and_values_are_tuples() -> None:
    request = {"headers": {"X-Request-ID": "abc", "Accept": ["a/b", "c/d"]}}
    pact = PactFile.from_dict(
        _pact("3.0.0", _http(request, {"status": 201, "headers": {"ETag": 'W/"1"'}}))
    )
    interaction = pact.interactions[0]
    assert interaction.request is not None and interaction.response is not None
    assert interaction.request.headers == {"x-request-id": ("abc",), "accept": ("a/b", "c/d")}
    assert interaction.response.headers == {"etag": ('W/"1"',)}
    assert interaction.response.status == 201


# problems -------------------------------------------------------------------------------


def test_missing_consumer_name_is_a_problem() -> None:
    data = _pact("3.0.0", _http({}))
    data["consumer"] = {}
    pact = PactFile.from_dict(data)
    assert pact.consumer == ""
    assert pact.problems == [("/consumer", 'required "name" is missing')]
    data["consumer"] = {"name": " "}
    assert PactFile.from_dict(data).problems == [
        ("/consumer", "`consumer.name` must be a non-empty string")
    ]


@pytest.mark.parametrize("status", ["200", 200.0, True, 99, 600, None])
def test_status_that_is_not_an_int_in_range_is_a_problem(status: Any) -> None:
    pact = PactFile.from_dict(_pact("3.0.0", _http({}, {"status": status})))
    assert [p for p, _ in pact.problems] == ["/interactions/0/response/status"]
    assert pact.interactions[0].response is not None
    assert pact.interactions[0].response.status == 200


@pytest.mark.parametrize("method", ["FETCH", "", 3, None])
def test_invalid_method_is_a_problem(method: Any) -> None:
    pact = PactFile.from_dict(_pact("3.0.0", _http({"method": method})))
    assert [p for p, _ in pact.problems] == ["/interactions/0/request/method"]


def test_path_not_starting_with_slash_is_a_problem() -> None:
    pact = PactFile.from_dict(_pact("3.0.0", _http({"path": "orders"})))
    assert [p for p, _ in pact.problems] == ["/interactions/0/request/path"]


def test_interactions_not_an_array_is_a_problem() -> None:
    data = _pact("3.0.0")
    data["interactions"] = {"description": "oops"}
    pact = PactFile.from_dict(data)
    assert pact.problems == [("/interactions", "`interactions` must be an array")]
    assert pact.interactions == ()


def test_no_interactions_at_all_is_a_problem() -> None:
    data = _pact("3.0.0")
    del data["interactions"]
    assert [p for p, _ in PactFile.from_dict(data).problems] == [""]


def test_every_problem_is_collected_with_its_pointer() -> None:
    data = _pact(
        "3.0.0",
        "not an object",
        {
            "description": "",
            "request": {"method": "FETCH", "path": "/a"},
            "response": {"status": "x"},
        },
        {"description": "no request or response"},
    )
    data["provider"] = {"name": "  "}
    pointers = sorted(p for p, _ in PactFile.from_dict(data).problems)
    assert pointers == [
        "/interactions/0",
        "/interactions/1/description",
        "/interactions/1/request/method",
        "/interactions/1/response/status",
        "/interactions/2/request",
        "/interactions/2/response",
        "/provider",
    ]


def test_from_path_refuses_a_pact_with_problems_at_the_first_one(write: WriteFile) -> None:
    """The pact's parties and version are read first: their problems are named first."""
    data = _pact("3.0.0", _http({}, {"status": "200"}))
    path = write("bad-pact.json", json.dumps(data, indent=2))
    with pytest.raises(PactError, match=r"`status` must be an integer") as info:
        PactFile.from_path(path)  # every reader but lint's refuses a pact with problems
    loc = info.value.location
    assert loc is not None
    assert loc.pointer == "/interactions/0/response/status"
    assert loc.file.endswith("bad-pact.json")
    lines = path.read_text().splitlines()
    assert '"status": "200"' in lines[loc.line - 1]
    data["consumer"] = {"name": ""}
    path.write_text(json.dumps(data, indent=2))
    with pytest.raises(PactError, match=r"`consumer.name` .*\(and 1 more\)") as info:
        PactFile.from_path(path)
    assert info.value.location is not None and info.value.location.pointer == "/consumer"


def test_raise_for_problems_returns_a_clean_pact(corpus: Path) -> None:
    pact = PactFile.from_path(corpus / V2_HTTP)
    assert pact.raise_for_problems() is pact


def test_unparseable_pact_file_is_a_load_error(write: WriteFile) -> None:
    with pytest.raises(LoadError):
        PactFile.from_path(write("broken.json", '{"consumer": '))


def test_v1_provider_state_is_read_like_v2s() -> None:
    """pact-specification V1 spelled it ``provider_state`` (swagger-mock-validator reads it)."""
    data = _pact("1.0.0", {**_http({}), "provider_state": "a user exists"})
    pact = PactFile.from_dict(data)
    assert pact.problems == []
    assert pact.interactions[0].provider_states == (ProviderState("a user exists"),)
