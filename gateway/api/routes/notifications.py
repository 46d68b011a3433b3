"""Push notifications: Server-Sent Events for all of the caller's orders or one order, and a WebSocket.

Every event carries the order id, its kind (``status``, ``quotation``, ``invoice``), the status, and
for a quotation or an invoice the price and currency (see :mod:`gateway.push`).
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, HTTPException, Request, WebSocket, status
from fastapi.responses import StreamingResponse

from gateway.api.deps import BridgeDep, CurrentUser, DbDep
from gateway.bridge.base import AgentBridge
from gateway.bridge.hub import REPLAY_ALL
from gateway.bridge.settings import BridgeSettings
from gateway.core.principal import Principal
from gateway.push.access import Filter, NotAllowed, events_for, may_follow, still_valid
from gateway.push.auth import verify_token
from gateway.push.sse import sse_stream
from gateway.push.ws import serve_socket
from store.database import Database

router = APIRouter(tags=["notifications"])

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
_SSE_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/event-stream": {
                "example": 'id: 3f2a-12\nevent: quotation\ndata: {"id":"3f2a-12","order_id":"…","kind":'
                '"quotation","status":"quoted","price":"1234.50","currency":"EUR",…}\n\n'
            }
        },
        "description": "An endless stream of the caller's order events; `: heartbeat` comments when idle.",
    }
}


def _heartbeat(request: Request | WebSocket) -> float:
    """The bridge's heartbeat interval (``app.state.bridge_settings`` overrides it, for tests)."""
    state = request.app.state
    config = getattr(state, "bridge_settings", None) or getattr(state.bridge, "config", None)
    return (config if isinstance(config, BridgeSettings) else BridgeSettings()).heartbeat_seconds


def _stream(
    request: Request,
    bridge: AgentBridge,
    db: Database,
    user: Principal,
    keep: Filter,
    last_event_id: str | None,
) -> StreamingResponse:
    async def valid() -> bool:
        return await still_valid(db, user)

    body = sse_stream(bridge.subscribe(last_event_id), keep, heartbeat=_heartbeat(request), still_valid=valid)
    return StreamingResponse(body, media_type="text/event-stream", headers=SSE_HEADERS)


@router.get(
    "/notifications/stream",
    response_class=StreamingResponse,
    responses=_SSE_DOC,
    summary="Server-Sent Events: every event of the caller's orders",
)
async def notifications_stream(
    request: Request,
    user: CurrentUser,
    bridge: BridgeDep,
    db: DbDep,
    last_event_id: Annotated[str | None, Header(max_length=64)] = None,
) -> StreamingResponse:
    """A customer hears of its own orders, a manufacturer of the orders addressed to it.
    Reconnect with `Last-Event-ID` to replay what was missed (while the gateway still keeps it)."""
    try:
        keep = events_for(user)
    except NotAllowed as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    return _stream(request, bridge, db, user, keep, last_event_id)


@router.get(
    "/orders/{order_id}/events",
    response_class=StreamingResponse,
    responses={**_SSE_DOC, 404: {"description": "No such order of the caller's"}},
    summary="Server-Sent Events of one order",
)
async def order_events(
    request: Request,
    order_id: UUID,
    user: CurrentUser,
    bridge: BridgeDep,
    db: DbDep,
    last_event_id: Annotated[str | None, Header(max_length=64)] = None,
) -> StreamingResponse:
    """The order's events kept so far (without `Last-Event-ID`), then every new one."""
    if not await may_follow(db, user, order_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no order {order_id}")
    try:
        keep = events_for(user, order_id)
    except NotAllowed as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no order {order_id}") from exc
    return _stream(request, bridge, db, user, keep, last_event_id or REPLAY_ALL)


@router.websocket("/ws")
async def websocket_events(websocket: WebSocket) -> None:
    """Every event of the caller's orders as JSON; authenticate with the subprotocols
    `lso.bearer, <token>` (closed with 1008 otherwise)."""
    state = websocket.app.state
    db: Database = state.db

    async def authenticate(token: str) -> Principal:
        authenticator = getattr(state, "authenticator", None)
        if authenticator is not None:  # the routes' own verifier (external tokens too)
            user: Principal = await authenticator.authenticate(token)
            return user
        return await verify_token(state.tokens, db, token)

    async def valid(user: Principal) -> bool:
        return await still_valid(db, user)

    await serve_socket(
        websocket,
        authenticate=authenticate,
        bridge=state.bridge,
        heartbeat=_heartbeat(websocket),
        still_valid=valid,
    )
