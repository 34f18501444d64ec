"""A service that misses or mistypes a handler fails mypy against the generated Protocol."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.codegen.helpers import strict_mypy

REPO = Path(__file__).resolve().parents[2]

GOOD_AND_BAD = textwrap.dedent(
    """\
    from __future__ import annotations

    from typing import Any

    from generated.payments import models
    from generated.payments.server import PaymentsService, Reply


    class Mistyped:
        def get_refund(self, refund_id: int) -> models.Refund:  # refund_id is a str
            raise NotImplementedError

        def __getattr__(self, name: str) -> Any:
            raise AttributeError(name)


    class Missing:
        def get_refund(self, refund_id: str) -> models.Refund | Reply[Any]:
            raise NotImplementedError


    service: PaymentsService = Missing()
    other: PaymentsService = Mistyped()
    """
)


@pytest.mark.slow
def test_mypy_rejects_a_service_that_does_not_fit_the_protocol(tmp_path: Path) -> None:
    module = tmp_path / "impl.py"
    module.write_text(GOOD_AND_BAD)
    proc = strict_mypy(module, REPO)
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    assert (
        'impl.py:22: error: Incompatible types in assignment (expression has type "Missing"' in out
    )
    assert (
        'impl.py:23: error: Incompatible types in assignment (expression has type "Mistyped"' in out
    )
    assert "get_refund" in out


CLIENTS_IN_WITH = textwrap.dedent(
    """\
    from __future__ import annotations

    from generated.catalog.client import AsyncCatalogClient, CatalogClient


    def sync_use() -> None:
        with CatalogClient("http://c") as client:
            reveal_type(client)


    async def async_use() -> None:
        async with AsyncCatalogClient("http://c") as client:
            reveal_type(client)
    """
)


@pytest.mark.slow
def test_a_client_in_a_with_block_keeps_its_own_type(tmp_path: Path) -> None:
    """``with Client() as c`` must give the generated client, not its base: else every
    operation called on ``c`` is an error under mypy."""
    module = tmp_path / "use.py"
    module.write_text(CLIENTS_IN_WITH)
    proc = strict_mypy(module, REPO)
    out = proc.stdout
    assert 'use.py:8: note: Revealed type is "generated.catalog.client.CatalogClient"' in out, out
    assert (
        'use.py:13: note: Revealed type is "generated.catalog.client.AsyncCatalogClient"' in out
    ), out
