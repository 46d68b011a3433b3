"""The installable web app (PWA): its static files under ``/app/`` and ``GET /`` redirecting there.

The files are served as they are (no build step). Every ``/app`` response carries a strict
Content-Security-Policy; ``Cache-Control: no-cache`` makes browsers revalidate (ETag) so a changed file
is seen at once, while the service worker keeps the app usable offline. ``/app/sw.js`` may control
the whole ``/app/`` scope (``Service-Worker-Allowed``). Nothing here appears in the OpenAPI document.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

PREFIX = "/app"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; frame-ancestors 'none'; base-uri 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-cache"),
]
REPLACED_HEADERS = frozenset(name for name, _ in SECURITY_HEADERS)
SERVICE_WORKER = "/sw.js"
HIDDEN_DIRECTORIES = frozenset({"node_modules", "tests"})
"""Development-only parts of the webapp directory that are never served."""
HIDDEN_FILES = frozenset({"package.json", "package-lock.json", "jsconfig.json", "eslint.config.js"})
MISSING = "the web app is not installed on this gateway (see LSO_GATEWAY_WEBAPP_DIR)"

for _type, _suffix in (
    ("application/manifest+json", ".webmanifest"),
    ("text/javascript", ".js"),
    ("text/javascript", ".mjs"),
    ("image/svg+xml", ".svg"),
):
    mimetypes.add_type(_type, _suffix)


class WebappHeaders:
    """ASGI wrapper adding the security and caching headers to every response of the app files."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        parts = path.split("/")
        if HIDDEN_DIRECTORIES.intersection(parts[:-1]) or parts[-1] in HIDDEN_FILES:
            raise HTTPException(status_code=404)
        service_worker = path.endswith(PREFIX + SERVICE_WORKER)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in REPLACED_HEADERS]
                headers.extend(SECURITY_HEADERS)
                if service_worker:
                    headers.append((b"service-worker-allowed", (PREFIX + "/").encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_webapp(app: FastAPI, directory: Path) -> None:
    """Serve ``directory`` at ``/app/`` and redirect ``GET /`` there (404 problem when it is missing)."""

    async def to_webapp() -> RedirectResponse:
        return RedirectResponse(PREFIX + "/", status_code=307)

    app.add_api_route("/", to_webapp, methods=["GET"], include_in_schema=False)
    if directory.is_dir() and (directory / "index.html").is_file():
        files = StaticFiles(directory=directory, html=True, follow_symlink=False)
        app.mount(PREFIX, WebappHeaders(files), name="webapp")
        return
    log.warning("web app directory %s not found (or has no index.html): /app/ answers 404", directory)

    async def not_installed(path: str = "") -> None:
        raise HTTPException(status_code=404, detail=MISSING)

    app.add_api_route(PREFIX, not_installed, methods=["GET", "HEAD"], include_in_schema=False)
    app.add_api_route(
        PREFIX + "/{path:path}", not_installed, methods=["GET", "HEAD"], include_in_schema=False
    )
