"""HTTP vocabulary shared by every layer: the RFC 9110 reason phrase of a status."""

from __future__ import annotations

from http import HTTPStatus

__all__ = ["status_title"]

#: where RFC 9110 renamed what Python's ``HTTPStatus`` still calls by the RFC 7231 names
_RFC9110 = {413: "Content Too Large", 422: "Unprocessable Content"}


def status_title(status: int) -> str:
    """``404`` -> ``"Not Found"``; a status HTTP does not name is ``"Error"``."""
    found = _RFC9110.get(status)
    if found is not None:
        return found
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
