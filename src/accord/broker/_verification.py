"""Verification: the pacts a provider should verify now, and their results."""

from __future__ import annotations

from typing import Any

from accord.broker import _selection
from accord.broker._db import Transaction
from accord.broker._hal import encode_metadata, link, pact_version_path, result_body
from accord.broker._intake import check_verification
from accord.broker._matrix import record_verification
from accord.broker._model import BrokerError
from accord.broker._routing import Request, q, route

__all__: list[str] = []  # routes register themselves


@route("GET", "/pacts/provider/{provider}/for-verification")
@route("POST", "/pacts/provider/{provider}/for-verification")
def for_verification(tx: Transaction, req: Request) -> tuple[int, Any]:
    """docs.pact.io/pact_broker/advanced_topics/provider_verification_results ("pacts for
    verification"): each pact with a short description, its verification properties
    (pending, WIP, notices shown before and after verification) and its URL."""
    body = req.body if req.body is not None and req.method == "POST" else {}
    if not isinstance(body, dict):
        raise BrokerError(400, "expected a JSON object")
    provider = req.params["provider"]
    pacts = []
    for selected in _selection.pacts_for_verification(tx, provider, body):
        meta = encode_metadata(selected)
        versions = ", ".join(selected.consumer_versions)
        why = "; ".join(selected.reasons)
        url = req.base + pact_version_path(provider, selected.consumer, selected.sha)
        notices = [
            {
                "when": "before_verification",
                "text": f"The pact at {url} is being verified because it matches: {why}"
                f" (consumer versions {versions})",
            }
        ]
        if selected.pending:
            notices.append(
                {
                    "when": "before_verification",
                    "text": "This pact is in pending state for this version of "
                    f"{provider}: a failure will not fail the verification",
                }
            )
            notices.append(
                {
                    "when": "after_verification:success_true_published_true",
                    "text": "This pact is no longer pending",
                }
            )
        props: dict[str, Any] = {"pending": selected.pending, "notices": notices}
        if selected.wip:
            props["wip"] = True
        name = f"Pact between {selected.consumer} ({versions}) and {provider}"
        pacts.append(
            {
                "shortDescription": why,
                "verificationProperties": props,
                "_links": {
                    "self": link(
                        req.base,
                        pact_version_path(provider, selected.consumer, selected.sha)
                        + f"/metadata/{meta}",
                        name,
                        name=name,
                    )
                },
            }
        )
    return 200, {
        "_embedded": {"pacts": pacts},
        "_links": {
            "self": link(
                req.base, f"/pacts/provider/{q(provider)}/for-verification", "Pacts to be verified"
            )
        },
    }


def _check_result(req: Request) -> None:
    check_verification(req.body)


@route(
    "POST",
    "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/verification-results",
    check=_check_result,
)
@route(
    "POST",
    "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/metadata/{meta}"
    "/verification-results",
    check=_check_result,
)
def publish_result(tx: Transaction, req: Request) -> tuple[int, Any]:
    """docs.pact.io/pact_broker/advanced_topics/api_docs/publish_verification_results."""
    rid, _vid = record_verification(
        tx, req.params["consumer"], req.params["provider"], req.params["sha"], req.body
    )
    return 201, result_body(tx, req.base, rid)


@route(
    "GET",
    "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/verification-results/{rid}",
)
def get_result(tx: Transaction, req: Request) -> tuple[int, Any]:
    rid = req.params["rid"]
    if rid == "latest":
        row = tx.one("SELECT MAX(id) FROM verifications WHERE sha = ?", (req.params["sha"],))
        if row is None or row[0] is None:
            raise BrokerError(404, "no verification results for this pact")
        return 200, result_body(tx, req.base, int(row[0]))
    if not rid.isdigit():
        raise BrokerError(404, f"no verification result {rid}")
    return 200, result_body(tx, req.base, int(rid))
