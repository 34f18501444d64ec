"""``accord mock`` on every OpenAPI document of the shared corpus, then schemathesis against it.

Every OpenAPI 3.0/3.1 document must start (all its operations planned) and, under
schemathesis' positive and negative data, never answer 5xx nor an answer that breaks
its own schema. The documents Accord refuses by design are listed with their reason
and must be refused with one line on stderr and exit code 2.

Kept to a few minutes on two cores: 4 examples per operation and mode, and at most
:data:`MAX_OPERATIONS` operations per document (Stripe's 450 and OpenAI's 237
operations are sampled: the first ones schemathesis lists).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from accord.core import Contract
from accord.mock import MockApp, MockConfig
from tests.mock.helpers import run_schemathesis

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "openapi"
#: documents Accord refuses by design, and why
REFUSED = {
    "kubernetes/kubernetes-v1.28.0.swagger2.json": "Swagger 2.0 is not supported",
    "oai-examples/v3.2/3.2-tags-example.yaml": "OpenAPI 3.2.0 is not supported",
}
DOCUMENTS = sorted(
    str(p.relative_to(CORPUS))
    for p in CORPUS.rglob("*")
    if p.is_file() and p.suffix in (".json", ".yaml", ".yml")
)
#: what a document's own defects allow, as (operation or "*", failure kind), and why; any
#: other finding fails. A 501 is the mock saying no conforming answer exists.
ALLOWED: dict[str, list[tuple[str, str]]] = {
    "apis-guru-3.1/vercel.com__0.0.1.json": [
        # EdgeConfigItemValue is `type: null` next to a oneOf of five non-null types: no value
        # satisfies it, and these answers require it
        ("GET /v1/edge-config/{edgeConfigId}/item/{edgeConfigItemKey}", "ServerError 501"),
        ("GET /v1/edge-config/{edgeConfigId}/items", "ServerError 501"),
        # gitAccount.namespaceId: the same `type: null` next to a oneOf of non-null types
        ("GET /v1/integrations/search-repo", "ServerError 501"),
    ],
    # OpenAPI 3.1 makes `responses` optional; with none documented, no answer conforms
    "oai-examples/v3.1/non-oauth-scopes.yaml": [("GET /users", "ServerError 501")],
    "apis-guru-3.1/openai.com__2.3.0.json": [
        # discriminators without a mapping over branches whose `type` enum is not the schema's
        # name: the implicit tag breaks the branch's schema; the mock keeps the schema's value
        ("*", "DiscriminatorMismatch"),
        # ContainerResource lists `required` names twice; schemathesis refuses to check it
        ("*", "InvalidSchema"),
    ],
}
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
MAX_OPERATIONS = 30
EXAMPLES = 4


def test_the_corpus_is_there() -> None:
    assert len(DOCUMENTS) > 30, f"the shared corpus is missing under {CORPUS}"
    assert set(REFUSED) <= set(DOCUMENTS)


@pytest.mark.slow
@pytest.mark.parametrize("relative", sorted(REFUSED))
def test_documents_refused_by_design_are_one_line(relative: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "accord", "mock", str(CORPUS / relative), "--port", "1"],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert REFUSED[relative] in lines[0]


def _matches(failure: str, operation: str, kind: str) -> bool:
    if kind == "InvalidSchema":
        return failure.startswith("schemathesis cannot check ")
    return (operation == "*" or failure.startswith(f"{operation} [")) and f"] {kind}:" in failure


@pytest.mark.slow
@pytest.mark.parametrize("relative", [d for d in DOCUMENTS if d not in REFUSED])
def test_the_mock_starts_and_passes_schemathesis(relative: str) -> None:
    path = CORPUS / relative
    contract = Contract.from_path(path)
    app = MockApp([contract], MockConfig())
    app.warm()  # every operation planned, as `accord mock` does at start
    outcome = run_schemathesis(
        path, max_examples=EXAMPLES, checks=CHECKS, max_operations=MAX_OPERATIONS, app=app
    )
    assert outcome.operations > 0 or not contract.operations  # webhooks only: nothing to call
    allowed = ALLOWED.get(relative, [])
    real = [f for f in outcome.failures if not any(_matches(f, *a) for a in allowed)]
    assert real == [], "\n\n".join(real)
