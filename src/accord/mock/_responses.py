"""Ready answers for one documented response: examples, generated data, headers.

Everything a request needs is computed once, the first time the response is
chosen, and kept: a request answered from an example or from generated data is
a dictionary lookup and two ASGI messages. A response documenting several media
types has one plan per media type (its *variants*); ``Accept`` picks among them.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from typing import Any

from accord.core import (
    Contract,
    Direction,
    MediaType,
    Operation,
    Response,
    SchemaValidator,
    can_be_json,
    is_json_media,
    is_xml_media,
    media_type,
)
from accord.mock._accept import accepts_anything, preferred
from accord.mock._asgi import dump
from accord.mock._generate import Unsatisfiable, generate_valid
from accord.mock._xml import data_to_xml

__all__ = ["Canned", "ResponsePlan", "status_for"]


@dataclass(slots=True, frozen=True)
class Canned:
    """A complete answer: status, body bytes, content type and extra headers."""

    status: int
    body: bytes
    content_type: str | None
    headers: tuple[tuple[bytes, bytes], ...] = ()
    #: the same answer in the response's other documented media types (scenarios)
    alternatives: tuple[Canned, ...] = ()

    def for_accept(self, accept: str | None) -> Canned | None:
        """This answer or an alternative in a media type ``accept`` takes (None: 406)."""
        if accepts_anything(accept) or self.content_type is None or not self.body:
            return self
        assert accept is not None
        options = (self, *self.alternatives)
        ranked = preferred(accept, [c.content_type or "" for c in options])
        return options[ranked[0]] if ranked else None


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
        if media_type(media.name) == "application/json":
            return media
    for media in content:
        if is_json_media(media.name) and "*" not in media.name:
            return media
    return content[0] if content else None


def _content_type(media: MediaType) -> str:
    name = media.name.strip()
    if "*" in name:
        return "application/json"
    return name


def _encode(value: Any, media: MediaType, contract: Contract) -> bytes:
    if isinstance(value, str) and not can_be_json(media.name):
        return value.encode()
    if isinstance(value, bytes):
        return value
    if is_xml_media(media.name):  # the media type promised: XML, from the schema's `xml` hints
        return data_to_xml(contract, media.schema, value)
    return dump(value)


#: distinct ``Accept`` headers remembered per response (beyond, negotiation is redone)
_ACCEPT_CACHE = 64


class ResponsePlan:
    """One documented response of one operation, with its answers computed lazily.

    The plan answers in its preferred media type (JSON first); :meth:`offered`
    lists one plan per documented media type, this one first, each with its own
    examples, schema and cached answers.
    """

    def __init__(
        self,
        contract: Contract,
        operation: Operation,
        key: str,
        response: Response,
        seed: int,
        *,
        media: MediaType | None = None,
        base: ResponsePlan | None = None,
    ) -> None:
        self.contract = contract
        self.operation = operation
        self.key = key
        self.status = status_for(key)
        self.response = response
        # a variant (``base`` given) answers in ``media``; the plan itself in its preferred one
        self.media = media if base is not None else _choose_media(response)
        self.seed = seed
        self._base = base
        self._canned: Canned | None = None
        self._problem: str | None = None
        self._headers: tuple[tuple[bytes, bytes], ...] | None = None
        self._validator: SchemaValidator | None = None
        self._offered: tuple[ResponsePlan, ...] | None = None
        self._accepted: dict[str, tuple[ResponsePlan, ...]] = {}

    # negotiation ----------------------------------------------------------------------------
    def offered(self) -> tuple[ResponsePlan, ...]:
        """One plan per documented media type: this one, then the others in contract order."""
        if self._base is not None:
            return self._base.offered()
        if self._offered is None:
            others = [m for m in self.response.content.values() if m is not self.media]
            self._offered = (self, *(self._variant(m) for m in others))
        return self._offered

    def acceptable(self, accept: str) -> tuple[ResponsePlan, ...]:
        """The :meth:`offered` plans ``accept`` allows, best first (empty: 406).

        A response without content is always acceptable: there is nothing to refuse.
        """
        found = self._accepted.get(accept)
        if found is None:
            offered = self.offered()
            if self.media is None:
                found = offered
            else:
                found = tuple(offered[i] for i in preferred(accept, self.media_types()))
            if len(self._accepted) < _ACCEPT_CACHE:
                self._accepted[accept] = found
        return found

    def media_types(self) -> list[str]:
        """The documented media types, in the order :meth:`offered` lists them."""
        return [p.media.name for p in self.offered() if p.media is not None]

    def _variant(self, media: MediaType) -> ResponsePlan:
        return ResponsePlan(
            self.contract,
            self.operation,
            self.key,
            self.response,
            self.seed,
            media=media,
            base=self,
        )

    def validator(self) -> SchemaValidator | None:
        """The compiled validator of the chosen media type's schema (looked up once)."""
        media = self.media
        if self._validator is None and media is not None and media.schema is not None:
            self._validator = self.contract.validator(media.schema, Direction.RESPONSE)
        return self._validator

    @property
    def examples(self) -> dict[str, Any]:
        """Named examples of the chosen media type (a lone ``example`` is named ``""``).

        An XML media type without examples of its own borrows those of the response's
        JSON one: the same data, written as XML.
        """
        media = self.media
        if media is None:
            return {}
        own = {e.name: e.value for e in media.examples if e.external is None}
        if own or not is_xml_media(media.name):
            return own
        for other in self.response.content.values():
            if can_be_json(other.name) and other.examples:
                return {e.name: e.value for e in other.examples if e.external is None}
        return {}

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
        return self._answer(_encode(value, self.media, self.contract))

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
        return self._answer(_encode(value, media, self.contract))

    def value_answer(
        self,
        value: Any,
        extra: tuple[tuple[bytes, bytes], ...] = (),
        *,
        accept: str | None = None,
    ) -> Canned:
        """An answer with ``value`` as the body (stateful mode builds its own bodies).

        It comes in the documented media type ``accept`` prefers (this plan's own when
        none is acceptable: the data is the point, and it stays valid).
        """
        plan = self
        if accept is not None and not accepts_anything(accept):
            plan = next(iter(self.acceptable(accept)), self)
        media = plan.media
        body = _encode(value, media, self.contract) if media is not None else b""
        names = {name for name, _ in extra}
        content_type = _content_type(media) if media is not None else None
        kept = tuple(h for h in self.headers() if h[0] not in names)
        return Canned(self.status, body, content_type, kept + extra)

    def variants_of(
        self,
        value: Any,
        extra: tuple[tuple[bytes, bytes], ...] = (),
        *,
        example: str | None = None,
    ) -> tuple[Canned, ...]:
        """``value`` answered in each documented media type that can carry it, this plan's first.

        A media type with its own example named ``example`` answers with that one; JSON
        and XML types carry any value; other types (CSV, images) only text or bytes.
        """
        names = {n for n, _ in extra}
        headers = tuple(h for h in self.headers() if h[0] not in names) + extra
        out: list[Canned] = []
        for plan in self.offered():
            media = plan.media
            if media is None:
                out.append(Canned(self.status, b"", None, headers))
                continue
            own = plan.examples
            if example is not None and example in own:
                body = _encode(own[example], media, self.contract)
            elif (
                can_be_json(media.name)
                or is_xml_media(media.name)
                or isinstance(value, str | bytes)
            ):
                body = _encode(value, media, self.contract)
            else:
                continue
            out.append(Canned(self.status, body, _content_type(media), headers))
        return tuple(out)

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
        for value in self.examples.values():
            if validator is None or validator.is_valid(value):
                return self._answer(_encode(value, media, self.contract))
        if media.schema is None:
            return self._answer(b"{}" if can_be_json(media.name) else b"")
        try:
            value = generate_valid(self.contract, media.schema, Direction.RESPONSE, self.rng())
        except Unsatisfiable as exc:
            raise Unsatisfiable(
                f"response {self.key} of {self.operation.name} ({media.name}) has no valid "
                f"example and no data could be generated from its schema: {exc}"
            ) from None
        return self._answer(_encode(value, media, self.contract))

    def _challenges(self) -> str:
        """``WWW-Authenticate`` from the HTTP schemes the operation's security names."""
        schemes = self.contract.security_schemes
        found: list[str] = []
        for requirement in self.operation.security:
            for name in requirement:
                scheme = schemes.get(name)
                kind = str(scheme.get("type", "")).lower() if isinstance(scheme, dict) else ""
                http = str(scheme.get("scheme", "")) if kind == "http" and scheme else ""
                label = "Bearer" if kind in ("oauth2", "openidconnect") else http.capitalize()
                if label and label not in found:
                    found.append(label)
        return ", ".join(f'{label} realm="accord-mock"' for label in found)

    def headers(self) -> tuple[tuple[bytes, bytes], ...]:
        """Documented response headers with generated values (computed once).

        ``Vary: Accept`` is added when the response documents several media types.
        """
        if self._base is not None:
            return self._base.headers()
        if self._headers is None:
            out: list[tuple[bytes, bytes]] = []
            if len(self.response.content) > 1 and "vary" not in self.response.headers:
                out.append((b"vary", b"Accept"))
            for name, header in self.response.headers.items():
                if name in _FRAMING_HEADERS or header.schema is None:
                    continue
                if name in _SECURITY_HEADERS:  # never made up: a client would act on them
                    if name == "www-authenticate" and (found := self._challenges()):
                        out.append((b"www-authenticate", found.encode("latin-1")))
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


#: headers that frame the message, set by the server: a made-up ``Transfer-Encoding`` beside
#: the real ``Content-Length`` made the HTTP server drop the connection (OpenAI's speech)
_FRAMING_HEADERS = frozenset(
    {"content-type", "content-length", "transfer-encoding", "connection", "keep-alive",
     "upgrade", "te", "trailer"}
)  # fmt: skip

#: response headers a client acts on for security: never filled with generated text
_SECURITY_HEADERS = frozenset(
    {"www-authenticate", "proxy-authenticate", "authentication-info", "set-cookie"}
)


def _header_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        text = str(value)
        return text if text.isprintable() else None
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return None
