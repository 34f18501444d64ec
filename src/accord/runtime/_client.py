"""Support for generated clients: one request path for sync and async, typed parsing, errors."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter

__all__ = ["ApiError", "AsyncClientBase", "ClientBase", "Expect"]

#: status code -> the type its body parses into (None: no body)
Expect = Mapping[int, Any]


class ApiError(Exception):
    """A response the contract documents as an error (4xx/5xx), or one it does not document.

    ``problem`` is the parsed ``application/problem+json`` body when there is one.
    """

    def __init__(self, response: httpx.Response, operation: str) -> None:
        self.response = response
        self.status = response.status_code
        self.operation = operation
        self.problem: dict[str, Any] | None = None
        ctype = response.headers.get("content-type", "")
        if "json" in ctype:
            try:
                body = response.json()
            except ValueError:
                body = None
            if isinstance(body, dict):
                self.problem = body
        title = (self.problem or {}).get("title") or response.reason_phrase
        detail = (self.problem or {}).get("detail")
        message = f"{operation}: HTTP {self.status} {title}"
        super().__init__(f"{message}: {detail}" if detail else message)


@cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def dump(value: Any) -> Any:
    """A request body as JSON-ready data: models without the fields the caller never set."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, list):
        return [dump(v) for v in value]
    return value


_PARAM = re.compile(r"\{([^{}]+)\}")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _clean(values: Mapping[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, raw in (values or {}).items():
        if raw is None:
            continue
        value = raw.model_dump(mode="json") if isinstance(raw, BaseModel) else raw
        out[key] = ("true" if value else "false") if isinstance(value, bool) else value
    return out


class _Base:
    def __init__(
        self,
        base_url: str = "",
        *,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.headers = dict(headers or {})
        self.timeout = timeout

    def _build(
        self,
        method: str,
        path: str,
        path_params: Mapping[str, Any],
        query: Mapping[str, Any] | None,
        headers: Mapping[str, Any] | None,
        body: Any,
        body_kind: str | None,
    ) -> dict[str, Any]:
        url = _PARAM.sub(lambda m: quote(_text(path_params[m.group(1)]), safe=""), path)
        all_headers = {**self.headers, **{k: str(v) for k, v in _clean(headers).items()}}
        if self.token and "authorization" not in {h.lower() for h in all_headers}:
            all_headers["Authorization"] = f"Bearer {self.token}"
        request: dict[str, Any] = {
            "method": method,
            "url": self.base_url + url,
            "params": _clean(query),
            "headers": all_headers,
        }
        if body is not None and body_kind == "json":
            request["json"] = dump(body)
        elif body is not None and body_kind == "form":
            request["data"] = _clean(dump(body))
        return request

    @staticmethod
    def _parse(response: httpx.Response, expect: Expect, operation: str) -> Any:
        status = response.status_code
        if status not in expect:
            raise ApiError(response, operation)
        kind = expect[status]
        if kind is None or not response.content:
            return None
        return _adapter(kind).validate_python(response.json())


class ClientBase(_Base):
    """Base of generated sync clients; pass ``client=`` to inject an ``httpx.Client``."""

    def __init__(
        self,
        base_url: str = "",
        *,
        client: httpx.Client | None = None,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout = 10.0,
    ) -> None:
        super().__init__(base_url, token=token, headers=headers, timeout=timeout)
        self._owned = client is None
        self.client = client or httpx.Client(timeout=timeout)

    def close(self) -> None:
        if self._owned:
            self.client.close()

    def __enter__(self) -> ClientBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        expect: Expect,
        *,
        path_params: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        body: Any = None,
        body_kind: str | None = None,
    ) -> Any:
        request = self._build(method, path, path_params or {}, query, headers, body, body_kind)
        response = self.client.request(**request)
        return self._parse(response, expect, operation)


class AsyncClientBase(_Base):
    """Base of generated async clients; pass ``client=`` to inject an ``httpx.AsyncClient``."""

    def __init__(
        self,
        base_url: str = "",
        *,
        client: httpx.AsyncClient | None = None,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout = 10.0,
    ) -> None:
        super().__init__(base_url, token=token, headers=headers, timeout=timeout)
        self._owned = client is None
        self.client = client or httpx.AsyncClient(timeout=timeout)

    async def aclose(self) -> None:
        if self._owned:
            await self.client.aclose()

    async def __aenter__(self) -> AsyncClientBase:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _call(
        self,
        operation: str,
        method: str,
        path: str,
        expect: Expect,
        *,
        path_params: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        body: Any = None,
        body_kind: str | None = None,
    ) -> Any:
        request = self._build(method, path, path_params or {}, query, headers, body, body_kind)
        response = await self.client.request(**request)
        return self._parse(response, expect, operation)
