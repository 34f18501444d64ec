"""Ready answers for one documented response: examples, generated data, headers.

Everything a request needs is computed once, the first time the response is
chosen, and kept: a request answered from an example or from generated data is
a dictionary lookup and two ASGI messages.
"""

from __future__ import annotations

import functools
import random
import zlib
from dataclasses import dataclass
from typing import Any

from accord.core import Contract, Direction, MediaType, Operation, Response, SchemaValidator
from accord.mock._asgi import dump
from accord.mock._generate import Unsatisfiable, generate_valid

__all__ = ["Canned", "ResponsePlan", "is_json", "status_for"]


@dataclass(slots=True, frozen=True)
class Canned:
    """A complete answer: status, body bytes, content type and extra headers."""

    status: int
    body: bytes
    content_type: str | None
    headers: tuple[tuple[bytes, bytes], ...] = ()


@functools.lru_cache(maxsize=1024)
def is_json(media: str) -> bool:
    """``application/json``, ``application/problem+json``, ``*/*`` and friends."""
    base = media.split(";", 1)[0].strip().lower()
    return base in ("application/json", "*/*", "application/*") or base.endswith("+json")


def status_for(key: str) -> int:
    """The status code to send for a documented key: ``201`` -> 201, ``2XX`` -> 200."""
    if key.isdigit():
        return int(key)
    if len(key) == 3 and key[0].isdigit() and key[1:].upper() == "XX":
        return int(key[0]) * 100
    return 200  # "default" used as the answer


def _choose_media(response: Response) -> MediaType | None:
    content = list(response.content.values())
    for media in content:
        if media.name.split(";")[0].strip().lower() == "application/json":
            return media
    for media in content:
        if is_json(media.name) and "*" not in media.name:
            return media
    return content[0] if content else None


def _content_type(media: MediaType) -> str:
    name = media.name.strip()
    if "*" in name:
        return "application/json"
    return name


def _encode(value: Any, media: MediaType) -> bytes:
    if isinstance(value, str) and not is_json(media.name):
        return value.encode()
    if isinstance(value, bytes):
        return value
    return dump(value)


class ResponsePlan:
    """One documented response of one operation, with its answers computed lazily."""

    def __init__(
        self, contract: Contract, operation: Operation, key: str, response: Response, seed: int
    ) -> None:
        self.contract = contract
        self.operation = operation
        self.key = key
        self.status = status_for(key)
        self.response = response
        self.media = _choose_media(response)
        self.seed = seed
        self._canned: Canned | None = None
        self._problem: str | None = None
        self._headers: tuple[tuple[bytes, bytes], ...] | None = None
        self._validator: SchemaValidator | None = None

    def validator(self) -> SchemaValidator | None:
        """The compiled validator of the chosen media type's schema (looked up once)."""
        media = self.media
        if self._validator is None and media is not None and media.schema is not None:
            self._validator = self.contract.validator(media.schema, Direction.RESPONSE)
        return self._validator

    @property
    def examples(self) -> dict[str, Any]:
        """Named examples of the chosen media type (a lone ``example`` is named ``""``)."""
        if self.media is None:
            return {}
        return {e.name: e.value for e in self.media.examples if e.external is None}

    def example_names(self) -> list[str]:
        return [name for name in self.examples if name]

    def rng(self, salt: str = "") -> random.Random:
        text = f"{self.seed}:{self.operation.key}:{self.key}:{salt}"
        return random.Random(zlib.crc32(text.encode()))

    # answers -------------------------------------------------------------------------------
    def canned(self) -> Canned | None:
        """The default answer: the first valid example, else generated data (``None``: 501)."""
        if self._canned is None and self._problem is None:
            try:
                self._canned = self._build()
            except Unsatisfiable as exc:
                self._problem = str(exc)
        return self._canned

    @property
    def why_not(self) -> str:
        """Why :meth:`canned` has no answer."""
        return self._problem or ""

    def with_example(self, name: str) -> Canned | None:
        if self.media is None or name not in self.examples:
            return None
        value = self.examples[name]
        return self._answer(_encode(value, self.media))

    def dynamic(self, rng: random.Random) -> Canned | None:
        """Freshly generated data (``Prefer: dynamic=true``)."""
        media = self.media
        if media is None or media.schema is None:
            return self.canned()
        try:
            value = generate_valid(
                self.contract, media.schema, Direction.RESPONSE, rng, realistic=False
            )
        except Unsatisfiable:
            return self.canned()
        return self._answer(_encode(value, media))

    def value_answer(self, value: Any, extra: tuple[tuple[bytes, bytes], ...] = ()) -> Canned:
        """An answer with ``value`` as the body (stateful mode builds its own bodies)."""
        body = _encode(value, self.media) if self.media is not None else b""
        names = {name for name, _ in extra}
        content_type = _content_type(self.media) if self.media is not None else None
        kept = tuple(h for h in self.headers() if h[0] not in names)
        return Canned(self.status, body, content_type, kept + extra)

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` is a valid body for this response."""
        media = self.media
        if media is None or media.schema is None:
            return True
        validator = self.validator()
        return validator is None or validator.is_valid(value)

    def generated(self, rng: random.Random, *, realistic: bool = True) -> Any:
        """A valid body value drawn from the schema (raises :class:`Unsatisfiable`)."""
        media = self.media
        if media is None or media.schema is None:
            raise Unsatisfiable(f"response {self.key} of {self.operation.name} has no schema")
        return generate_valid(
            self.contract, media.schema, Direction.RESPONSE, rng, realistic=realistic
        )

    # building -------------------------------------------------------------------------------
    def _answer(self, body: bytes, extra: tuple[tuple[bytes, bytes], ...] = ()) -> Canned:
        content_type = _content_type(self.media) if self.media is not None else None
        return Canned(self.status, body, content_type, self.headers() + extra)

    def _build(self) -> Canned:
        media = self.media
        if media is None:
            return self._answer(b"")
        validator = self.validator()
        for example in media.examples:
            if example.external is None and (
                validator is None or validator.is_valid(example.value)
            ):
                return self._answer(_encode(example.value, media))
        if media.schema is None:
            return self._answer(b"{}" if is_json(media.name) else b"")
        try:
            value = generate_valid(self.contract, media.schema, Direction.RESPONSE, self.rng())
        except Unsatisfiable as exc:
            raise Unsatisfiable(
                f"response {self.key} of {self.operation.name} ({media.name}) has no valid "
                f"example and no data could be generated from its schema: {exc}"
            ) from None
        return self._answer(_encode(value, media))

    def headers(self) -> tuple[tuple[bytes, bytes], ...]:
        """Documented response headers with generated values (computed once)."""
        if self._headers is None:
            out: list[tuple[bytes, bytes]] = []
            for name, header in self.response.headers.items():
                if name in ("content-type", "content-length") or header.schema is None:
                    continue
                try:
                    value = generate_valid(
                        self.contract, header.schema, Direction.RESPONSE, self.rng(name)
                    )
                except Unsatisfiable:
                    continue
                text = _header_text(value)
                if text is not None:
                    out.append((name.encode("latin-1"), text.encode("latin-1", "replace")))
            self._headers = tuple(out)
        return self._headers


def _header_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        text = str(value)
        return text if text.isprintable() else None
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return None
