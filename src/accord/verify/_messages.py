"""Property tests of produced messages: what a provider publishes, against its AsyncAPI document.

While the property phase drives a provider over HTTP (schemathesis), a subscriber on the
real broker sees every message the provider publishes, and each is checked against the
provider's event document (``events:`` in the manifest) with the core's compiled
validators (:func:`accord.core.check_message`): the subject must be an instance of a
channel the document says the service ``send``s on, its parameters must fit, and the
content type, payload and headers must fit one of the operation's messages.

A provider Accord starts gets a NATS server of its own (``nats-server -js`` on free ports,
its store in the evidence folder), named to it in ``$ACCORD_NATS_URL``; a provider that
runs elsewhere (``--base-url``, ``url:``) is watched on the NATS server its document names.
Each channel the service sends on becomes one result with its counts: passed (messages
seen, none violating), failed (any violation) or *no message seen* (its own verdict:
neither passed nor failed, since nothing was checked). Messages on subjects the document
does not let the service send on fail a result of their own. Every message seen is kept
in ``<evidence>/messages.jsonl`` with its verdict.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord._errors import AccordError
from accord._process import Process
from accord.core import AsyncChannel, AsyncContract, MessageCheck, check_message
from accord.verify._model import CaseResult
from accord.workspace import BROKER_ENV, Workspace, nats_server

__all__ = ["EventWatch", "watching_events"]

SUITE = "messages"
#: subjects that are the broker's own traffic (JetStream's API, request-reply inboxes)
_INTERNAL = ("$", "_INBOX.")
#: how many violating messages a failure shows (all of them are in messages.jsonl)
_SHOWN = 5


@dataclass(slots=True, frozen=True)
class _Seen:
    at: float
    subject: str
    headers: dict[str, str]
    data: bytes


@dataclass(slots=True)
class EventWatch:
    """A subscriber to every subject of one NATS server, on a thread of its own.

    ``with`` it: connected and subscribed inside the block (an unreachable broker raises
    :class:`AccordError`); :meth:`results` checks what it saw against ``contract``.
    """

    contract: AsyncContract
    url: str
    evidence: Path
    driver: str = "the property tests"  # what made the provider publish, for the messages
    seen: list[_Seen] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ready: threading.Event = field(default_factory=threading.Event)
    _failure: str = ""
    _loop: asyncio.AbstractEventLoop | None = None
    _stop: asyncio.Event | None = None
    _thread: threading.Thread | None = None

    def __enter__(self) -> EventWatch:
        for message in self.contract.messages:  # compile now: a bad schema fails at start
            for schema in (message.payload, message.headers):
                if schema is not None:
                    self.contract.validator(schema)
        self._thread = threading.Thread(target=self._serve, name="verify-events", daemon=True)
        self._thread.start()
        if not self._ready.wait(15) or self._failure:
            self.__exit__(None, None, None)
            raise AccordError(
                f"events: cannot subscribe at {self.url}: {self._failure or 'no answer in 15 s'}"
            )
        return self

    def __exit__(self, *_exc: object) -> None:
        alive = self._thread is not None and self._thread.is_alive()
        if alive and self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):  # its loop closed meanwhile: it is done
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    def _serve(self) -> None:
        asyncio.run(self._watch())

    async def _watch(self) -> None:
        import nats  # noqa: PLC0415  (only a run with events connects)

        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()

        async def quiet(_error: Exception) -> None:
            """nats-py logs each failed attempt with a traceback; the failure is reported."""

        try:  # two quick attempts (nats-py's defaults retry for two minutes)
            conn = await nats.connect(
                self.url, connect_timeout=2, allow_reconnect=False, max_reconnect_attempts=1,
                reconnect_time_wait=0.2, error_cb=quiet, name="accord verify",
            )  # fmt: skip
        except Exception as exc:  # nats-py raises its own errors and OSErrors alike
            self._failure = str(exc) or type(exc).__name__
            self._ready.set()
            return

        async def on_message(msg: Any) -> None:
            if msg.subject.startswith(_INTERNAL):
                return
            seen = _Seen(time.monotonic(), msg.subject, dict(msg.headers or {}), msg.data)
            with self._lock:
                self.seen.append(seen)

        try:
            await conn.subscribe(">", cb=on_message)
            await conn.flush()
            self._ready.set()
            await self._stop.wait()
            await conn.flush()
        finally:
            await conn.close()

    def settle(self, quiet: float = 0.6, limit: float = 5.0) -> None:
        """Wait until no message has arrived for ``quiet`` seconds, counted from now or
        the last message, whichever is later (at most ``limit``).

        A producer often publishes after the request that caused it has been answered
        (an outbox relay, a background task); this lets the last ones arrive.
        """
        called = time.monotonic()
        deadline = called + limit
        while time.monotonic() < deadline:
            with self._lock:
                last = max(self.seen[-1].at, called) if self.seen else called
            since = time.monotonic() - last
            if since >= quiet:
                return
            time.sleep(min(quiet - since, max(0.0, deadline - time.monotonic())))

    def results(self, rerun: str = "") -> list[CaseResult]:
        """One result per channel the service sends on, and one for undeclared subjects."""
        with self._lock:
            seen = list(self.seen)
        checks = [
            (m, check_message(self.contract, m.subject, m.data, m.headers, "send")) for m in seen
        ]
        self._write_evidence(checks)
        where = self.evidence / "messages.jsonl"
        results = []
        for channel, label in _sent_channels(self.contract):
            mine = [c for _m, c in checks if c.channel is not None and c.operations and (
                c.channel.place == channel.place)]  # fmt: skip
            bad = [c for c in mine if not c.ok]
            name = f"{label}: {channel.address}"
            if not mine:
                text = (
                    f"no message seen on {channel.address} while {self.driver} drove the "
                    "service: nothing to check (neither passed nor failed)"
                )
                results.append(CaseResult(SUITE, name, False, text, skipped=True, seen=0))
            elif bad:
                text = f"{len(bad)} of {len(mine)} message(s) violate the document:\n"
                text += _examples(bad) + f"\nevery message seen: {where}"
                results.append(
                    CaseResult(
                        SUITE,
                        name,
                        False,
                        text,
                        reproduce=rerun,
                        seen=len(mine),
                        violations=len(bad),
                    )
                )
            else:
                text = f"{len(mine)} message(s), all fit the document"
                results.append(CaseResult(SUITE, name, True, text, seen=len(mine)))
        stray = [c for _m, c in checks if c.channel is None or not c.operations]
        if stray:
            text = (
                f"{len(stray)} message(s) on subjects the document does not say the service "
                f"sends on:\n{_examples(stray)}\nevery message seen: {where}"
            )
            results.append(
                CaseResult(
                    SUITE,
                    "undeclared subjects",
                    False,
                    text,
                    reproduce=rerun,
                    seen=len(stray),
                    violations=len(stray),
                )
            )
        return results

    def _write_evidence(self, checks: list[tuple[_Seen, MessageCheck]]) -> None:
        self.evidence.mkdir(parents=True, exist_ok=True)
        with (self.evidence / "messages.jsonl").open("w", encoding="utf-8") as out:
            for seen, check in checks:
                entry = {
                    "subject": seen.subject,
                    "channel": check.channel.key if check.channel else None,
                    "message": check.message.label if check.message else None,
                    "headers": seen.headers,
                    "payload": seen.data.decode("utf-8", "replace"),
                    "problems": list(check.problems),
                }
                out.write(json.dumps(entry, sort_keys=True) + "\n")


def _examples(checks: list[MessageCheck]) -> str:
    lines = []
    for check in checks[:_SHOWN]:
        lines += [f"  {check.address}:", *(f"    {p}" for p in check.problems)]
    if len(checks) > _SHOWN:
        lines.append(f"  ... and {len(checks) - _SHOWN} more")
    return "\n".join(lines)


def _sent_channels(contract: AsyncContract) -> list[tuple[AsyncChannel, str]]:
    """Each channel with an address the service sends on, labelled by its operations."""
    found: dict[tuple[str, str], tuple[AsyncChannel, list[str]]] = {}
    for op in contract.operations:
        if op.action != "send" or op.channel.address is None:
            continue
        key = (op.channel.place.file.uri, op.channel.place.pointer)
        found.setdefault(key, (op.channel, []))[1].append(op.key)
    return [(channel, " + ".join(keys)) for channel, keys in found.values()]


def _document_broker(contract: AsyncContract) -> str | None:
    """The first NATS server the document names, as a URL."""
    servers = contract.data.get("servers")
    for server in (servers or {}).values() if isinstance(servers, dict) else ():
        if isinstance(server, dict) and server.get("protocol") == "nats":
            host = str(server.get("host") or server.get("url") or "").removeprefix("nats://")
            return f"nats://{host}" if host else None
    return None


def _protocols(contract: AsyncContract) -> set[str]:
    servers = contract.data.get("servers")
    if not isinstance(servers, dict):
        return set()
    return {str(s.get("protocol")) for s in servers.values() if isinstance(s, dict)}


@dataclass(slots=True)
class Events:
    """What :func:`watching_events` gives the property phase."""

    env: dict[str, str]  # for the provider Accord starts: where its broker is
    watch: EventWatch | None  # None: nothing to watch (see ``skipped``)
    skipped: list[CaseResult] = field(default_factory=list)


@contextmanager
def watching_events(
    workspace: Workspace, name: str, evidence: Path, *, started_here: bool
) -> Iterator[Events | None]:
    """A broker and a subscriber for ``name``'s events, or None when it declares none.

    ``started_here``: the provider is started by verify, which gives it a NATS server of
    its own; otherwise the one its document names is watched.
    """
    contract = workspace.events(name)
    if contract is None or not _sent_channels(contract):
        yield None
        return
    protocols = _protocols(contract)
    if protocols and "nats" not in protocols:
        reason = (
            f"the document's servers speak {', '.join(sorted(protocols))}; messages are "
            "watched on NATS only"
        )
        yield Events({}, None, [CaseResult(SUITE, "events", False, reason, skipped=True)])
        return
    with ExitStack() as stack:
        if started_here:
            evidence.mkdir(parents=True, exist_ok=True)
            broker = nats_server(evidence / "jetstream")
            if broker is None:
                reason = "nats-server is not installed (`make setup` installs it)"
                yield Events({}, None, [CaseResult(SUITE, "events", False, reason, skipped=True)])
                return
            log = evidence / "nats.log"
            log.unlink(missing_ok=True)
            stack.enter_context(Process("nats", broker.argv, broker.health, log=log))
            url = broker.url
        else:  # it publishes where it runs: watch the broker its document names, if we can
            found = _document_broker(contract)
            try:
                if found is None:
                    raise AccordError("its document names no NATS server")
                watch = stack.enter_context(EventWatch(contract, found, evidence))
            except AccordError as exc:
                reason = f"{name} runs elsewhere and its messages cannot be watched: {exc}"
                yield Events({}, None, [CaseResult(SUITE, "events", False, reason, skipped=True)])
                return
            yield Events({}, watch)
            return
        watch = stack.enter_context(EventWatch(contract, url, evidence))
        yield Events({BROKER_ENV: url}, watch)
