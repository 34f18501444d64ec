"""Pact provider verification with pact-python's ``Verifier`` (the Pact FFI).

The FFI prints every interaction's outcome on the process's own standard output (file
descriptor 1, below Python's ``sys.stdout``), so it runs in a child process of its own
(``python -m accord.verify._pacts_child``) whose output goes to a log (or the terminal
with ``--verbose``): whoever called verification in-process keeps its standard output,
and its other threads' lines never land in the FFI's log. The results come back as JSON.

HTTP interactions are replayed against the provider; for message interactions the FFI
asks the provider itself for each message (``POST /_accord/messages``, the message
transport, served with ``--provider-states``) after setting its provider states, and
compares what the provider's own code builds with what the consumer expects.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from accord._errors import AccordError
from accord.core import PactFile
from accord.verify._model import CaseResult

__all__ = ["Only", "PactRun", "verify_pacts"]


@dataclass(slots=True, frozen=True)
class Only:
    """One interaction to verify (``--interaction`` and ``--given``), matched exactly.

    ``given`` is the interaction's provider states joined with ``"; "`` (as results name
    them); None: any states.
    """

    description: str
    given: str | None = None

    def selects(self, pact: PactFile, index: int) -> bool:
        description, state = _interaction_label(pact, index)
        return description == self.description and self.given in (None, state)

    def ffi_filter(self) -> tuple[str, str | None]:
        """The FFI's filter (regular expressions): exactly the description (and first state)."""
        first = self.given.split("; ")[0] if self.given else None
        return f"^{_regex_literal(self.description)}$", (
            f"^{_regex_literal(first)}$" if first else None
        )


def _regex_literal(text: str) -> str:
    """``text`` as a Rust regular expression matching exactly it (its meta characters escaped)."""
    return "".join("\\" + c if c in "\\.+*?()|[]{}^$#&-~" else c for c in text)


class DependencyStates:
    """The states of a provider's dependencies (their pact-mode mocks) during one interaction.

    A provider's state-change answer may name the states its dependencies must be in
    (``{"dependencies": {"catalog": ["product prd_1 has 0 in stock"]}}``); they are set
    on each dependency's mock (``POST /_accord/pact-states``), added up over the
    interaction's states and cleared at teardown, so every answer a dependency gives
    during the interaction belongs to one story.
    """

    def __init__(self, mocks: Mapping[str, str]) -> None:
        self.mocks = dict(mocks)  # dependency -> its pact-mode mock's base URL
        self.chosen: dict[str, list[str]] = {}

    def add(self, state: str, implied: Any) -> str | None:
        """Set what ``state`` implies; a problem (for the interaction) or None."""
        if not isinstance(implied, dict):
            return f"provider state {state!r}: `dependencies` must map a dependency to states"
        for dependency, states in implied.items():
            url = self.mocks.get(dependency)
            if url is None:
                known = ", ".join(sorted(self.mocks)) or "none"
                return (
                    f"provider state {state!r} implies states of {dependency!r}, which is not "
                    f"a dependency served from pacts here (pact-mode mocks: {known})"
                )
            wanted = [*self.chosen.get(dependency, []), *states]
            problem = self._post(url, wanted)
            if problem:
                return f"provider state {state!r}: {dependency}: {problem}"
            self.chosen[dependency] = wanted
        return None

    def clear(self) -> None:
        for dependency in list(self.chosen):
            self._post(self.mocks[dependency], [])
        self.chosen.clear()

    @staticmethod
    def _post(url: str, states: list[str]) -> str | None:
        try:
            response = httpx.post(f"{url}{MOCK_STATES_PATH}", json={"states": states}, timeout=10)
        except httpx.TransportError as exc:
            return f"its mock could not be reached: {exc}"
        if response.is_success:
            return None
        try:
            return str(response.json().get("detail", response.text))
        except ValueError:
            return response.text


#: the pact-mode mock's endpoint that chooses its provider states (accord.mock)
MOCK_STATES_PATH = "/_accord/pact-states"


def _state_handler(
    states_url: str | None,
    broken: dict[str, str],
    missing: str,
    dependencies: DependencyStates | None = None,
) -> Any:
    """Sets provider states through the service's state-change endpoint.

    Pact's convention: ``POST {state, params, action}`` with ``action`` ``setup`` before
    an interaction and ``teardown`` after it; any 2xx is success. A state the service
    cannot set up is recorded in ``broken`` rather than raised: the Pact FFI retries a
    failing state change with back-off for about two minutes, and the interaction is
    failed afterwards with the service's own explanation. Teardown failures are ignored.
    The dependency states a setup answer names are set on ``dependencies``.
    """

    def handler(state: str, action: str, parameters: dict[str, Any] | None) -> None:
        if action == "teardown" and dependencies is not None:
            dependencies.clear()
        if not state:  # the FFI also calls with no state at all
            return
        if states_url is None:
            if action == "setup":
                broken[state] = f"provider state {state!r} could not be set up: {missing}"
            return
        try:
            response = httpx.post(
                states_url,
                json={"state": state, "action": action, "params": parameters or {}},
                timeout=30,
            )
        except httpx.TransportError as exc:
            if action == "setup":
                broken[state] = f"provider state {state!r} could not be set up: {exc}"
            return
        if action == "setup" and not response.is_success:
            detail = response.text
            try:
                body = response.json()
                detail = body.get("detail", detail) if isinstance(body, dict) else detail
            except ValueError:
                pass
            broken[state] = (
                f"provider state {state!r} could not be set up ({response.status_code} from "
                f"{states_url}): {detail}"
            )
            return
        if action == "setup" and dependencies is not None and response.content:
            try:
                body = response.json()
            except ValueError:
                return  # an answer that is not JSON implies nothing
            implied = body.get("dependencies") if isinstance(body, dict) else None
            problem = dependencies.add(state, implied) if implied is not None else None
            if problem:
                broken[state] = problem

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
    pact: PactFile, report: dict[str, Any], raised: Exception | None, only: Only | None = None
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
        if only is not None and not only.selects(pact, index):
            continue  # filtered out: not verified, and no verdict
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


#: where a provider builds the messages of message pacts (Pact's message transport)
MESSAGES_PATH = "/_accord/messages"


def _message_transport_problem(base_url: str) -> str | None:
    """Why the provider at ``base_url`` cannot build messages, or None if it seems to.

    A provider that serves the transport answers a request without a description with
    400 (Accord's runtime: "expected {description}"); one that does not answers 404, 405
    or 501 (or fails), and every message interaction then fails with that said first.
    """
    try:
        response = httpx.post(f"{base_url}{MESSAGES_PATH}", json={}, timeout=10)
    except httpx.TransportError as exc:
        status = f"failed ({exc})"
    else:
        if response.status_code not in (404, 405, 501) and response.status_code < 500:
            return None
        status = f"answered {response.status_code}"
    return (
        f"the provider does not build messages: POST {MESSAGES_PATH} {status}; a message "
        "pact is verified with the messages the provider itself builds there (Pact's message "
        "transport: POST {description, providerStates} -> the message, its metadata in the "
        "Pact-Message-Metadata header; Accord's runtime serves it with --provider-states)"
    )


def _no_access_log(*_args: object) -> None:
    """No line per state change: the provider's log and the results say what happened."""


def _interaction_label(pact: PactFile, index: int) -> tuple[str, str]:
    interaction = pact.interactions[index]
    state = "; ".join(s.name for s in interaction.provider_states)
    return interaction.description, state


@dataclass(slots=True, frozen=True)
class PactRun:
    """What one provider's pact verification needs (plain values: it crosses to the child).

    ``headers`` (the provider's credentials) are added to every request; provider states
    are set at ``states_url``, and the dependency states they imply on the pact-mode mocks
    in ``dependency_mocks`` (dependency -> base URL); the FFI's own report of each pact is
    kept in ``evidence`` (``pact-<consumer>.txt``); ``only``: just that interaction.
    """

    provider: str
    base_url: str
    pacts: list[str]
    headers: dict[str, str]
    states_url: str | None = None
    dependency_mocks: dict[str, str] = field(default_factory=dict)
    evidence: str | None = None
    only: Only | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PactRun:
        only = data.pop("only", None)
        return cls(**data, only=Only(**only) if only else None)


def verify_pacts(
    provider: str,
    base_url: str,
    pacts: list[Path],
    headers: Mapping[str, str],
    states_url: str | None = None,
    dependency_mocks: Mapping[str, str] | None = None,
    *,
    evidence: Path | None = None,
    only: Only | None = None,
    output: Path | None = None,
) -> list[CaseResult]:
    """Replay the interactions of ``pacts`` against ``base_url``, in a child process.

    What :func:`verify_here` does with these values (see :class:`PactRun`), with the FFI's
    own standard output and error appended to ``output`` (None: this process's, as with
    ``--verbose``). A child that fails without results raises :class:`AccordError`.
    """
    import accord  # noqa: PLC0415

    run = PactRun(
        provider, base_url, [str(p) for p in pacts], dict(headers), states_url,
        dict(dependency_mocks or {}), str(evidence) if evidence is not None else None, only,
    )  # fmt: skip
    source = str(Path(accord.__file__).resolve().parents[1])  # this checkout's accord first
    paths = [source, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "PACT_DO_NOT_TRACK": "true"}
    with tempfile.TemporaryDirectory(prefix="accord-pacts-") as scratch:
        answer = Path(scratch) / "results.json"
        request = {"run": asdict(run), "answer": str(answer)}
        sink = output.open("ab") if output is not None else None
        try:
            done = subprocess.run(
                [sys.executable, "-m", "accord.verify._pacts_child"],
                input=json.dumps(request).encode(), stdout=sink, stderr=sink, env=env,
                check=False,
            )  # fmt: skip
        finally:
            if sink is not None:
                sink.close()
        if done.returncode != 0 or not answer.is_file():
            where = f"; its output is in {output}" if output is not None else ""
            raise AccordError(
                f"the Pact FFI's verifier process failed (exit code {done.returncode}){where}"
            )
        found = json.loads(answer.read_text(encoding="utf-8"))
    return [
        CaseResult(**{**case, "pact": Path(case["pact"]) if case["pact"] else None})
        for case in found
    ]


def verify_here(run: PactRun) -> list[CaseResult]:
    """Replay every interaction of ``run.pacts`` against its provider; one result each.

    In this process: the FFI prints on its standard output. With ``run.only``, the other
    interactions get no result. A problem the FFI reports that belongs to no interaction
    fails the pact as a whole (a case named ``<consumer> -> <provider>``).
    """
    from pact import Verifier  # noqa: PLC0415  (the FFI loads only when verifying)
    from pact._server import StateCallbackHandler  # noqa: PLC0415

    # pact-python's state-callback server logs every request like an access log
    # ("127.0.0.1 - - [...] POST /_pact/state"), on stderr, with no option to stop it
    StateCallbackHandler.log_message = _no_access_log  # type: ignore[method-assign,assignment]

    os.environ.setdefault("PACT_DO_NOT_TRACK", "true")
    provider, base_url, headers, only = run.provider, run.base_url, run.headers, run.only
    states_url = run.states_url
    evidence = Path(run.evidence) if run.evidence is not None else None
    results: list[CaseResult] = []
    for path in map(Path, run.pacts):
        pact = PactFile.from_path(path)
        broken: dict[str, str] = {}
        dependencies = DependencyStates(run.dependency_mocks)
        missing = (
            f"service {provider!r} declares no provider-state endpoint (`states:` in accord.yaml)"
        )
        verifier = (
            Verifier(provider, host="127.0.0.1")
            .add_transport(url=base_url)
            .add_source(str(path))
            .state_handler(_state_handler(states_url, broken, missing, dependencies), teardown=True)
            .set_coloured_output(enabled=False)
        )
        for header, value in headers.items():
            verifier.add_custom_header(header, value)
        if only is not None:
            description, state = only.ffi_filter()
            verifier.filter(description, state=state)
        transport = None  # why the provider cannot build messages, if it cannot
        if pact.message_interactions:  # the provider builds them at /_accord/messages
            port = urlsplit(base_url).port
            verifier.add_transport(protocol="message", port=port, path=MESSAGES_PATH)
            transport = _message_transport_problem(base_url)
        raised: Exception | None = None
        try:
            verifier.verify()
        except Exception as exc:  # the FFI raises a bare RuntimeError when anything failed
            raised = exc
        if evidence is not None:
            evidence.mkdir(parents=True, exist_ok=True)
            text = verifier.output(strip_ansi=True)
            (evidence / f"pact-{pact.consumer}.txt").write_text(text, encoding="utf-8")
        verdicts, problems = _match(pact, verifier.results, raised, only)
        for index, verdict in verdicts.items():
            message = verdict
            description, state = _interaction_label(pact, index)
            interaction = pact.interactions[index]
            state_problems = [
                broken[s.name] for s in interaction.provider_states if s.name in broken
            ]
            if state_problems:
                message = "\n".join([*state_problems, *([message] if message else [])])
            if message and transport and interaction.is_message:
                message = f"{transport}\n{message}"
            name = f"{pact.consumer}: {description}" + (f" (given {state})" if state else "")
            results.append(
                CaseResult(
                    "pact",
                    name,
                    message is None,
                    message or "",
                    pact.consumer,
                    state,
                    pact=path,
                    interaction=description,
                )
            )
        if problems:
            results.append(
                CaseResult(
                    "pact",
                    f"{pact.consumer} -> {provider}",
                    False,
                    "\n".join(problems),
                    pact.consumer,
                    pact=path,
                )
            )
    return results
