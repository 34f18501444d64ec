"""Settings of a mock server in frozen dataclasses (flags and ``mocks/`` files fill them in)."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

__all__ = ["FaultPlan", "Faults", "Latency", "MockConfig"]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$")


def _seconds(text: str) -> float:
    found = _DURATION.match(text)
    if found is None:
        raise ValueError(f"{text!r} is not a duration (e.g. 50ms or 1.5s)")
    value = float(found.group(1))
    return value if found.group(2) == "s" else value / 1000


@dataclass(slots=True, frozen=True)
class Latency:
    """A delay: fixed, ``uniform`` between two bounds, ``normal`` or ``exponential``."""

    distribution: str = "fixed"
    a: float = 0.0  # seconds: the fixed delay, the lower bound, the mean
    b: float = 0.0  # seconds: the upper bound, the standard deviation

    @classmethod
    def parse(cls, text: str) -> Latency:
        """``50ms``, ``uniform:10ms-200ms``, ``normal:80ms,20ms``, ``exponential:50ms``."""
        kind, sep, rest = text.partition(":")
        if not sep:
            return cls("fixed", _seconds(text))
        kind = kind.strip().lower()
        if kind == "uniform":
            low, _, high = rest.partition("-")
            return cls(kind, _seconds(low), _seconds(high))
        if kind == "normal":
            mean, _, spread = rest.partition(",")
            return cls(kind, _seconds(mean), _seconds(spread))
        if kind == "exponential":
            return cls(kind, _seconds(rest))
        raise ValueError(
            f"unknown latency distribution {kind!r} (fixed, uniform, normal, exponential)"
        )

    def draw(self, rng: random.Random) -> float:
        match self.distribution:
            case "uniform":
                return rng.uniform(self.a, self.b)
            case "normal":
                return max(0.0, rng.gauss(self.a, self.b))
            case "exponential":
                return rng.expovariate(1 / self.a) if self.a > 0 else 0.0
        return self.a


@dataclass(slots=True, frozen=True)
class Faults:
    """What to inject into a request; the defaults inject nothing."""

    latency: Latency | None = None
    error_rate: float = 0.0
    error_status: int = 503
    reset_rate: float = 0.0

    @property
    def active(self) -> bool:
        delays = self.latency is not None and (self.latency.a > 0 or self.latency.b > 0)
        return delays or self.error_rate > 0 or self.reset_rate > 0


@dataclass(slots=True, frozen=True)
class FaultPlan:
    """Faults for every request, and overrides by service name or operation name.

    ``forced`` (the command line's flags) applies to every request and wins over the
    rest, so ``--error-rate 0.1`` means what it says even where a mock file sets faults.
    """

    default: Faults = field(default_factory=Faults)
    services: Mapping[str, Faults] = field(default_factory=dict)
    operations: Mapping[str, Faults] = field(default_factory=dict)
    forced: Faults | None = None

    @property
    def active(self) -> bool:
        every = (self.default, *self.services.values(), *self.operations.values())
        return any(f.active for f in every) or (self.forced is not None and self.forced.active)

    def faults_for(self, service: str, operation: str) -> Faults:
        """What to inject into a request of ``operation`` of ``service``."""
        if self.forced is not None:
            return self.forced
        found = self.operations.get(operation)
        return found or self.services.get(service) or self.default


@dataclass(slots=True, frozen=True)
class MockConfig:
    """How a :class:`~accord.mock.MockApp` behaves; the defaults suit interactive use."""

    #: seed of every generated value; the same seed gives the same answers
    seed: int = 0
    #: keep resources per collection (POST creates, GET reads, ...) instead of canned answers
    stateful: bool = False
    #: check parameters and bodies against the contract (400/415/422 when they do not match)
    validate: bool = True
    #: largest request body read, in bytes (413 above it)
    max_body_bytes: int = 1024 * 1024
    #: deepest JSON nesting accepted in a request body (400 above it)
    max_depth: int = 64
    #: page size of stateful lists when the request names none
    page_size: int = 20
    #: latency, errors and dropped connections to inject
    faults: FaultPlan = field(default_factory=FaultPlan)
    #: where the one-line JSON request log goes (``None``: no log)
    log: Callable[[str], None] | None = None
