"""The pretend card issuer: which tokens succeed, decline, or cannot be used at all.

Consumers exercise the unhappy paths with recognisable tokens (configurable):

- ``tok_declined...`` (any case) -> 201, ``status: declined``, ``insufficient_funds``
- ``tok_expired...`` -> 201, ``declined``, ``expired_card``
- ``tok_fraud...`` -> 201, ``declined``, ``fraud_suspected``
- ``tok_unusable...`` -> 402, no charge recorded
- anything else succeeds; the brand follows ``visa``/``mastercard``/``amex`` in the token.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["IssuerRules", "Verdict"]


@dataclass(slots=True, frozen=True)
class Verdict:
    usable: bool
    decline_code: str | None
    brand: str
    last4: str


@dataclass(slots=True, frozen=True)
class IssuerRules:
    declines: dict[str, str] = field(
        default_factory=lambda: {
            "declined": "insufficient_funds",
            "expired": "expired_card",
            "fraud": "fraud_suspected",
        }
    )
    unusable_prefix: str = "unusable"

    def judge(self, token: str) -> Verdict:
        body = token.removeprefix("tok_").lower()
        brand = next((b for b in ("mastercard", "amex", "visa") if b in body), "visa")
        digits = "".join(c for c in token if c.isdigit())
        last4 = (digits[-4:] if len(digits) >= 4 else "4242").rjust(4, "0")
        if body.startswith(self.unusable_prefix):
            return Verdict(False, None, brand, last4)
        code = next((c for prefix, c in self.declines.items() if body.startswith(prefix)), None)
        return Verdict(True, code, brand, last4)
