"""Everything about one operation that a request needs, worked out once per operation."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from accord._http import status_title
from accord.core import Contract, Operation, can_be_json, compile_parameters, cookies_of
from accord.mock._asgi import dump
from accord.mock._responses import Canned, ResponsePlan

__all__ = ["OperationPlan", "Problem", "SecurityCheck", "plain_problem"]

PROBLEM_TYPE = "application/problem+json"
#: the statuses tried, in order, for each kind of rejection, before the first is used anyway
FALLBACKS: Mapping[int, tuple[int, ...]] = {
    400: (400, 422),
    401: (401, 403),
    404: (404, 400),
    406: (406,),
    413: (413,),
    415: (415,),
    422: (400, 422),
}


@dataclass(slots=True, frozen=True)
class Problem:
    """An RFC 9457 problem about a request, before it is fitted to an operation's contract."""

    status: int
    detail: str
    errors: tuple[dict[str, str], ...] = ()  # shared with the documents, never changed
    headers: tuple[tuple[bytes, bytes], ...] = ()

    def document(self, status: int | None = None, instance: str | None = None) -> dict[str, Any]:
        code = status or self.status
        doc: dict[str, Any] = {
            "type": "about:blank",
            "title": status_title(code),
            "status": code,
            "detail": self.detail[:2000],
        }
        if instance:
            doc["instance"] = instance
        if self.errors:
            doc["errors"] = list(self.errors[:100])
        return doc


def plain_problem(problem: Problem) -> Canned:
    """A problem answer for a request no operation owns."""
    return Canned(problem.status, dump(problem.document()), PROBLEM_TYPE, problem.headers)


@dataclass(slots=True, frozen=True)
class SecurityCheck:
    """One credential a security requirement needs: where to look and for what.

    Any ``Authorization`` value counts for an HTTP or OAuth 2 scheme; the mock does
    not insist on the scheme's own prefix (clients rarely get that wrong, and a
    Basic credential sent to a Bearer-only mock is still a credential).
    """

    location: str  # header | query | cookie | none
    name: str  # lower-case header name, or the query/cookie name
    prefix: str = ""  # e.g. "bearer " for the Authorization header
    scheme: str = ""  # the security scheme's name in the contract
    #: the HTTP authentication scheme as written (``Bearer``, ``Basic``), for challenges
    challenge: str = ""

    def describe(self) -> str:
        """How a client sends this credential, for a 401's problem details."""
        if self.location == "header" and self.name == "authorization":
            how = f"`Authorization: {self.challenge} <{_placeholder(self.challenge)}>`"
        else:
            how = f"an API key in the {self.location} `{self.name}`"
        return f"{how} ({self.scheme})" if self.scheme else how


def _placeholder(challenge: str) -> str:
    return "user:password, base64" if challenge.lower() == "basic" else "token"


def _security_checks(name: str, scheme: Mapping[str, Any]) -> SecurityCheck:
    kind = str(scheme.get("type", "")).lower()
    if kind == "apikey":
        where = str(scheme.get("in", "header")).lower()
        key = str(scheme.get("name", ""))
        return SecurityCheck(where, key.lower() if where == "header" else key, scheme=name)
    if kind == "http":
        http = str(scheme.get("scheme", "")).strip() or "Bearer"
        http = http[:1].upper() + http[1:]  # `bearer` and `Bearer` name the same scheme
        return SecurityCheck("header", "authorization", http.lower() + " ", name, http)
    if kind in ("oauth2", "openidconnect"):
        return SecurityCheck("header", "authorization", "bearer ", name, "Bearer")
    return SecurityCheck("none", "")


class OperationPlan:
    """An operation with its responses planned and its security requirements compiled."""

    def __init__(self, contract: Contract, operation: Operation, seed: int) -> None:
        self.contract = contract
        self.operation = operation
        self.responses = {
            key: ResponsePlan(contract, operation, key, response, seed)
            for key, response in operation.responses.items()
        }
        self.default = self._default_response()
        self.parameters = compile_parameters(contract, operation)
        schemes = contract.security_schemes
        self.security: list[list[SecurityCheck]] = []
        for requirement in operation.security:
            checks = [_security_checks(n, schemes[n]) for n in requirement if n in schemes]
            self.security.append([c for c in checks if c.location != "none"])
        if any(not alternative for alternative in self.security):
            self.security = []  # one alternative needs nothing: anonymous access is allowed
        #: problem status -> (status sent, documented response), worked out on first use
        self._fitted: dict[int, tuple[int, ResponsePlan | None]] = {}

    def _default_response(self) -> ResponsePlan | None:
        keys = list(self.responses)
        found = next((k for k in keys if k.startswith("2")), None)
        if found is None and "default" in self.responses:
            found = "default"
        found = found or next((k for k in keys if k.startswith("3")), None)
        found = found or (keys[0] if keys else None)
        return self.responses[found] if found is not None else None

    def response_for(self, status: int) -> ResponsePlan | None:
        """The documented response for ``status``: exact, then ``NXX``, then ``default``."""
        code = str(status)
        for key in (code, code[0] + "XX", code[0] + "xx", "default"):
            if key in self.responses:
                return self.responses[key]
        return None

    def documented(self, status: int) -> bool:
        code = str(status)
        return any(k in self.responses for k in (code, code[0] + "XX", code[0] + "xx"))

    def successes(self) -> Sequence[ResponsePlan]:
        return [p for k, p in self.responses.items() if k.startswith("2")]

    # problems -------------------------------------------------------------------------------
    def problem(self, problem: Problem, instance: str) -> Canned:
        """``problem`` as this operation documents its errors.

        The status is the first of the problem's fallbacks the operation documents
        (400 before 422, 401 before 403, ...). The body is problem+json when the
        documented schema accepts it; otherwise the documented error body, with the
        problem's detail in an ``Accord-Problem`` header.
        """
        fitted = self._fitted.get(problem.status)
        if fitted is None:
            fitted = self._fit(problem.status)
            self._fitted[problem.status] = fitted
        status, plan = fitted
        doc = problem.document(status, instance)
        headers = problem.headers
        if plan is None or plan.media is None:
            return Canned(status, dump(doc), PROBLEM_TYPE, headers + _plan_headers(plan))
        media = plan.media
        if can_be_json(media.name) and plan.accepts(doc):
            content_type = PROBLEM_TYPE if "*" in media.name else media.name
            return Canned(status, dump(doc), content_type, headers + plan.headers())
        canned = plan.canned()
        note = (b"accord-problem", problem.detail[:200].encode("latin-1", "replace"))
        if canned is None:
            return Canned(status, dump(doc), PROBLEM_TYPE, (*headers, note))
        return Canned(status, canned.body, canned.content_type, (*headers, *canned.headers, note))

    def _fit(self, wanted: int) -> tuple[int, ResponsePlan | None]:
        """The status and documented response a problem of status ``wanted`` is sent as."""
        status = wanted
        for candidate in FALLBACKS.get(wanted, (wanted,)):
            if self.documented(candidate):
                status = candidate
                break
        return status, self.response_for(status)

    def wanted_credentials(self) -> str:
        """The credentials the operation asks for, each alternative on its own."""
        alternatives = [" and ".join(c.describe() for c in alt) for alt in self.security]
        return " or ".join(alternatives)

    def challenges(self) -> str:
        """``WWW-Authenticate`` for a 401: one challenge per HTTP scheme the operation takes.

        Empty when it takes only API keys, which HTTP has no challenge for.
        """
        found: list[str] = []
        for alternative in self.security:
            for check in alternative:
                if check.challenge and check.challenge not in found:
                    found.append(check.challenge)
        return ", ".join(f'{name} realm="accord-mock"' for name in found)

    def has_credentials(self, headers: Mapping[str, str], query: Mapping[str, Any]) -> bool:
        """Whether one security alternative is satisfied (values are never checked)."""
        if not self.security:
            return True
        cookies = cookies_of(headers.get("cookie", "")) if "cookie" in headers else {}
        for alternative in self.security:
            for check in alternative:
                if not _present(check, headers, query, cookies):
                    break
            else:
                return True
        return False


def _plan_headers(plan: ResponsePlan | None) -> tuple[tuple[bytes, bytes], ...]:
    return plan.headers() if plan is not None else ()


def _present(
    check: SecurityCheck,
    headers: Mapping[str, str],
    query: Mapping[str, Any],
    cookies: Mapping[str, str],
) -> bool:
    if check.location == "header":
        value = headers.get(check.name)
    elif check.location == "query":
        found = query.get(check.name)
        value = found[-1] if isinstance(found, list) and found else None
    elif check.location == "cookie":
        value = cookies.get(check.name)
    else:
        return True
    if value is None or not value.strip():
        return False
    # the value is never verified, except that one saying "invalid" is refused: clients
    # can exercise their 401 path, and contract testers can see that auth is enforced
    if value.lower().startswith("basic "):
        value = f"{value} {_unbase64(value[6:])}"
    return "invalid" not in value.lower()


def _unbase64(text: str) -> str:
    try:
        return base64.b64decode(text.strip(), validate=True).decode("utf-8", "replace")
    except ValueError:
        return text
