"""Pact provider verification with pact-python's ``Verifier`` (the Pact FFI)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx

from accord.core import PactFile
from accord.verify._model import CaseResult

__all__ = ["verify_pacts"]


def _state_handler(base_url: str, broken: dict[str, str]) -> Any:
    """Sets provider states through the service's own endpoint.

    A state the service cannot set up is recorded in ``broken`` rather than raised:
    the Pact FFI retries a failing state change with back-off for about two minutes,
    and the interaction is failed afterwards with the service's own explanation.
    """

    def handler(state: str, action: str, parameters: dict[str, Any] | None) -> None:
        if action != "setup":
            return
        try:
            response = httpx.post(
                f"{base_url}/_accord/provider-states",
                json={"state": state, "action": action, "params": parameters or {}},
                timeout=30,
            )
        except httpx.TransportError as exc:
            broken[state] = f"provider state {state!r} could not be set up: {exc}"
            return
        if response.status_code != 200:
            detail = response.json().get("detail", response.text) if response.content else ""
            broken[state] = f"provider state {state!r} could not be set up: {detail}"

    return handler


def _interaction_label(pact: PactFile, index: int) -> tuple[str, str]:
    interaction = pact.interactions[index]
    state = "; ".join(s.name for s in interaction.provider_states)
    return interaction.description, state


def verify_pacts(provider: str, base_url: str, pacts: list[Path], token: str) -> list[CaseResult]:
    """Replay every interaction of ``pacts`` against ``base_url``; one result per interaction."""
    from pact import Verifier  # noqa: PLC0415  (the FFI loads only when verifying)

    os.environ.setdefault("PACT_DO_NOT_TRACK", "true")
    results: list[CaseResult] = []
    for path in pacts:
        pact = PactFile.from_path(path)
        broken: dict[str, str] = {}
        verifier = (
            Verifier(provider, host="127.0.0.1")
            .add_transport(url=base_url)
            .add_source(str(path))
            .state_handler(_state_handler(base_url, broken), teardown=False)
            .add_custom_header("Authorization", f"Bearer {token}")
            .set_coloured_output(enabled=False)
        )
        try:
            verifier.verify()
        except Exception as exc:
            if not verifier.results.get("errors"):
                results.append(
                    CaseResult(
                        "pact", f"{pact.consumer} -> {provider}", False, str(exc), pact.consumer
                    )
                )
                continue
        failed: dict[str, str] = {}
        for error in verifier.results.get("errors") or []:
            label = str(error.get("interaction", ""))
            mismatch = error.get("mismatch") or {}
            details = mismatch.get("mismatches") if isinstance(mismatch, dict) else None
            if details:
                lines = [
                    f"{m.get('type', '')} {m.get('path', '')}: {m.get('mismatch', '')}".strip()
                    for m in details
                ]
            else:
                lines = [
                    str(mismatch.get("message", mismatch))
                    if isinstance(mismatch, dict)
                    else str(mismatch)
                ]
            failed[label] = "\n".join(lines)
        for index, interaction in enumerate(pact.interactions):
            if not interaction.is_http:
                continue
            description, state = _interaction_label(pact, index)
            message = next(
                (m for label, m in failed.items() if label.endswith(f" - {description}")),
                next((m for label, m in failed.items() if description in label), None),
            )
            state_problems = [
                broken[s.name] for s in interaction.provider_states if s.name in broken
            ]
            if state_problems:
                message = "\n".join([*state_problems, *([message] if message else [])])
            name = f"{pact.consumer}: {description}" + (f" (given {state})" if state else "")
            results.append(
                CaseResult("pact", name, message is None, message or "", pact.consumer, state)
            )
    return results
