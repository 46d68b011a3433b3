"""The two WebSocket endpoints, ``/v1/stream/query`` and ``/v1/stream/fetch``.

Token problems: Daml's JSON API refuses the upgrade with HTTP 401. A Node.js client built on the ``ws``
package (``@daml/ledger`` in Node, through ``isomorphic-ws``) registers no ``error`` listener, and ``ws``
emits ``error`` on a non-101 answer: the whole Node process dies of an unhandled 'error' event. So when the
client offers ``daml.ws.auth`` (every Daml client does) the upgrade is accepted and a bad, expired or
unknown-user token is answered in-band, as Daml reports every other stream error: one
``{"errors": [...], "status": 401 | 403}`` frame, then a close with code 1008. ``@daml/ledger`` then logs the
error and closes its stream with ``{code: 4001, reason: "ws connection failed"}``. A client that does not
offer ``daml.ws.auth`` is not a Daml client: it gets Daml's pre-upgrade 401 with the JSON error body.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, WebSocket
from fastapi.responses import JSONResponse
from starlette.websockets import WebSocketDisconnect

from ledger.engine import EmbeddedLedger, LedgerError
from ledger.jsonapi.auth import TokenVerifier
from ledger.jsonapi.streams import frames
from ledger.jsonapi.streams.auth import MISSING_PROTOCOL, WS_PROTOCOL, authenticate
from ledger.jsonapi.streams.frames import StreamError
from ledger.jsonapi.streams.plans import FetchPlan, QueryPlan, StreamPlan
from ledger.jsonapi.streams.requests import offset_prefix, parse_fetches, parse_queries
from ledger.jsonapi.streams.session import ClientGone, Session, SlowClient, Timing
from ledger.jsonapi.streams.stream import Stream
from ledger.settings import LedgerSettings

log = logging.getLogger(__name__)

PlanBuilder = Callable[[EmbeddedLedger, Any, int | None], StreamPlan]


def _query_plan(ledger: EmbeddedLedger, message: Any, prefix: int | None) -> StreamPlan:
    return QueryPlan.build(ledger, parse_queries(message), prefix)


def _fetch_plan(ledger: EmbeddedLedger, message: Any, prefix: int | None) -> StreamPlan:
    return FetchPlan.build(ledger, parse_fetches(message), prefix)


async def serve(
    websocket: WebSocket,
    ledger: EmbeddedLedger,
    verifier: TokenVerifier | None,
    timing: Timing,
    build: PlanBuilder,
) -> None:
    offered = [str(p) for p in websocket.scope.get("subprotocols") or []]
    if WS_PROTOCOL not in offered:
        await websocket.send_denial_response(
            JSONResponse(frames.error(401, MISSING_PROTOCOL), status_code=401)
        )
        return
    await websocket.accept(subprotocol=WS_PROTOCOL)
    session = Session(websocket, timing)
    try:
        auth = authenticate(verifier, offered, ledger.ledger_id)
        message = await session.receive_json()
        prefix = offset_prefix(message)
        if prefix is not None:
            message = await session.receive_json()
        plan = build(ledger, message, prefix)
        await session.run(Stream(session, ledger, plan, auth, verifier).run)
    except StreamError as exc:
        await session.fail(exc)
    except LedgerError as exc:
        await session.fail(StreamError(exc.http_status, str(exc)))
    except (SlowClient, ClientGone, WebSocketDisconnect):
        return
    except Exception:
        log.exception("stream %s failed", websocket.url.path)
        await session.fail(StreamError(500, "internal error of the stream"))


def stream_router(
    ledger: EmbeddedLedger, verifier: TokenVerifier | None, settings: LedgerSettings | None = None
) -> APIRouter:
    """The streaming endpoints over ``ledger`` (settings: ``LSO_LEDGER_WS_*``, read from the environment when
    not given)."""
    settings = settings or LedgerSettings()
    timing = Timing(settings.ws_heartbeat_seconds, settings.ws_send_timeout_seconds)
    router = APIRouter()

    @router.websocket("/v1/stream/query")
    async def query_stream(websocket: WebSocket) -> None:
        await serve(websocket, ledger, verifier, timing, _query_plan)

    @router.websocket("/v1/stream/fetch")
    async def fetch_stream(websocket: WebSocket) -> None:
        await serve(websocket, ledger, verifier, timing, _fetch_plan)

    @router.get("/v1/stream/query")
    @router.get("/v1/stream/fetch")
    async def not_upgraded() -> JSONResponse:
        return JSONResponse(
            frames.error(400, "Cannot upgrade client's connection to websocket"), status_code=400
        )

    return router
