"""Schemathesis against the mock of each contract: every check, positive and negative data.

The mock must never answer 5xx and every answer must conform to the contract it
mocks. The real-world documents add one honest exception, "contract gaps": a
rejection the document gives no way to express (a 400 for invalid input on an
operation that documents none of 400, 422, 4XX or default; a 401 for missing
credentials on one that documents none of 401, 403, 4XX or default). Those are
reported and allowed only in that exact form (``helpers._is_gap``). So are
"serialization gaps": invalid data inside a nested object of a form body, which
the form encoding cannot carry (``helpers._is_form_gap``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.mock import MockConfig
from tests.mock.helpers import SHOP, Outcome, run_schemathesis

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "openapi"

#: real documents on which schemathesis must find nothing at all, not even a gap
CLEAN_DOCS = [
    "oai-examples/v3.0/petstore.yaml",
    "oai-examples/v3.0/petstore-expanded.yaml",
    "oai-examples/v3.0/api-with-examples.yaml",
    "oai-examples/v3.1/tictactoe.yaml",
    "pactflow/example-consumer-products.yml",
    "twilio/twilio_monitor_v2.json",
    "apis-guru-3.1/urlbox.io__v1.json",
    "apis-guru-3.1/placekit.co__1.0.0.json",
    "apis-guru-3.1/wolframalpha.com__v0.1.json",
    "apis-guru-3.1/adyen.com__RecurringService__40.json",
    "apis-guru-3.1/adyen.com__PayoutService__67.json",
]
#: real documents where the only findings allowed are the gaps described above
GAPPED_DOCS = [
    "petstore/swagger-petstore-v3.yaml",  # form bodies with nested objects
    "oai-examples/v3.0/link-example.yaml",  # no 400 documented
    "oai-examples/v3.0/uspto.yaml",
    "oai-examples/v3.0/callback-example.yaml",
    "redocly/museum-openapi.yaml",  # no 401 documented
    "pactflow/example-provider-openapi.yaml",
    "pactflow/bdct-provider-dredd-products.yml",
    "twilio/twilio_oauth_v1.json",
    "twilio/twilio_studio_v1.json",
    "twilio/twilio_accounts_v1.json",
]


def _assert_clean(outcome: Outcome) -> None:
    assert outcome.operations > 0 and outcome.cases > 0
    assert outcome.failures == [], "\n\n".join(outcome.failures)


@pytest.mark.parametrize("name", ["orders", "payments", "catalog"])
def test_the_shop_mocks_pass_schemathesis(name: str) -> None:
    _assert_clean(run_schemathesis(SHOP / f"{name}.yaml", max_examples=15))


@pytest.mark.parametrize("name", ["orders", "payments", "catalog"])
def test_the_stateful_shop_mocks_pass_schemathesis(name: str) -> None:
    config = MockConfig(stateful=True, seed=3)
    _assert_clean(run_schemathesis(SHOP / f"{name}.yaml", max_examples=15, config=config))


def test_the_harness_catches_a_mock_that_accepts_everything() -> None:
    """With validation off the mock accepts invalid data; schemathesis must say so."""
    outcome = run_schemathesis(
        SHOP / "orders.yaml", max_examples=10, config=MockConfig(validate=False)
    )
    assert outcome.failures
    assert all("AcceptedNegativeData" in f for f in outcome.failures)


def _corpus(relative: str) -> Path:
    path = CORPUS / relative
    assert path.is_file(), f"the shared corpus is missing {path}"
    return path


@pytest.mark.slow
@pytest.mark.parametrize("relative", CLEAN_DOCS)
def test_real_documents_clean(relative: str) -> None:
    _assert_clean(run_schemathesis(_corpus(relative), max_examples=8))


@pytest.mark.slow
@pytest.mark.parametrize("relative", GAPPED_DOCS)
def test_real_documents_with_gaps(relative: str) -> None:
    outcome = run_schemathesis(_corpus(relative), max_examples=8)
    assert outcome.operations > 0 and outcome.cases > 0
    real = [
        f for f in outcome.failures if not f.startswith(("contract gap:", "serialization gap:"))
    ]
    assert real == [], "\n\n".join(real)
