"""Malformed pact files through every command that reads one: ``crosscheck``, ``diff
--pacts``, ``publish``, ``verify --pact`` and ``mock`` refuse each with one line naming
the file, its line and the JSON pointer (exit 2, no traceback); ``lint`` lists it as a
finding at the same line.

The shapes follow the pact specifications' JSON Schemas (V2-V4): the parties and their
names, ``interactions``/``messages`` arrays of objects, a known specification version,
and requests, responses, states, headers, queries, matching rules and message metadata
of the right types. Every pact of the shared corpus still reads cleanly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from accord.core import PactFile
from accord.core._source import load_source
from tests.core.helpers import CORPUS, accord_here, one_line, run_accord

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "contracts/openapi/catalog.yaml"


def _pact(*interactions: Any, **top: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "consumer": {"name": "web"},
        "provider": {"name": "catalog"},
        "interactions": list(interactions) or [_http()],
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }
    data.update(top)
    return {k: v for k, v in data.items() if v is not None}


def _http(request: dict[str, Any] | None = None, **interaction: Any) -> dict[str, Any]:
    out = {
        "description": "a product",
        "request": {"method": "GET", "path": "/products/prd_1", **(request or {})},
        "response": {"status": 200, "body": {"id": "prd_1"}},
    }
    out.update(interaction)
    return {k: v for k, v in out.items() if v is not None}


def _v4(**interaction: Any) -> dict[str, Any]:
    return _pact(
        {**_http(), "type": "Synchronous/HTTP", **interaction},
        metadata={"pactSpecification": {"version": "4.0"}},
    )


MISSING = None  # a key left out

#: name -> (pact, JSON pointer of the problem, words of the message)
HOSTILE: dict[str, tuple[Any, str, str]] = {
    "not-an-object": ([_http()], "", "a pact file is a JSON object"),
    "no-provider": (_pact(provider=MISSING), "", 'required "provider" is missing'),
    "provider-without-name": (_pact(provider={}), "/provider", 'required "name" is missing'),
    "provider-name-number": (_pact(provider={"name": 5}), "/provider", "non-empty string"),
    "consumer-name-blank": (_pact(consumer={"name": " "}), "/consumer", "non-empty string"),
    "provider-a-string": (_pact(provider="catalog"), "/provider", "non-empty string"),
    "interactions-object": (_pact(interactions={"a": _http()}), "/interactions",
                            "must be an array"),
    "no-interactions": (_pact(interactions=MISSING), "", "no `interactions` array"),
    "interaction-a-string": (_pact(interactions=["GET /products"]), "/interactions/0",
                             "must be an object"),
    "unknown-version": (_pact(metadata={"pactSpecification": {"version": "5.0.0"}}),
                        "/metadata/pactSpecification/version",
                        "unknown pact specification version '5.0.0'"),
    "junk-version": (_pact(metadata={"pact-specification": {"version": "banana"}}),
                     "/metadata/pact-specification/version", "unknown pact specification"),
    "version-a-number": (_pact(metadata={"pactSpecification": {"version": 3}}),
                         "/metadata/pactSpecification/version", "must be a string"),
    "metadata-a-list": (_pact(metadata=["3.0.0"]), "/metadata", "must be an object"),
    "unknown-type": (_v4(type="Synchronous/Carrier-Pigeon"), "/interactions/0/type",
                     "unknown interaction type"),
    "no-description": (_pact(_http(description=MISSING)), "/interactions/0/description",
                       "non-empty string"),
    "no-request": (_pact({"description": "d", "response": {"status": 200}}),
                   "/interactions/0/request",
                   "needs a `request` object"),
    "method-bogus": (_pact(_http({"method": "FETCH"})), "/interactions/0/request/method",
                     "HTTP method"),
    "path-relative": (_pact(_http({"path": "products"})), "/interactions/0/request/path",
                      "starting with '/'"),
    "status-text": (_pact(_http(response={"status": "200"})), "/interactions/0/response/status",
                    "integer 100-599"),
    "headers-a-list": (_pact(_http({"headers": ["accept"]})), "/interactions/0/request/headers",
                       "`headers` must be an object"),
    "header-an-object": (_pact(_http({"headers": {"Accept": {"v": 1}}})),
                         "/interactions/0/request/headers/Accept", "header value"),
    "query-nested": (_pact(_http({"query": {"q": [{"a": 1}]}})),
                     "/interactions/0/request/query/q", "query value"),
    "query-a-number": (_pact(_http({"query": 5})), "/interactions/0/request/query",
                       "`query` must be"),
    "states-an-object": (_pact(_http(providerStates={"name": "x"})),
                         "/interactions/0/providerStates", "must be an array"),
    "state-a-number": (_pact(_http(providerState=5)), "/interactions/0/providerState",
                       "must be a string"),
    "pending-a-string": (_v4(pending="false"), "/interactions/0/pending", "true or false"),
    "state-without-name": (_pact(_http(providerStates=[{"params": {}}])),
                           "/interactions/0/providerStates/0", "needs a `name`"),
    "rules-a-string": (_pact(_http(response={"status": 200, "matchingRules": "type"})),
                       "/interactions/0/response/matchingRules", "must be an object"),
    "rule-without-matchers": (
        _pact(_http(response={"status": 200, "matchingRules": {"body": {"$.id": {}}}})),
        "/interactions/0/response/matchingRules/body", "needs a `matchers` array",
    ),
    "body-not-base64": (
        _v4(response={"status": 200, "body": {"content": "!!", "encoded": "base64"}}),
        "/interactions/0/response/body/content", "marked base64",
    ),
    "message-metadata-a-list": (
        _pact(interactions=MISSING, messages=[{"description": "m", "contents": {},
                                               "metadata": ["subject"]}]),
        "/messages/0/metadata", "must be an object",
    ),
    "replies-an-object": (
        _v4(type="Synchronous/Messages", request={"contents": {}}, response={"contents": {}}),
        "/interactions/0/response", "array of messages",
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostile-pacts")
    for name, (data, *_) in HOSTILE.items():
        (out / f"{name}.json").write_text(json.dumps(data, indent=2))
    return out


def _commands(pact: Path, folder: Path) -> dict[str, tuple[str | Path, ...]]:
    return {
        "crosscheck": ("crosscheck", SPEC, pact),
        "diff": ("diff", SPEC, SPEC, "--pacts", pact),
        "publish": ("publish", pact, "--broker", "http://127.0.0.1:9", "--branch", "main",
                    "--consumer-app-version", "1"),
        "verify": ("verify", "--pact", pact, "--workspace", REPO, "--skip-gates",
                   "--no-properties", "--report", folder / "reports",
                   "--results-db", folder / "results.sqlite3"),
    }  # fmt: skip


@pytest.mark.parametrize("command", ["crosscheck", "diff", "publish", "verify"])
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_malformed_pact_is_one_located_line(folder: Path, name: str, command: str) -> None:
    _, pointer, words = HOSTILE[name]
    pact = folder / f"{name}.json"
    code, lines = accord_here(*_commands(pact, folder)[command])
    assert code == 2 and len(lines) == 1, lines
    where = PactFile.from_source(load_source(pact)).locate(pointer)
    assert lines[0].startswith(f"accord: error: {pact}:{where.line}:{where.column}: "), lines
    assert words in lines[0], lines
    assert lines[0].endswith(f" (at {pointer})") if pointer else "(at " not in lines[0], lines


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_lint_lists_a_malformed_pact_at_its_line(folder: Path, name: str) -> None:
    _, pointer, words = HOSTILE[name]
    pact = folder / f"{name}.json"
    code, lines = accord_here("lint", "-q", pact)
    where = PactFile.from_source(load_source(pact)).locate(pointer)
    if name == "not-an-object":  # not recognisable as a pact at all
        assert code == 2 and lines[0].startswith(f"{pact}:1:1:"), lines
        return
    assert code == 1, lines
    assert any(
        line.startswith(f"{pact}:{where.line}:{where.column}: error pact-well-formed: {words}")
        or (line.startswith(f"{pact}:{where.line}:") and words in line)
        for line in lines
    ), lines


@pytest.mark.slow
def test_the_mock_refuses_a_malformed_pact_before_serving(folder: Path) -> None:
    """In a process of its own: a mock that accepted one would serve until the timeout."""
    for name in ("provider-without-name", "unknown-version", "status-text", "header-an-object"):
        _, pointer, words = HOSTILE[name]
        pact = folder / f"{name}.json"
        line = one_line(run_accord("mock", pact, "--port", "1", cwd=folder, timeout=30))
        assert f"{pact.name}:" in line and words in line and f"(at {pointer})" in line, line


def test_every_corpus_pact_still_reads() -> None:
    """All of the corpus's pacts (V1-V4, HTTP, message, plugin) have no problem at all."""
    read = 0
    for path in sorted(CORPUS.resolve().rglob("*.json")):
        try:
            data = json.loads(path.read_bytes())
        except ValueError:  # smv's fixture with a trailing comma is not JSON
            continue
        if isinstance(data, dict) and "consumer" in data and "provider" in data:
            assert PactFile.detect(path) is not None, path
            read += 1
    assert read >= 100, read
