"""The security schemes a generated client takes credentials for, one constructor argument each."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from accord.codegen._naming import snake

__all__ = ["SchemeView", "scheme_views"]

#: the base clients' own constructor arguments, which a scheme's argument may not shadow
_TAKEN = frozenset({"self", "base_url", "client", "token", "credentials", "headers", "timeout"})


@dataclass(slots=True, frozen=True)
class SchemeView:
    name: str  # as the contract spells it
    python: str  # the constructor argument
    kind: str  # the runtime ``Scheme`` kind
    key: str  # header / query / cookie name, or the HTTP scheme's name
    annotation: str
    doc: str


def _classify(scheme: Mapping[str, Any]) -> tuple[str, str, str, str] | None:
    kind = scheme.get("type")
    if kind == "http":
        http = str(scheme.get("scheme", "")).strip()
        if http.lower() == "basic":
            return "basic", "", "tuple[str, str]", "a ``(user, password)`` pair"
        if http.lower() == "bearer":
            return "bearer", "", "str", "a bearer token"
        return "http", http, "str", f"the credential sent as ``Authorization: {http} ...``"
    if kind == "apiKey":
        where = scheme.get("in")
        if where in ("header", "query", "cookie") and isinstance(scheme.get("name"), str):
            name = scheme["name"]
            return where, name, "str", f"an API key sent in the {where} ``{name}``"
        return None
    if kind in ("oauth2", "openIdConnect"):
        label = "an OAuth2" if kind == "oauth2" else "an OpenID Connect"
        return "bearer", "", "str", f"{label} access token (obtained by the caller)"
    return None  # mutualTLS: configure the certificate on an injected httpx client


def scheme_views(schemes: Mapping[str, Any]) -> dict[str, SchemeView]:
    """The schemes a client can send a credential for, by contract name, in contract order."""
    views: dict[str, SchemeView] = {}
    taken = set(_TAKEN)
    for name, scheme in schemes.items():
        found = _classify(scheme) if isinstance(scheme, Mapping) else None
        if found is None:
            continue
        kind, key, annotation, doc = found
        python = snake(name)
        while python in taken:
            python += "_"
        taken.add(python)
        views[name] = SchemeView(name, python, kind, key, annotation, doc)
    return views
