"""What :func:`gateway.app.create_app` installs for security and API quality, in one place."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from gateway.core.authn import Authenticator
from gateway.core.config import GatewaySettings
from gateway.core.limits import BodySizeLimitMiddleware
from gateway.core.oidc import ExternalTokenVerifier
from gateway.core.openapi import install_openapi
from gateway.core.problems import install_problem_handlers
from gateway.core.request_context import RequestContextMiddleware
from gateway.core.request_id import HEADER
from gateway.core.tokens import TokenService
from gateway.core.uploads import UPLOADS_PATH, upload_body_limit
from store.database import Database


class GatewaySecurity:
    """The authenticator and the HTTP client it owns (closed with the app)."""

    def __init__(self, db: Database, tokens: TokenService, settings: GatewaySettings) -> None:
        self.http: httpx.AsyncClient | None = None
        external = None
        if settings.oidc_issuer or settings.oidc_jwks_url:
            self.http = httpx.AsyncClient(
                timeout=httpx.Timeout(settings.oidc_timeout_seconds), follow_redirects=False
            )
            external = ExternalTokenVerifier(settings, self.http)
        self.authenticator = Authenticator(db, tokens, external)

    async def aclose(self) -> None:
        if self.http is not None:
            await self.http.aclose()


def install_api_quality(app: FastAPI, settings: GatewaySettings) -> None:
    """Problem details for every error, the OpenAPI document, CORS, the body size limit, request ids.

    Middleware order, outermost first: request context (id, log line, 500 problem), CORS, body limit.
    """
    install_problem_handlers(app)
    install_openapi(app)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_body_bytes=settings.max_body_bytes,
        larger={UPLOADS_PATH: upload_body_limit(settings)},
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=False,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "Accept", HEADER],
            expose_headers=[HEADER, "Retry-After", "WWW-Authenticate"],
            max_age=600,
        )
    app.add_middleware(RequestContextMiddleware)
