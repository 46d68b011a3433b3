"""The WebSocket ``/ws``: the caller's order events as JSON messages.

Authentication: the client offers two subprotocols, ``lso.bearer`` and its token
(``Sec-WebSocket-Protocol: lso.bearer, <JWT>``; browsers: ``new WebSocket(url, ["lso.bearer", token])``).
The server answers with the subprotocol ``lso.bearer`` (never echoing the token). Browsers cannot set an
Authorization header on a WebSocket, and a query parameter would leave the token in access logs.
Without a token, or with an invalid, expired or revoked one, the socket is accepted and closed at once
with code 1008 (policy violation) and the reason; a token revoked or expired later closes it with 1008
at the next heartbeat.

Messages (server to client): ``{"type": "hello", "user_id", "role"}`` first, then
``{"type": "event", "event": {...}}`` per event (the payload of :mod:`gateway.push.payload`, with its
``id``), and ``{"type": "heartbeat"}`` when nothing was sent for the heartbeat interval. The query
parameter ``last_event_id`` replays what followed that event. A client that falls too far behind is
closed with 1013 (try again later) and may reconnect with its last id. What the client sends is ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

from fastapi import WebSocket, WebSocketDisconnect, status

from gateway.bridge.base import AgentBridge
from gateway.bridge.hub import Subscription, SubscriptionClosed
from gateway.core.principal import Principal
from gateway.push.access import Filter, NotAllowed, events_for
from gateway.push.payload import event_payload

SUBPROTOCOL = "lso.bearer"
GOING_AWAY = 1001
TRY_AGAIN_LATER = 1013

Authenticate = Callable[[str], Awaitable[Principal]]
"""Verify a token; raises (any exception: its text is the close reason) when it is not good."""


def token_in(offered: list[str]) -> str | None:
    """The token offered after ``lso.bearer`` among the subprotocols, if any."""
    for index, name in enumerate(offered[:-1]):
        if name == SUBPROTOCOL:
            return offered[index + 1] or None
    return None


async def serve_socket(
    websocket: WebSocket,
    *,
    authenticate: Authenticate,
    bridge: AgentBridge | None,
    heartbeat: float,
    still_valid: Callable[[Principal], Awaitable[bool]],
) -> None:
    offered = list(websocket.scope.get("subprotocols") or [])
    token = token_in(offered)
    await websocket.accept(subprotocol=SUBPROTOCOL if SUBPROTOCOL in offered else None)
    if token is None:
        why = "a token is required: subprotocols lso.bearer, <token>"
        await _close(websocket, status.WS_1008_POLICY_VIOLATION, why)
        return
    try:
        user = await authenticate(token)
        keep = events_for(user)
    except NotAllowed as exc:
        await _close(websocket, status.WS_1008_POLICY_VIOLATION, str(exc))
        return
    except Exception as exc:
        await _close(websocket, status.WS_1008_POLICY_VIOLATION, str(exc) or "the token is not valid")
        return
    if bridge is None:
        await _close(websocket, status.WS_1011_INTERNAL_ERROR, "the agents are not connected to this gateway")
        return
    await websocket.send_json({"type": "hello", "user_id": user.user_id, "role": str(user.role)})
    subscription = bridge.subscribe(websocket.query_params.get("last_event_id"))
    subscription.only(keep)
    reader = asyncio.create_task(_drain(websocket), name="ws reader")
    try:
        valid = lambda: still_valid(user)  # noqa: E731
        code, reason = await _pump(websocket, subscription, keep, reader, heartbeat, valid)
    finally:
        subscription.close()
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader
    if code is not None:
        await _close(websocket, code, reason)


async def _pump(
    websocket: WebSocket,
    subscription: Subscription,
    keep: Filter,
    reader: asyncio.Task[None],
    heartbeat: float,
    valid: Callable[[], Awaitable[bool]],
) -> tuple[int | None, str]:
    """Send events until the client leaves (None) or the socket must close (code, reason)."""
    last_write = time.monotonic()
    while True:
        wait = max(0.0, last_write + heartbeat - time.monotonic())
        getting = asyncio.create_task(subscription.get(wait))
        done, _ = await asyncio.wait({getting, reader}, return_when=asyncio.FIRST_COMPLETED)
        if getting not in done:
            getting.cancel()
            return None, ""
        try:
            item = getting.result()
        except SubscriptionClosed:
            if subscription.overflowed:
                return TRY_AGAIN_LATER, "fell too far behind; reconnect with last_event_id"
            return GOING_AWAY, "the gateway stops"
        try:
            if item is not None and keep(item.event):
                await websocket.send_json({"type": "event", "event": event_payload(item)})
                last_write = time.monotonic()
            elif time.monotonic() - last_write >= heartbeat:
                if not await valid():
                    return status.WS_1008_POLICY_VIOLATION, "the token expired or was revoked"
                await websocket.send_json({"type": "heartbeat"})
                last_write = time.monotonic()
        except (WebSocketDisconnect, RuntimeError):
            return None, ""


async def _drain(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, until it disconnects."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    with contextlib.suppress(Exception):
        await websocket.close(code=code, reason=reason.encode()[:120].decode(errors="ignore"))
