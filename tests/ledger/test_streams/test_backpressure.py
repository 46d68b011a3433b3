"""A client that stops reading is disconnected after the send timeout: the server does not buffer a stream
for it without bound. The client is a raw socket with a tiny receive buffer that completes the WebSocket
handshake, sends its query and never reads again."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import struct
import time
from urllib.parse import urlsplit

from tests.ledger.test_streams.conftest import ORDER, SEND_TIMEOUT, Ledger, receive_until, token

CONTRACTS = 40
PRODUCT_BYTES = 250_000  # 40 contracts of ~250 kB: a 10 MB active contract set


def _masked_text_frame(text: str) -> bytes:
    payload = text.encode()
    mask = os.urandom(4)
    header = bytes([0x81]) + (
        bytes([0x80 | len(payload)])
        if len(payload) < 126
        else bytes([0x80 | 126]) + struct.pack("!H", len(payload))
    )
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def _stalled_client(json_api: str, bearer: str, request: str) -> socket.socket:
    url = urlsplit(json_api)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(5)
    sock.connect((url.hostname, url.port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /v1/stream/query HTTP/1.1\r\nHost: {url.netloc}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Protocol: jwt.token.{bearer}, daml.ws.auth\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    sock.sendall(_masked_text_frame(request))
    return sock


def _drain(sock: socket.socket, deadline: float) -> tuple[int, bool]:
    """Reads what is left; (bytes read, whether the server ended the connection before ``deadline``)."""
    total = 0
    sock.settimeout(0.2)
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return total, True
        if not chunk:
            return total, True
        total += len(chunk)
    return total, False


async def test_a_client_that_stops_reading_is_disconnected(ledger: Ledger, parties: dict[str, str]) -> None:
    c, m = parties["Customer"], parties["Manufacturer"]
    await ledger.allocate(c, m)
    big = "x" * PRODUCT_BYTES
    for i in range(CONTRACTS):
        await ledger.create_order(f"big-{i}", c, m, productId=big)
    bearer = token(ledger.process, c)
    request = json.dumps({"templateIds": [ORDER]})
    sock = await asyncio.to_thread(_stalled_client, ledger.process.info.json_api, bearer, request)
    try:
        stalled_at = time.monotonic()
        # not reading for longer than the send timeout (short sleeps: this is the wait under test)
        while time.monotonic() < stalled_at + SEND_TIMEOUT + 1.0:  # noqa: ASYNC110
            await asyncio.sleep(0.25)
        # the connection is gone, long before 10 MB were delivered
        read, ended = await asyncio.to_thread(_drain, sock, time.monotonic() + 5)
        assert ended, "the server kept the stalled client's connection open"
        assert read < CONTRACTS * PRODUCT_BYTES // 2, read
    finally:
        sock.close()

    async with ledger.connect("/v1/stream/query", bearer) as ws:  # the server is fine and streams on
        await ws.send(json.dumps({"templateIds": [ORDER], "query": {"orderId": "big-0"}}))
        frames = await receive_until(ws, lambda f: "offset" in f)
        assert [e["created"]["payload"]["orderId"] for f in frames for e in f["events"]] == ["big-0"]
