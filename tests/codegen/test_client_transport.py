"""Generated async clients over a real socket whose peer misbehaves: every failure reaches the
caller as an ``httpx.TransportError`` (which services map to 503/504), never as another
exception that a server would turn into a 500.

Found by the shop's fault test: payments killed mid-burst made orders answer 500, because
anyio raises ``AttributeError`` on ``None.getpeername`` when a new connection is reset before
httpcore asks for its TLS details.
"""

from __future__ import annotations

import asyncio
import socket
import struct

import httpx
import pytest
from anyio._backends import _asyncio as anyio_asyncio
from generated.catalog.client import AsyncCatalogClient


async def _resetting_server() -> asyncio.Server:
    """Accepts each connection and resets it at once (SO_LINGER 0: RST, not FIN)."""

    def reset(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    return await asyncio.start_server(reset, "127.0.0.1", 0)


async def _answering_server() -> asyncio.Server:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client went away first
        finally:
            writer.close()

    return await asyncio.start_server(answer, "127.0.0.1", 0)


def _url(server: asyncio.Server) -> str:
    host, port = server.sockets[0].getsockname()[:2]
    return f"http://{host}:{port}"


def test_a_peer_that_resets_every_connection_gives_transport_errors_only() -> None:
    async def run() -> list[BaseException]:
        server = await _resetting_server()
        async with server, AsyncCatalogClient(_url(server), token="t") as client:
            results = await asyncio.gather(
                *(client.get_product("p") for _ in range(40)), return_exceptions=True
            )
        return [r for r in results if isinstance(r, BaseException)]

    failures = asyncio.run(run())
    assert len(failures) == 40
    odd = [repr(f) for f in failures if not isinstance(f, httpx.TransportError)]
    assert odd == []


def test_a_connection_lost_before_httpcore_reads_it_is_a_connect_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The race forced: the transport has already dropped its socket when httpcore asks."""

    async def run() -> BaseException | None:
        server = await _answering_server()
        async with server, AsyncCatalogClient(_url(server), token="t") as client:
            try:
                await client.get_product("p")
            except BaseException as exc:
                return exc
        return None

    def lost(stream: anyio_asyncio.SocketStream) -> None:
        stream._transport.abort()  # as a reset does: the transport lets its socket go

    monkeypatch.setattr(anyio_asyncio.SocketStream, "_raw_socket", property(lost))
    failure = asyncio.run(run())
    assert isinstance(failure, httpx.ConnectError), repr(failure)
    assert "not sent" in str(failure)
    assert isinstance(failure.__cause__, AttributeError)


def test_an_attribute_error_of_the_callers_own_is_not_hidden() -> None:
    def hook(_request: httpx.Request) -> None:
        raise AttributeError("'NoneType' object has no attribute 'token'")

    async def run() -> None:
        server = await _answering_server()
        async with server:
            http = httpx.AsyncClient(event_hooks={"request": [hook]})
            async with AsyncCatalogClient(_url(server), client=http, token="t") as client:
                await client.get_product("p")
            await http.aclose()

    with pytest.raises(AttributeError, match="token"):
        asyncio.run(run())
