"""One WebSocket connection of a stream: bounded sending, the request messages, the client watch.

Backpressure: a message is sent only when the previous one went out (the ASGI server's ``send`` waits while
its transport buffer is above the high-water mark), and each send may take at most ``send_timeout`` seconds.
A client that does not read in time is disconnected at once (the transport is aborted, dropping what it
still buffers), so a slow or stalled client costs the server at most one message and one transport buffer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from ledger.jsonapi.streams import frames
from ledger.jsonapi.streams.frames import JsonDict, StreamError

log = logging.getLogger(__name__)

BINARY_MESSAGE = "Invalid request. Expected a single TextMessage with JSON payload, got BinaryMessage"


class SlowClient(Exception):
    """The client did not take a message within the send timeout; the connection was aborted."""


class ClientGone(Exception):
    """The client closed the connection."""


@dataclass(frozen=True)
class Timing:
    heartbeat: float
    send_timeout: float


def _find_transport(fn: Any, depth: int = 0) -> Any:
    """The server's transport behind an ASGI ``send`` callable (a bound method of the server's protocol,
    possibly wrapped by middleware closures)."""
    if depth > 8 or fn is None:
        return None
    transport = getattr(getattr(fn, "__self__", None), "transport", None)
    if callable(getattr(transport, "abort", None)):
        return transport
    for cell in getattr(fn, "__closure__", None) or ():
        try:
            value = cell.cell_contents
        except ValueError:
            continue
        if callable(value):
            found = _find_transport(value, depth + 1)
            if found is not None:
                return found
    return None


class Session:
    def __init__(self, websocket: WebSocket, timing: Timing) -> None:
        self.websocket = websocket
        self.timing = timing
        self.last_sent = time.monotonic()

    # -- sending ---------------------------------------------------------------------------------------------

    async def send(self, frame: JsonDict) -> None:
        try:
            await asyncio.wait_for(self.websocket.send_text(frames.dumps(frame)), self.timing.send_timeout)
        except TimeoutError:
            self.abort()
            raise SlowClient from None
        except (WebSocketDisconnect, OSError, RuntimeError):
            raise ClientGone from None
        self.last_sent = time.monotonic()

    def abort(self) -> None:
        """Drop the connection now, with whatever the transport still buffers."""
        transport = _find_transport(getattr(self.websocket, "_send", None))
        if transport is not None:
            transport.abort()
        else:  # pragma: no cover - another ASGI server: it closes when the app returns
            log.warning("stream: cannot abort the transport of a slow client; it closes when it drains")

    async def fail(self, error: StreamError) -> None:
        """Send Daml's error frame, then close (1008 for a token problem, 1011 for a server error)."""
        if self.websocket.application_state != WebSocketState.CONNECTED:
            return
        with contextlib.suppress(SlowClient, ClientGone):
            await self.send(frames.error(error.status, error.message))
            code = 1008 if error.status in (401, 403) else 1011 if error.status >= 500 else 1000
            with contextlib.suppress(WebSocketDisconnect, OSError, RuntimeError):
                await asyncio.wait_for(self.websocket.close(code), self.timing.send_timeout)

    # -- receiving -------------------------------------------------------------------------------------------

    async def receive_json(self) -> Any:
        """The next request message as JSON (:class:`StreamError` 400 if it is not JSON text)."""
        message = await self.websocket.receive()
        if message["type"] == "websocket.disconnect":
            raise ClientGone
        text = message.get("text")
        if text is None:
            raise StreamError(400, BINARY_MESSAGE)
        try:
            return json.loads(text)
        except ValueError as exc:
            raise StreamError(400, f"JSON parser error: {exc}") from None

    async def _watch(self) -> None:
        """Returns when the client closes; raises :class:`StreamError` if it sends another message."""
        message = await self.websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        raise StreamError(400, frames.MULTIPLE_REQUESTS)

    async def run(self, producer: Callable[[], Awaitable[None]]) -> None:
        """Run ``producer`` (the stream) until it fails, the client leaves, or sends a second request."""
        work = asyncio.ensure_future(producer())
        watch = asyncio.ensure_future(self._watch())
        try:
            done, _ = await asyncio.wait({work, watch}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (work, watch):
                if not task.done():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
        if work in done:
            work.result()
        else:
            watch.result()
