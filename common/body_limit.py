"""A request body limit for an ASGI app, on the declared length and on the bytes actually streamed (chunked
bodies are counted as they arrive, never buffered here). The caller chooses the limit of a request and
answers a refused one in its own API's words (the gateway, the ledger's JSON API)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


async def within_limit(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, limit: int, too_large: type[Exception]
) -> bool:
    """Run ``app`` on the HTTP request ``scope`` unless its declared length is over ``limit`` bytes; while
    the app reads the body, ``receive`` raises ``too_large(limit)`` once it passes ``limit`` (for the app
    to answer with its error handler). False when the caller must answer 413 itself: the declared length
    was too large, or ``too_large`` came out of the app before any response started (once one started, it
    is raised again)."""
    declared = _content_length(scope)
    if declared is not None and declared > limit:
        return False
    received = 0
    started = False

    async def counting_receive() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise too_large(limit)
        return message

    async def tracking_send(message: Message) -> None:
        nonlocal started
        if message["type"] == "http.response.start":
            started = True
        await send(message)

    try:
        await app(scope, counting_receive, tracking_send)
    except too_large:
        if started:
            raise
        return False
    return True


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers") or ():
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
