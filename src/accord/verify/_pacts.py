"""Pact provider verification with pact-python's ``Verifier`` (the Pact FFI).

HTTP interactions are replayed against the provider; for message interactions the FFI
asks the provider itself for each message (``POST /_accord/messages``, the message
transport, served with ``--provider-states``) after setting its provider states, and
compares what the provider's own code builds with what the consumer expects.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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


def _mismatch_text(mismatch: Any) -> str:
    details = mismatch.get("mismatches") if isinstance(mismatch, dict) else None
    if details:
        return "\n".join(
            f"{m.get('type', '')} {m.get('path', '')}: {m.get('mismatch', '')}".strip()
            for m in details
        )
    if isinstance(mismatch, dict):
        return str(mismatch.get("message", mismatch))
    return str(mismatch)


def _key(description: str, states: Iterable[str]) -> tuple[str, tuple[str, ...]]:
    return description, tuple(states)


NO_RESULT = "the Pact FFI reported no result for this interaction"


def _match(
    pact: PactFile, report: dict[str, Any], raised: Exception | None
) -> tuple[dict[int, str | None], list[str]]:
    """The FFI's verdict per interaction (index -> failure message or None), exactly matched.

    ``interactionResults`` carry each interaction's description and provider states,
    matched here as a whole (never by substring), in order when two are alike. What the
    FFI reported that no interaction accounts for is returned as pact-level problems,
    never dropped.
    """
    queue: dict[tuple[str, tuple[str, ...]], deque[dict[str, Any]]] = {}
    for entry in report.get("interactionResults") or []:
        key = _key(str(entry.get("description", "")), map(str, entry.get("providerStates") or []))
        queue.setdefault(key, deque()).append(entry)
    verdicts: dict[int, str | None] = {}
    used: list[dict[str, Any]] = []
    for index, interaction in enumerate(pact.interactions):
        key = _key(interaction.description, (s.name for s in interaction.provider_states))
        entry = queue.get(key, deque()).popleft() if queue.get(key) else None
        if entry is not None:
            used.append(entry)
        if not (interaction.is_http or interaction.is_message):
            continue
        if entry is None:
            verdicts[index] = NO_RESULT  # not verified is not passed
        elif str(entry.get("result", "")).upper() == "OK":
            verdicts[index] = None
        else:
            verdicts[index] = _mismatch_text(entry.get("mismatch") or entry.get("result"))
    problems = []
    for leftover in (e for entries in queue.values() for e in entries):
        if str(leftover.get("result", "")).upper() != "OK":
            problems.append(
                f"{leftover.get('description')!r}: matches no interaction of the pact: "
                + _mismatch_text(leftover.get("mismatch"))
            )
    explained = [
        (str(e.get("description", "")), e.get("mismatch"))
        for e in used
        if str(e.get("result", "")).upper() != "OK"
    ]
    for error in report.get("errors") or []:
        label = str(error.get("interaction", ""))
        mismatch = error.get("mismatch")
        if not any(
            label.endswith(f" - {description}") and mismatch == m for description, m in explained
        ):
            problems.append(f"{label}: {_mismatch_text(mismatch)}")
    if (
        raised is not None
        and not problems
        and not any(v not in (None, NO_RESULT) for v in verdicts.values())
    ):
        output = "\n".join(str(line) for line in report.get("output") or [])[-1500:]
        problems.append(f"the Pact FFI failed: {raised}\n{output}".strip())
    return verdicts, problems


def _interaction_label(pact: PactFile, index: int) -> tuple[str, str]:
    interaction = pact.interactions[index]
    state = "; ".join(s.name for s in interaction.provider_states)
    return interaction.description, state


def verify_pacts(provider: str, base_url: str, pacts: list[Path], token: str) -> list[CaseResult]:
    """Replay every interaction of ``pacts`` against ``base_url``; one result per interaction.

    A problem the FFI reports that belongs to no interaction fails the pact as a whole
    (a case named ``<consumer> -> <provider>``).
    """
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
        if pact.message_interactions:  # the provider builds them at /_accord/messages
            port = urlsplit(base_url).port
            verifier.add_transport(protocol="message", port=port, path="/_accord/messages")
        raised: Exception | None = None
        try:
            verifier.verify()
        except Exception as exc:  # the FFI raises a bare RuntimeError when anything failed
            raised = exc
        verdicts, problems = _match(pact, verifier.results, raised)
        for index, verdict in verdicts.items():
            message = verdict
            description, state = _interaction_label(pact, index)
            interaction = pact.interactions[index]
            state_problems = [
                broken[s.name] for s in interaction.provider_states if s.name in broken
            ]
            if state_problems:
                message = "\n".join([*state_problems, *([message] if message else [])])
            name = f"{pact.consumer}: {description}" + (f" (given {state})" if state else "")
            results.append(
                CaseResult("pact", name, message is None, message or "", pact.consumer, state)
            )
        if problems:
            results.append(
                CaseResult(
                    "pact",
                    f"{pact.consumer} -> {provider}",
                    False,
                    "\n".join(problems),
                    pact.consumer,
                )
            )
    return results
