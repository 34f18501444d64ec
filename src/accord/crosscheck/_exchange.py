"""One pact interaction matched to its operation, and the registry of checks run on it.

A check is a plain function registered with :func:`check`; it receives the
:class:`Exchange` and yields :class:`~accord.crosscheck.Mismatch` es, built with
:meth:`Exchange.mismatch` so that both locations are filled in the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from accord.core import (
    Contract,
    Direction,
    HttpRequest,
    HttpResponse,
    Interaction,
    Operation,
    PactFile,
    Place,
    Response,
    SchemaRef,
    SchemaValidator,
    decode_pointer,
    encode_pointer,
)
from accord.crosscheck._lenient import lenient_validator
from accord.crosscheck._model import CODES, CrosscheckOptions, Mismatch

__all__ = ["CHECKS", "Check", "Exchange", "check", "pact_path", "spec_path"]

Check = Callable[["Exchange"], Iterator[Mismatch]]


@dataclass(slots=True, frozen=True)
class CheckSpec:
    """A registered check: its name, the codes it may report, and the function."""

    name: str
    codes: tuple[str, ...]
    description: str
    run: Check


#: the checks, in the order they run (request first, then response)
CHECKS: dict[str, CheckSpec] = {}


def check(name: str, *codes: str) -> Callable[[Check], Check]:
    """Register ``run`` as the cross-check ``name``, which reports ``codes``."""

    def register(run: Check) -> Check:
        if name in CHECKS:
            raise ValueError(f"cross-check {name!r} is registered twice")
        unknown = [c for c in codes if c not in CODES]
        if unknown:
            raise ValueError(f"cross-check {name!r} reports unknown codes {unknown}")
        doc = (run.__doc__ or "").strip().splitlines()
        CHECKS[name] = CheckSpec(name, codes, doc[0] if doc else name, run)
        return run

    return register


def pact_path(index: int, parts: Sequence[str | int]) -> str:
    """swagger-mock-validator's path into a pact: ``[root].interactions[2].request.body.id``."""
    return f"[root].interactions[{index}]" + "".join(f".{p}" for p in parts)


def spec_path(place: Place) -> str:
    """swagger-mock-validator's path into a spec: ``[root].paths./users.get.parameters[0]``."""
    node: Any = place.file.data
    out = "[root]"
    for part in decode_pointer(place.pointer):
        if isinstance(node, list) and part.isdigit():
            out += f"[{part}]"
            node = node[int(part)] if int(part) < len(node) else None
        else:
            out += f".{part}"
            node = node.get(part) if isinstance(node, dict) else None
    return out


def node_at(place: Place) -> Any:
    """The value at ``place`` (None when the pointer leads nowhere)."""
    node: Any = place.file.data
    for part in decode_pointer(place.pointer):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    return node


@dataclass(slots=True)
class Exchange:
    """An HTTP interaction of a pact, with the operation it was routed to."""

    contract: Contract
    pact: PactFile
    interaction: Interaction
    request: HttpRequest
    response: HttpResponse
    operation: Operation
    options: CrosscheckOptions
    #: the response documented for the pact's status: exact, ``4XX`` range, or ``default``
    documented: Response | None = None
    #: the same, but never ``default`` (content types are only compared with a real match)
    exact: Response | None = None
    #: the request parts whose problems the recorded status explains (a negative test;
    #: see :mod:`accord.crosscheck._negative`)
    explained: frozenset[str] = frozenset()
    _names: dict[str, dict[str, str]] = field(default_factory=dict, init=False, repr=False)

    @property
    def index(self) -> int:
        return int(self.interaction.pointer.rsplit("/", 1)[-1])

    def explains(self, *parts: str) -> bool:
        """Whether the recorded status explains a problem with any of these request parts."""
        return not self.explained.isdisjoint(parts)

    def header_name(self, side: str, lower: str) -> str:
        """The header's name as the pact spells it (the model keeps them lower-cased)."""
        names = self._names.get(side)
        if names is None:
            raw = self.interaction.raw.get(side)
            headers = raw.get("headers") if isinstance(raw, Mapping) else None
            names = {str(k).lower(): str(k) for k in headers} if isinstance(headers, dict) else {}
            self._names[side] = names
        return names.get(lower, lower)

    def body_pointer(self, side: str) -> str:
        """The JSON pointer of a body's value (a V4 body keeps it under ``content``)."""
        raw = self.interaction.raw.get(side)
        body = raw.get("body") if isinstance(raw, Mapping) else None
        if self.pact.spec_version.startswith("4") and isinstance(body, dict) and "content" in body:
            return f"/{side}/body/content"
        return f"/{side}/body"

    def validator(self, schema: SchemaRef, direction: Direction) -> SchemaValidator:
        """The validator for ``schema``; responses ignore ``required`` unless asked not to."""
        if direction is Direction.RESPONSE and not self.options.required_properties_in_response:
            return lenient_validator(self.contract, schema)
        return self.contract.validator(schema, direction)

    def closed_validator(self, schema: SchemaRef) -> SchemaValidator | None:
        """For responses held to their schema: a validator whose oneOf/anyOf branches are
        closed, to tell a real ambiguity from branches that only fit because they are open."""
        if self.options.additional_properties_in_response:
            return None
        if self.options.required_properties_in_response:
            return None
        return lenient_validator(self.contract, schema, closed=True)

    def mismatch(
        self,
        code: str,
        message: str,
        parts: Sequence[str | int],
        spec: Place | None,
        *,
        pointer: str | None = None,
    ) -> Mismatch:
        """A mismatch at ``parts`` under the interaction (``()`` is the interaction itself)."""
        if pointer is None:
            pointer = encode_pointer(list(parts))
        return Mismatch(
            code=code,
            message=message,
            pact_path=pact_path(self.index, parts),
            pact_location=self.pact.locate(self.interaction.pointer + pointer),
            spec_path=spec_path(spec) if spec is not None else "[root]",
            spec_location=spec.locate() if spec is not None else None,
            interaction=self.interaction.description,
        )

    def body_mismatch(
        self, code: str, message: str, side: str, path: Sequence[str | int], spec: Place | None
    ) -> Mismatch:
        """A mismatch inside the ``side`` (request/response) body, at instance ``path``."""
        pointer = self.body_pointer(side) + encode_pointer(list(path))
        return self.mismatch(code, message, (side, "body", *path), spec, pointer=pointer)
