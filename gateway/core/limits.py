"""Request body size limit (:func:`common.body_limit.within_limit`), answered as a problem (413); a few paths
(file uploads) may have a larger limit of their own."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Receive, Scope, Send

from common.body_limit import within_limit
from gateway.core.problems import TOO_LARGE, ProblemError, problem_response


class BodyTooLarge(ProblemError):
    """Raised from ``receive`` once a body passes the limit (FastAPI re-raises HTTP exceptions met
    while it reads a body, so this reaches the problem handler as a 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            f"the request body is larger than {limit} bytes",
            type=TOO_LARGE,
            title="Request body too large",
        )


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int, larger: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.limit = max_body_bytes
        self.larger = dict(larger or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(str(scope.get("path", "")), self.limit)
        if not await within_limit(self.app, scope, receive, send, limit, BodyTooLarge):
            await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        error = BodyTooLarge(limit)
        response = problem_response(
            413,
            str(error.detail),
            instance=str(scope.get("path", "")),
            type=TOO_LARGE,
            title="Request body too large",
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)
