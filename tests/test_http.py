"""RFC 9110 reason phrases, shared by the mock, the gateway and the runtime."""

from __future__ import annotations

import pytest

from accord._http import status_title


@pytest.mark.parametrize(
    ("status", "title"),
    [
        (404, "Not Found"),
        (413, "Content Too Large"),  # Python still says "Request Entity Too Large"
        (422, "Unprocessable Content"),  # and "Unprocessable Entity"
        (429, "Too Many Requests"),
        (503, "Service Unavailable"),
        (599, "Error"),
    ],
)
def test_status_title(status: int, title: str) -> None:
    assert status_title(status) == title
