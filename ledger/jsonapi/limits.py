"""Request body limits of the JSON API: an ASGI wrapper refusing too-big bodies with 413 before reading them.

A body whose ``Content-Length`` is over the limit is answered at once (the app reads none of it; the server
discards the rest as it arrives, so the client, still sending, gets the answer on the same connection); a
chunked body is counted as it arrives and refused as soon as it passes the limit. ``POST /v1/packages`` (DAR
uploads) has its own, larger limit. The answer is the JSON API's error envelope:
``{"status": 413, "errors": [...]}``. WebSocket and lifespan scopes pass through untouched."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException

from common.body_limit import ASGIApp, Receive, Scope, Send, within_limit

PACKAGES_PATH = "/v1/packages"


def _message(limit: int) -> str:
    return f"the request body is larger than the limit of {limit} bytes"


class _TooLarge(HTTPException):
    """Raised while the app reads the body: the app's HTTPException handler answers 413 (its envelope)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=_message(limit))


class BodyLimit:
    """Wraps an ASGI app: HTTP request bodies over ``max_bytes`` (``max_package_bytes`` for DAR uploads) get
    413."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, max_package_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_package_bytes = max_package_bytes

    def limit_for(self, scope: Scope) -> int:
        if scope.get("method") == "POST" and scope.get("path", "").rstrip("/") == PACKAGES_PATH:
            return self.max_package_bytes
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        try:
            answered = await within_limit(self.app, scope, receive, send, limit, _TooLarge)
        except _TooLarge:
            return  # the app had begun its answer: it stands
        if not answered:
            await _refuse(send, limit)


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps({"status": 413, "errors": [_message(limit)]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
