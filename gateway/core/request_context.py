"""The outermost layer of the gateway: a request id for every request, one log line per request,
and a 500 problem (logged with the request id and the stack, none of it sent) for anything that
escaped the routes and their exception handlers."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.core.problems import INTERNAL, problem_response
from gateway.core.request_id import HEADER, new_request_id, reset_request_id, set_request_id

log = logging.getLogger("gateway.requests")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        offered = None
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                offered = value.decode("latin-1")
                break
        request_id = new_request_id(offered)
        scope.setdefault("state", {})["request_id"] = request_id
        token = set_request_id(request_id)
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers", ()))
                headers.append((HEADER.lower().encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception(
                "request %s: %s %s failed", request_id, scope.get("method", "WS"), scope.get("path")
            )
            if scope["type"] == "http" and status == 0:
                response = problem_response(
                    500,
                    f"an unexpected error occurred; quote request id {request_id}",
                    instance=str(scope.get("path", "")),
                    type=INTERNAL,
                    title="Internal Server Error",
                )
                await response(scope, receive, send_with_id)
            # the response had started (or it is a websocket): nothing more can be said to the client
        finally:
            if scope["type"] == "http":
                log.info(
                    "request %s: %s %s -> %s in %.1f ms",
                    request_id,
                    scope.get("method"),
                    scope.get("path"),
                    status or "-",
                    (time.perf_counter() - started) * 1000,
                )
            reset_request_id(token)
